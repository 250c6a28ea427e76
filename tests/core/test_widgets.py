"""The project's select template renders exactly what Django's own does, only faster."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting, get_default_renderer


class _Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Alpha & Co"), ("b", "Beta")], initial="b")
    grouped = forms.MultipleChoiceField(
        choices=[("Team", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        initial=["2", "3"],
        required=False,
    )
    blank = forms.TypedChoiceField(choices=[("", "---"), (0, "Zero")], coerce=int)


class _DisabledOption(forms.Select):
    def create_option(self, *args: object, **kwargs: object) -> dict[str, object]:
        option = super().create_option(*args, **kwargs)  # type: ignore[arg-type]
        if option["value"] == "b":
            option["attrs"]["disabled"] = True
        return option


class _OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("name", ["plain", "grouped", "blank"])
def test_select_matches_djangos_own(name: str) -> None:
    form = _Choices()

    ours = form[name].as_widget()
    form.renderer = DjangoTemplates()
    theirs = form[name].as_widget()

    assert ours == theirs


@pytest.mark.parametrize("widget", [_DisabledOption, _OwnOption])
def test_select_keeps_option_attributes_and_option_templates(widget: type[forms.Select]) -> None:
    field = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=widget)

    ours = field.widget.render("pick", "a", renderer=TemplatesSetting())
    theirs = field.widget.render("pick", "a", renderer=DjangoTemplates())

    assert ours == theirs


def test_forms_render_through_the_projects_select() -> None:
    origin = get_default_renderer().get_template("django/forms/widgets/select.html").origin.name

    assert origin.endswith("madoguchi/templates/django/forms/widgets/select.html")
