from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Department
from madoguchi.branding.models import Brand
from madoguchi.core.translated import in_language

CHOICE_SEPARATOR = "|"


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


def _named_in_some_language(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(name_en="", name_ja=""), name=f"{prefix}_named_in_some_language"
    )


class Category(models.Model):
    """A heading of the request catalog, such as "Accounts and billing"."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="request_categories", verbose_name=_("brand")
    )
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["position", "pk"]
        constraints = [_named_in_some_language("request_category")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")


class RequestType(models.Model):
    """One form of the catalog: what the customer fills in and where the request goes."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="request_types", verbose_name=_("brand")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="request_types", verbose_name=_("category")
    )
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    keywords = models.CharField(
        _("search keywords"),
        max_length=500,
        blank=True,
        help_text=_("Other words customers may search for, in any language."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request_types",
        verbose_name=_("target group"),
    )
    default_priority = models.CharField(
        _("default priority"), max_length=8, choices=Priority, default=Priority.NORMAL
    )
    needs_organisation_approval = models.BooleanField(
        _("needs approval by the organisation admin"),
        default=False,
        help_text=_(
            "Agents see the request only after an admin of the customer's organisation approves it."
        ),
    )
    is_active = models.BooleanField(_("offered in the catalog"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["category__position", "position", "pk"]
        constraints = [_named_in_some_language("request_type")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    def clean(self) -> None:
        if self.category_id and self.brand_id and self.category.brand_id != self.brand_id:
            raise ValidationError({"category": _("Choose a category of the same brand.")})


@dataclass(frozen=True)
class Choice:
    value: str
    label_en: str
    label_ja: str

    @property
    def label(self) -> str:
        return in_language(self, "label") or self.value


class FormField(models.Model):
    """One question of a request type's form, optionally shown only when another has a value."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        CHECKBOX = "checkbox", _("Checkbox")
        FILE = "file", _("File")
        ORGANISATION_MEMBER = "organisation_member", _("A member of my organisation")

    WITH_CHOICES = {Kind.CHOICE, Kind.MULTIPLE_CHOICE}
    # A condition compares values; a long text or a file is no sensible thing to compare.
    CAN_CONTROL = {Kind.TEXT, Kind.NUMBER, Kind.CHOICE, Kind.MULTIPLE_CHOICE, Kind.CHECKBOX}

    request_type = models.ForeignKey(
        RequestType, on_delete=models.CASCADE, related_name="fields", verbose_name=_("request type")
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("A short name for reports and the API, such as order_number."),
    )
    kind = models.CharField(_("type"), max_length=24, choices=Kind, default=Kind.TEXT)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    help_ja = models.CharField(_("help text (Japanese)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_(
            'One per line: value | English label | Japanese label, such as "jp | Japan | 日本".'
        ),
    )
    show_when = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("show only when"),
    )
    show_when_value = models.CharField(
        _("has the value"),
        max_length=200,
        blank=True,
        help_text=_(
            "Leave empty when the condition is a checkbox: the field shows when it is ticked."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request_type", "key"], name="form_field_key_unique"),
            models.CheckConstraint(
                condition=~Q(label_en="", label_ja=""), name="form_field_labelled_in_some_language"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self, "label")

    @property
    def help_text(self) -> str:
        return in_language(self, "help")

    def parsed_choices(self) -> list[Choice]:
        """Return the choices written one per line; blank lines are skipped."""
        parsed = []
        for line in self.choices.splitlines():
            if not line.strip():
                continue
            value, label_en, label_ja, *_rest = [*line.split(CHOICE_SEPARATOR), "", ""]
            parsed.append(Choice(value.strip(), label_en.strip(), label_ja.strip()))
        return parsed

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind in self.WITH_CHOICES:
            errors.update(self._choice_errors())
        elif self.choices.strip():
            errors["choices"] = _("Only single and multiple choice fields have choices.")
        if self.show_when_id:
            errors.update(self._condition_errors())
        elif self.show_when_value:
            errors["show_when_value"] = _("Choose the field this value belongs to.")
        if errors:
            raise ValidationError(errors)

    def _choice_errors(self) -> dict[str, str]:
        values = [choice.value for choice in self.parsed_choices()]
        if not values:
            return {"choices": _("Write at least one choice, one per line.")}
        if "" in values:
            return {"choices": _("Every choice needs a value before the first |.")}
        if len(set(values)) != len(values):
            return {"choices": _("Each choice value may appear only once.")}
        return {}

    def _condition_errors(self) -> dict[str, str]:
        controller = self.show_when
        if controller.request_type_id != self.request_type_id or controller.pk == self.pk:
            return {"show_when": _("Choose another field of the same request type.")}
        if (controller.position, controller.pk) >= (self.position, self.pk or float("inf")):
            # Conditions only look upwards, which also rules out loops.
            return {"show_when": _("Choose a field placed above this one.")}
        if controller.kind not in self.CAN_CONTROL:
            return {
                "show_when": _("A long text, date, file or member field cannot be a condition.")
            }
        return self._condition_value_errors()

    def _condition_value_errors(self) -> dict[str, str]:
        controller = self.show_when
        if controller.kind == self.Kind.CHECKBOX:
            return {}
        if not self.show_when_value:
            return {"show_when_value": _("Write the value that shows this field.")}
        allowed = [choice.value for choice in controller.parsed_choices()]
        if controller.kind in self.WITH_CHOICES and self.show_when_value not in allowed:
            return {"show_when_value": _("Use one of the choice values of that field.")}
        return {}
