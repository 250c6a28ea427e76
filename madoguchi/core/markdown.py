"""Markdown written by people, turned into HTML that is safe to show to anyone.

Raw HTML in the source is not rendered (markdown-it's `html` option is off), and the result is
cleaned again by nh3 with a short list of tags, so a bug in one layer is not an injection.
Links open no window relationship and tell search engines not to follow them.
"""

import nh3
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


def render(source: str) -> str:
    """Return sanitised HTML for Markdown source."""
    html = _parser.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        filter_style_properties={"text-align"},
    )
