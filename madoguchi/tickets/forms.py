"""The form a customer fills in for a request type, built from the admin's field definitions.

A conditional field is optional to the browser and checked here: it is required only while its
condition holds, and its value is dropped when the condition does not, so an answer the customer
could not see never reaches the request.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import selectors as accounts_selectors
from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.core import uploads as attachments
from madoguchi.tickets.models import FormField, RequestType, SatisfactionRating
from madoguchi.tickets.services import NewRequest

Kind = FormField.Kind
TEXT_MAX = 500
LONG_TEXT_MAX = 20_000
FILES_PER_MESSAGE = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked like a single one."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > FILES_PER_MESSAGE:
            raise forms.ValidationError(
                _("Attach at most %(count)d files at once."),
                code="too_many",
                params={"count": FILES_PER_MESSAGE},
            )
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class RequestForm(forms.Form):
    """Subject and description, which every request has, then the request type's own fields."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown works here: **bold**, lists, links."),
    )

    def __init__(self, request_type: RequestType, *, requester: User | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request_type = request_type
        self.definitions = list(request_type.fields.select_related("show_when"))
        self.conditions: dict[str, tuple[str, str]] = {}
        for definition in self.definitions:
            self.fields[definition.key] = _form_field(definition, requester)
            if definition.show_when:
                self.conditions[definition.key] = (
                    definition.show_when.key,
                    definition.show_when_value,
                )

    def rows(self) -> list[tuple[forms.BoundField, str, str]]:
        """Return each field with the field and value that show it ("" when always shown)."""
        return [(self[name], *self.conditions.get(name, ("", ""))) for name in self.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        shown: set[str] = set()
        for definition in self.definitions:
            key = definition.key
            if _is_shown(definition, cleaned, shown):
                shown.add(key)
                if definition.show_when and definition.required and _is_empty(cleaned.get(key)):
                    self.add_error(
                        key, forms.ValidationError(_("This field is required."), "required")
                    )
            else:
                cleaned.pop(key, None)
                self.errors.pop(key, None)
        return cleaned

    def answers(self) -> dict[str, Any]:
        """Return the shown answers as JSON values; files are stored as attachments instead."""
        return {
            definition.key: _as_json(self.cleaned_data[definition.key])
            for definition in self.definitions
            if definition.kind != Kind.FILE and definition.key in self.cleaned_data
        }

    def files_by_key(self) -> dict[str, Any]:
        return {
            definition.key: self.cleaned_data[definition.key]
            for definition in self.definitions
            if definition.kind == Kind.FILE and self.cleaned_data.get(definition.key)
        }

    def new_request(self, *, brand: Brand, requester: User) -> NewRequest:
        """The request this valid form asks for, as the portal page and the API submit it."""
        return NewRequest(
            brand=brand,
            requester=requester,
            request_type=self.request_type,
            subject=self.cleaned_data["subject"],
            description=self.cleaned_data["description"],
            answers=self.answers(),
            field_files=self.files_by_key(),
        )


class RatingForm(forms.Form):
    score = forms.ChoiceField(
        label=_("How did we do?"),
        choices=SatisfactionRating.Score.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _is_shown(definition: FormField, cleaned: dict[str, Any], shown: set[str]) -> bool:
    controller = definition.show_when
    if controller is None:
        return True
    # A field under a hidden field is hidden too; conditions only look upwards, so the
    # controller's visibility is already known.
    if controller.key not in shown:
        return False
    value = cleaned.get(controller.key)
    if controller.kind == Kind.CHECKBOX:
        return bool(value)
    if isinstance(value, list):
        return definition.show_when_value in value
    return not _is_empty(value) and _as_text(value) == definition.show_when_value.strip()


def _as_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def _is_empty(value: Any) -> bool:
    return value is None or value is False or value in ("", [])


def _as_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _as_text(value)
    if isinstance(value, User):
        return {"id": value.pk, "name": value.name, "email": value.email}
    return value


class GuestRequestForm(RequestForm):
    """The request form for a visitor who is not signed in: who they are, and a bot trap."""

    # Prefixed, so that no question of the request type's form has the same name.
    guest_name = forms.CharField(label=_("Your name"), max_length=150)
    guest_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We mail you a link to confirm the request; nothing is sent before."),
    )
    # People never see this field (CSS hides it); robots that fill every field do.
    guest_website = forms.CharField(label=_("Leave this field empty"), required=False)

    field_order = ["guest_name", "guest_email", "subject", "description"]

    def __init__(self, request_type: RequestType, **kwargs: Any) -> None:
        super().__init__(request_type, requester=None, **kwargs)
        self.order_fields(self.field_order)
        trap = self.fields["guest_website"].widget.attrs
        trap.update({"tabindex": "-1", "autocomplete": "off"})

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("guest_website"))


def _form_field(definition: FormField, requester: User | None) -> forms.Field:
    # The browser may hide a conditional field, so only clean() can tell if it is required.
    required = definition.required and definition.show_when is None
    common = {"label": definition.label, "help_text": definition.help_text, "required": required}
    kind = definition.kind
    if kind in FormField.WITH_CHOICES:
        choices = [(choice.value, choice.label) for choice in definition.parsed_choices()]
        if kind == Kind.CHOICE:
            return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == Kind.ORGANISATION_MEMBER:
        # A guest has no organisation yet, so there is nobody to choose.
        colleagues = (
            accounts_selectors.organisation_members_for(requester)
            if requester
            else User.objects.none()
        )
        return forms.ModelChoiceField(queryset=colleagues, **common)
    if kind == Kind.FILE:
        return forms.FileField(validators=[_file_size_within_limit, _file_kind_accepted], **common)
    return _simple_field(kind, common)


def _simple_field(kind: str, common: dict[str, Any]) -> forms.Field:
    if kind == Kind.LONG_TEXT:
        return forms.CharField(max_length=LONG_TEXT_MAX, widget=forms.Textarea, **common)
    if kind == Kind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=6, **common)
    if kind == Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == Kind.CHECKBOX:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=TEXT_MAX, **common)


def _file_kind_accepted(upload: Any) -> None:
    try:
        attachments.check(upload)
    except attachments.AttachmentRefusedError as error:
        raise forms.ValidationError(str(error), code="kind") from error


def _file_size_within_limit(upload: Any) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(limit)},
        )


def files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        validators=[_file_size_within_limit, _file_kind_accepted],
        help_text=_("Images, PDF, text, ZIP and Office files."),
    )


# The reply box takes pasted and dropped images into the files field (js/inline-images.js).
REPLY_BOX_ATTRS = {"rows": 6, "data-mdg-images-into": "id_files"}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(REPLY_BOX_ATTRS)
    )
    files = files_field()
