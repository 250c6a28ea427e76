"""The form renderer: the project's form templates, the commonest of them written in Python.

Through the template engine a field group (label, help text, errors, widget: four template
renders) cost about 0.6 ms, and an agent's request page shows a dozen. The templates written
here produce the same text as the templates they stand for (tests/core/test_form_renderer.py
holds them equal on the project's forms, bound and unbound); any other template, or a case
written here only in part (a field set, a list of errors, an option with its own template),
is rendered by the template as before.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Django's widget templates that are input.html and nothing else.
_INPUTS = (
    "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
    "password", "search", "tel", "text", "time", "url",
)  # fmt: skip

# What `{{ value }}` and `{{ value|stringformat:'s' }}` write for a form's text: the value as
# text, escaped unless it is marked safe.
_text = conditional_escape


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/attrs.html and widgets/attrs.html: False leaves an attribute out, True
    writes its name alone."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _field(context: Mapping[str, Any]) -> str | None:
    """django/forms/field.html, for a field that is not a field set."""
    field = context["field"]
    if field.use_fieldset:
        return None
    label = field.label_tag() if field.label else ""
    help_text = ""
    if field.help_text:
        described = f' id="{_text(field.auto_id)}_helptext"' if field.auto_id else ""
        help_text = f'<div class="helptext"{described}>{field.help_text}</div>'
    return f"\n  {label}\n\n{help_text}\n{field.errors}\n{field}"


def _label(context: Mapping[str, Any]) -> str:
    """django/forms/label.html."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _no_errors(context: Mapping[str, Any]) -> str | None:
    """django/forms/errors/list/default.html when there is no error (nearly always)."""
    return None if context["errors"] else ""


def _input(context: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html and the widgets that are only it."""
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _file_without_initial(context: Mapping[str, Any]) -> str | None:
    """django/forms/widgets/clearable_file_input.html with no file yet (a new upload): the
    input alone, its value None."""
    return None if context["widget"]["is_initial"] else _input(context)


def _textarea(context: Mapping[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(context: Mapping[str, Any]) -> str | None:
    """madoguchi/templates/django/forms/widgets/select.html (options written in place)."""
    widget = context["widget"]
    written = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            written.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None
            written.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            written.append("\n  </optgroup>")
    written.append("\n</select>")
    return "".join(written)


_WRITTEN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _no_errors,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/clearable_file_input.html": _file_without_initial,
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
}


class FormRenderer(TemplatesSetting):
    """TemplatesSetting (the project's templates override Django's), faster for the commonest."""

    def render(self, template_name: str, context: Any, request: Any = None) -> SafeString | str:
        write = _WRITTEN.get(template_name)
        written = write(context) if write is not None else None
        if written is None:
            return super().render(template_name, context, request)
        return mark_safe(written.strip())  # noqa: S308  (every value above is escaped or safe)
