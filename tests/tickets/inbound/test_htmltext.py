"""HTML mail becomes plain text, with block quotes marked as quotes and nothing executable."""

from madoguchi.tickets.inbound.htmltext import html_to_text


def test_blocks_and_breaks_become_lines() -> None:
    html = (
        "<div>First line<br>second line</div><p>New paragraph</p><ul><li>one</li><li>two</li></ul>"
    )

    assert html_to_text(html) == "First line\nsecond line\n\nNew paragraph\n\none\n\ntwo"


def test_blockquote_becomes_quoted_lines() -> None:
    html = "<p>Fixed, thanks.</p><blockquote><p>Try again.</p></blockquote>"

    assert html_to_text(html) == "Fixed, thanks.\n\n> Try again."


def test_scripts_styles_and_head_are_dropped() -> None:
    html = (
        "<html><head><title>t</title><style>.x{}</style></head>"
        "<body><script>alert(1)</script>Visible &amp; kept</body></html>"
    )

    assert html_to_text(html) == "Visible & kept"


def test_entities_and_japanese_text_survive() -> None:
    assert html_to_text("<p>&lt;script&gt; は文字です</p>") == "<script> は文字です"
