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
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Django's widget templates that are input.html and nothing else.
_INPUTS = (
    "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
    "password", "search", "tel", "text", "time", "url",
)  # fmt: skip


def _attrs(attrs: Mapping[str, Any]) -> SafeString:
    """django/forms/attrs.html and widgets/attrs.html: False leaves an attribute out, True
    writes its name alone."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _field(context: Mapping[str, Any]) -> SafeString | None:
    """django/forms/field.html, for a field that is not a field set and whose help text, which
    the template writes unescaped, holds no markup."""
    field = context["field"]
    help_text = field.help_text
    if field.use_fieldset or conditional_escape(help_text) != help_text:
        return None
    if help_text:
        described = format_html(' id="{}_helptext"', field.auto_id) if field.auto_id else ""
        help_text = format_html('<div class="helptext"{}>{}</div>', described, help_text)
    pieces = [
        (field.label_tag() if field.label else "", "\n\n"),
        (help_text, "\n"),
        (str(field.errors), "\n"),
        (str(field), ""),
    ]
    while not pieces[0][0]:
        pieces.pop(0)  # the template's output is stripped: it starts at its first text
    return format_html_join("", "{}{}", pieces)


def _label(context: Mapping[str, Any]) -> SafeString:
    """django/forms/label.html."""
    if not context["use_tag"]:
        return conditional_escape(context["label"])
    return format_html(
        "<{}{}>{}</{}>", context["tag"], _attrs(context["attrs"]), context["label"], context["tag"]
    )


def _no_errors(context: Mapping[str, Any]) -> SafeString | None:
    """django/forms/errors/list/default.html when there is no error (nearly always)."""
    return None if context["errors"] else SafeString()


def _input(context: Mapping[str, Any]) -> SafeString:
    """django/forms/widgets/input.html and the widgets that are only it."""
    widget = context["widget"]
    value = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        value,
        _attrs(widget["attrs"]),
    )


def _file_without_initial(context: Mapping[str, Any]) -> SafeString | None:
    """django/forms/widgets/clearable_file_input.html with no file yet (a new upload): the
    input alone, its value None."""
    return None if context["widget"]["is_initial"] else _input(context)


def _textarea(context: Mapping[str, Any]) -> SafeString:
    """django/forms/widgets/textarea.html."""
    widget = context["widget"]
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        _attrs(widget["attrs"]),
        widget["value"] or "",
    )


def _select(context: Mapping[str, Any]) -> SafeString | None:
    """madoguchi/templates/django/forms/widgets/select.html (options written in place)."""
    widget = context["widget"]
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        if any(option["template_name"] != _OPTION_TEMPLATE for option in options):
            return None
        written = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>\n',
            ((option["value"], _attrs(option["attrs"]), option["label"]) for option in options),
        )
        if group_name:
            written = format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, written)
        groups.append((written,))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        _attrs(widget["attrs"]),
        format_html_join("", "{}", groups),
    )


_WRITTEN: dict[str, Callable[[Mapping[str, Any]], SafeString | None]] = {
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
        return written
