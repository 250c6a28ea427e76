"""Markdown written by people, turned into HTML that is safe to show to anyone.

Raw HTML in the source is not rendered (markdown-it's `html` option is off), and the result is
cleaned again by nh3 with a short list of tags, so a bug in one layer is not an injection.
Links open no window relationship and tell search engines not to follow them.
"""

import html
from collections.abc import Callable, Mapping
from urllib.parse import unquote

import nh3
from django.utils.html import strip_tags
from markdown_it import MarkdownIt
from markdown_it.token import Token

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"style"}, "th": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(
    source: str,
    *,
    image_prefix: str | tuple[str, ...] = "",
    images: Mapping[str, str] | None = None,
    images_as_links: bool = False,
) -> str:
    """Return sanitised HTML for Markdown source.

    Images are dropped unless image_prefix is given; then only images whose address starts with
    it (files of this site served under a permission check) are kept, so a text can never make
    a reader's browser fetch from elsewhere or from a URL with side effects.

    images names files a text may show by name, as in ![screenshot](screenshot.png): each name
    (percent-encoded or not) becomes the file's address, and those addresses are kept too; any
    other image becomes its text. With images_as_links (mail, where a private file does not
    load), named files become links instead.
    """
    tokens = _parser.parse(source)
    if images is not None:
        _resolve_images(tokens, images, as_links=images_as_links)
    html = _parser.renderer.render(tokens, _parser.options, {})
    allowed = set() if images_as_links or not images else set(images.values())
    tags, attributes = ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if image_prefix or allowed:
        tags = ALLOWED_TAGS | {"img"}
        attributes = {**ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title"}}
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        filter_style_properties={"text-align"},
        attribute_filter=_image_filter(image_prefix, allowed) if image_prefix or allowed else None,
    )


def _resolve_images(tokens: list[Token], images: Mapping[str, str], *, as_links: bool) -> None:
    """Point images named in images at their files; others become their text (a broken image
    would show nothing)."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type != "image":
                children.append(token)
                continue
            name = unquote(str(token.attrs.get("src", "")))
            address = images.get(name)
            if address is None:
                children.append(Token("text", "", 0, content=token.content))
            elif as_links:
                children += _link_tokens(address, token.content or name)
            else:
                token.attrs["src"] = address
                children.append(token)
        block.children = children


def _link_tokens(address: str, text: str) -> list[Token]:
    return [
        Token("link_open", "a", 1, attrs={"href": address}),
        Token("text", "", 0, content=text),
        Token("link_close", "a", -1),
    ]


def _image_filter(
    prefix: str | tuple[str, ...], allowed: set[str]
) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            if value in allowed:
                return value
            # ".." or a backslash could walk the browser out of the prefix to another page.
            decoded = unquote(value)
            inside = (
                bool(prefix)
                and value.startswith(prefix)
                and ".." not in decoded
                and "\\" not in decoded
            )
            return value if inside else None
        return value

    return keep


def plain_text(rendered: str) -> str:
    """Return the words of rendered HTML, without markup (for indexes, snippets, descriptions)."""
    return " ".join(html.unescape(strip_tags(rendered)).split())
