"""HTML mail as plain text: what a person would read, with quotes marked as quotes.

Only text comes out (no markup survives), so the result is as safe as a typed message; it is
rendered later through the same Markdown sanitiser as replies written on the portal. Block
quotes become "> " lines, so the quote stripper treats an HTML reply like a plain one.
"""

import re
from html.parser import HTMLParser

_BLOCKS = {
    "address", "article", "aside", "div", "dl", "dt", "dd", "fieldset", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tr", "ul",
}  # fmt: skip
# <img src="cid:…">: an image that is a part of the same mail (RFC 2392).
_CONTENT_ID = re.compile(r"cid:[^\s()<>\[\]]{1,250}", re.IGNORECASE)
_HIDDEN = {"head", "script", "style", "template", "title", "noscript", "svg", "math"}
# Past this many characters the rest of a huge HTML body is dropped (the raw mail keeps it).
MAX_CHARS = 1_000_000


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0
        self.hidden_depth = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden_depth += 1
        elif tag == "br":
            self._new_line()
        elif tag == "blockquote":
            self.quote_depth += 1
            self._new_line()
        elif tag in _BLOCKS:
            self._new_line()
        elif tag == "img":
            self._image(dict(attrs))

    def _image(self, attrs: dict[str, str | None]) -> None:
        alt = " ".join((attrs.get("alt") or "").replace("[", " ").replace("]", " ").split())
        source = (attrs.get("src") or "").strip()
        if _CONTENT_ID.fullmatch(source):
            # An image sent with the mail: Markdown that names it, shown once it is attached.
            self.handle_data(f"![{alt}]({source})")
        elif alt:
            self.handle_data(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self._new_line()
        elif tag in _BLOCKS:
            self._new_line()

    def handle_data(self, data: str) -> None:
        if self.hidden_depth or self.size > MAX_CHARS:
            return
        words = " ".join(data.split())
        if not words:
            return
        if not self.lines[-1]:
            self.lines[-1] = "> " * self.quote_depth
        elif not self.lines[-1].endswith(" ") and data[:1].isspace():
            self.lines[-1] += " "
        self.lines[-1] += words
        if data[-1:].isspace():
            self.lines[-1] += " "
        self.size += len(words)

    def _new_line(self) -> None:
        self.lines[-1] = self.lines[-1].rstrip()
        self.lines.append("")


def html_to_text(html: str) -> str:
    """Return the readable text of an HTML document, one paragraph per block."""
    collector = _TextCollector()
    collector.feed(html[: MAX_CHARS * 4])
    collector.close()
    text = "\n".join(line.rstrip() for line in collector.lines)
    # Collapse the blank lines that nested blocks leave behind.
    return re.sub(r"\n{3,}", "\n\n", text).strip()
