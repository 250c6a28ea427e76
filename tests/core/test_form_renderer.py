"""The form renderer writes what the templates would, byte for byte, and falls back to them."""

from datetime import date

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe

from madoguchi.accounts.account_forms import NotificationsForm, ProfileForm
from madoguchi.accounts.models import User
from madoguchi.core.form_renderer import FormRenderer
from madoguchi.kb.forms import FeedbackForm
from madoguchi.tickets.agent_forms import AgentReplyForm, ChangesForm
from madoguchi.tickets.forms import ReplyForm, RequestForm
from madoguchi.tickets.models import FormField
from tests.factories import add_form_field, make_request_type

TEMPLATES = TemplatesSetting()
OURS = FormRenderer()


class Everything(forms.Form):
    """Every widget the renderer writes, and the cases it leaves to the templates."""

    name = forms.CharField(label="Your <name>?", help_text="Shown to <b>agents</b>", max_length=20)
    email = forms.EmailField(label=mark_safe("E-mail <em>address</em>"))
    count = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"step": 2}))
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "disabled": True}))
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(
        choices=[("", "—"), ("Fruit <1>", [("a&b", "Apple & <b>"), ("p", "Pear")]), ("x", "X")]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two")], required=False)
    unlabelled = forms.CharField(label="", required=False)
    radio = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)
    ticks = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False
    )
    upload = forms.FileField(required=False)
    kept = forms.FileField(required=False)
    off = forms.CharField(required=False, widget=forms.TextInput(attrs={"autofocus": False}))


BOUND = {
    "name": 'O\'Brien & "Sons" <x>',
    "email": "not an address",
    "count": "4",
    "when": "2026-11-24",
    "agree": "on",
    "secret": "p<w>",
    "hidden": "h&",
    "notes": "line <1>\nline 2",
    "kind": "a&b",
    "many": ["1", "2"],
    "radio": "n",
}


class Stored:
    """A file already saved, as a FileField's initial value (the clearable widget's other case)."""

    url = "/files/a&b.pdf"

    def __str__(self) -> str:
        return "a&b.pdf"


def _groups(form: forms.Form) -> list[str]:
    return [form[name].as_field_group() for name in form.fields]


def _both(make: object) -> tuple[list[str], list[str]]:
    """Render the form's field groups through the templates and through ours."""
    theirs = make(renderer=TEMPLATES)
    ours = make(renderer=OURS)
    return _groups(theirs), _groups(ours)


def test_the_project_renders_forms_through_it() -> None:
    assert settings.FORM_RENDERER == "madoguchi.core.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "data", [None, BOUND, {}], ids=["unbound", "bound with errors", "bound, all missing"]
)
def test_every_widget_and_fallback_is_written_as_the_templates_write_it(
    language: str, data: dict | None
) -> None:
    with translation.override(language):
        theirs, ours = _both(
            lambda renderer: Everything(
                data, initial={"when": date(2026, 1, 2), "kept": Stored()}, renderer=renderer
            )
        )

    assert ours == theirs


def test_fields_without_ids_write_their_label_alone() -> None:
    theirs, ours = _both(lambda renderer: Everything(auto_id=False, renderer=renderer))

    assert ours == theirs
    assert "<label" not in ours[0]


def test_a_widget_with_an_option_template_of_its_own_is_left_to_the_templates() -> None:
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=Own)

    theirs, ours = _both(lambda renderer: Form(renderer=renderer))

    assert ours == theirs


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_projects_forms_are_written_as_the_templates_write_them(
    language: str, alice: User, dave: User
) -> None:
    request_type = make_request_type("Repair", "修理")
    for kind in FormField.Kind.values:
        options = (
            {"choices": "red | Red <b> | 赤\ngreen | Green | 緑"}
            if kind in FormField.WITH_CHOICES
            else {}
        )
        add_form_field(request_type, f"f_{kind}", kind, help_en="Help <b>me</b>", **options)
    makers = [
        lambda renderer: ChangesForm(renderer=renderer),
        lambda renderer: AgentReplyForm(renderer=renderer),
        lambda renderer: AgentReplyForm({"body": ""}, renderer=renderer),
        lambda renderer: ReplyForm(renderer=renderer),
        lambda renderer: RequestForm(request_type, requester=alice, renderer=renderer),
        lambda renderer: RequestForm(
            request_type, requester=alice, data={"subject": "x" * 300}, renderer=renderer
        ),
        lambda renderer: FeedbackForm(renderer=renderer),
        lambda renderer: ProfileForm({"time_zone": "Mars/Base"}, renderer=renderer),
        lambda renderer: NotificationsForm(initial_choices={}, user=dave, renderer=renderer),
    ]
    with translation.override(language):
        for make in makers:
            theirs, ours = _both(make)
            assert ours == theirs
