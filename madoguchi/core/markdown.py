"""Markdown written by people, turned into HTML that is safe to show to anyone.

Raw HTML in the source is not rendered (markdown-it's `html` option is off), and the result is
cleaned again by nh3 with a short list of tags, so a bug in one layer is not an injection.
Links open no window relationship and tell search engines not to follow them.
"""

import html
from collections.abc import Callable
from urllib.parse import unquote

import nh3
from django.utils.html import strip_tags
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"style"}, "th": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(source: str, *, image_prefix: str | tuple[str, ...] = "") -> str:
    """Return sanitised HTML for Markdown source.

    Images are dropped unless image_prefix is given; then only images whose address starts with
    it (files of this site served under a permission check) are kept, so a text can never make
    a reader's browser fetch from elsewhere or from a URL with side effects.
    """
    html = _parser.render(source)
    tags, attributes = ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if image_prefix:
        tags = ALLOWED_TAGS | {"img"}
        attributes = {**ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title"}}
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        filter_style_properties={"text-align"},
        attribute_filter=_image_filter(image_prefix) if image_prefix else None,
    )


def _image_filter(prefix: str | tuple[str, ...]) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        # ".." or a backslash could walk the browser out of the prefix to another page.
        if tag == "img" and attribute == "src":
            decoded = unquote(value)
            inside = value.startswith(prefix) and ".." not in decoded and "\\" not in decoded
            return value if inside else None
        return value

    return keep


def plain_text(rendered: str) -> str:
    """Return the words of rendered HTML, without markup (for indexes, snippets, descriptions)."""
    return " ".join(html.unescape(strip_tags(rendered)).split())
