"""R14: whatever Markdown or HTML goes in, only allowlisted tags, attributes and schemes come out.

The oracle is independent of nh3: Python's html.parser walks the output and checks every start
tag, attribute and link against core.markdown's allowlist.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, render

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[link](javascript:alert(1))",
    "[link](JaVaScRiPt:alert(1))",
    "[link](java\tscript:alert(1))",
    "[link](data:text/html;base64,PHNjcmlwdD4=)",
    "[link](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "<!-- comment --><![CDATA[x]]>",
    "| a | b |\n|:-:|--|\n| <b onmouseover=x>c</b> | d |",
    "```html\n<script>alert(1)</script>\n```",
    "> quote\n>> nested",
    "**bold** _em_ ~~del~~ `code`",
    "<form action=x><input name=y></form>",
    '<object data="x.swf"></object><embed src=x>',
    "&lt;script&gt; &#x3C;script&#x3E; \\<script>",
    '[x](https://example.com "title" onmouseover=alert(1))',
    "<a href=mailto:someone@example.com>mail</a> [m](mailto:a@b.c)",
    "\n\n- item\n  - nested\n\n1. one\n",
    "<style>body{}</style><link rel=stylesheet href=x><meta http-equiv=refresh>",
]


class Oracle(HTMLParser):
    """Collect everything in the output that the allowlist does not allow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.violations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.violations.append(f"tag {tag}")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                self.violations.append(f"attribute {tag}.{name}")
            elif name == "href":
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme and scheme not in URL_SCHEMES:
                    self.violations.append(f"scheme {scheme}")
            elif (
                name == "style"
                and value
                and value.replace(" ", "")
                not in {f"text-align:{side}" for side in ("left", "right", "center")}
            ):
                self.violations.append(f"style {value}")
            elif name == "rel" and value != "nofollow noopener noreferrer":
                self.violations.append(f"rel {value}")

    handle_startendtag = handle_starttag


def violations(html: str) -> list[str]:
    oracle = Oracle()
    oracle.feed(html)
    oracle.close()
    return oracle.violations


pieces = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=30), st.sampled_from("<>\"'`[]()!*_\n")
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(pieces, max_size=25).map("".join))
def test_rendered_markdown_holds_only_allowlisted_markup(source: str) -> None:
    assert violations(render(source)) == []


def test_the_oracle_catches_what_the_raw_markdown_parser_lets_through() -> None:
    """markdown-it alone (with HTML on) would pass script and event handlers: the oracle sees it."""
    assert violations('<script>x</script><a href="javascript:x" onclick="y">z</a>') == [
        "tag script",
        "scheme javascript",
        "attribute a.onclick",
    ]


def test_deep_nesting_renders_without_failing() -> None:
    for source in (">" * 20_000 + " deep", "- " * 5_000 + "x", "[" * 50_000, "*" * 50_000):
        assert violations(render(source)) == []


def test_each_hostile_fragment_alone_is_neutralised() -> None:
    for fragment in HOSTILE:
        html = render(fragment)
        assert violations(html) == [], fragment
        assert "<script" not in html.lower()


# Article images (render(..., image_prefix=...)): kept only from the given site paths.

PREFIXES = ("/en/kb/files/", "/ja/kb/files/")


def test_images_are_dropped_without_a_prefix() -> None:
    assert "<img" not in render("![a](/en/kb/files/1/)")


def test_images_under_the_prefix_are_kept_with_their_text() -> None:
    html = render('![画面](/ja/kb/files/7/ "title")', image_prefix=PREFIXES)

    assert html == '<p><img src="/ja/kb/files/7/" alt="画面" title="title"></p>\n'


@given(
    st.sampled_from(
        [
            "https://evil.example/x.png",
            "//evil.example/x.png",
            "/accounts/logout/",
            "/en/kb/files/../../accounts/logout/",
            "/en/kb/files/%2e%2e/%2e%2e/accounts/",
            "/en/kb/files/..\\..\\x",
            "javascript:alert(1)",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "/en/kb/filesx/1/",
        ]
    )
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_images_from_anywhere_else_lose_their_address(src: str) -> None:
    html = render(f"![x]({src}) <img src='{src}' onerror=alert(1)>", image_prefix=PREFIXES)

    assert not re.search(r"<img[^>]*\ssrc=", html)
    assert not re.search(r"<[^>]*onerror", html)


# Thread images (render(..., images=...)): a message shows its own files, named by file name.

FILES = {
    "shot.png": "/en/requests/5/attachments/9/",
    "画面 1.png": "/ja/requests/5/attachments/10/",
}


def test_a_named_file_is_shown_by_its_address() -> None:
    html = render("Look: ![the error](shot.png) and ![](<画面 1.png>)", images=FILES)

    assert '<img src="/en/requests/5/attachments/9/" alt="the error">' in html
    assert '<img src="/ja/requests/5/attachments/10/" alt="">' in html


def test_a_percent_encoded_name_finds_its_file() -> None:
    html = render("![x](%E7%94%BB%E9%9D%A2%201.png)", images=FILES)

    assert 'src="/ja/requests/5/attachments/10/"' in html


def test_in_mail_a_named_file_is_a_link_not_an_image() -> None:
    absolute = {"shot.png": "https://help.example.com/en/requests/5/attachments/9/"}

    html = render("![the error](shot.png)", images=absolute, images_as_links=True)

    assert "<img" not in html
    assert '<a href="https://help.example.com/en/requests/5/attachments/9/"' in html
    assert ">the error</a>" in html


@given(
    st.sampled_from(
        [
            "other.png",
            "https://evil.example/x.png",
            "/en/requests/6/attachments/11/",
            "/en/requests/5/attachments/9/../../6/",
            "javascript:alert(1)",
            "cid:part1@mail",
        ]
    )
)
def test_any_other_image_keeps_only_its_text(src: str) -> None:
    html = render(f"![words]({src}) <img src='{src}' onerror=alert(1)>", images=FILES)

    assert "<img" not in html
    assert "words" in html
    assert not re.search(r"<[^>]*onerror", html)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(pieces, max_size=25).map("".join))
def test_with_thread_images_nothing_else_gets_through(source: str) -> None:
    html = render(source + " ![a](shot.png)", images=FILES)

    for src in re.findall(r"<img[^>]*\ssrc=\"([^\"]*)\"", html):
        assert src in FILES.values()
    assert violations(re.sub(r"<img[^>]*>", "", html)) == []
