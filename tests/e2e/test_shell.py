"""The portal shell in a real browser: home, language, keyboard, small screens, sign-in, 404, zone.

Expected texts come from the compiled catalogue through gettext, so they are exactly the msgstr
values the server renders; a Japanese text equal to its English msgid means the catalogue is
missing or stale.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from tests.e2e.conftest import BrowserLog, axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "ja"]
LOCALES = {"en": "en-US", "ja": "ja-JP"}
NAMES_IN_MENU = {"en": "English", "ja": "日本語"}
SEARCHES = {"en": "password reset", "ja": "パスワード再設定"}
NARROW = {"width": 360, "height": 740}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

OpenPage = Callable[..., Page]

# The focused element, once its focus transition has run: where it is, and whether it shows a
# focus indicator (an outline, or a box-shadow ring as Pico draws them).
_FOCUSED = """async () => {
  const el = document.activeElement;
  await Promise.all(el.getAnimations().map((animation) => animation.finished));
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const ring = style.boxShadow.split(/,(?![^(]*\\))/).some(
    (shadow) => !shadow.includes("rgba(0, 0, 0, 0)") && /[1-9][\\d.]*px/.test(shadow)
  );
  return {
    label: el.matches("input") ? `#${el.id}` : el.textContent.trim(),
    width: box.width,
    height: box.height,
    onScreen: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    indicator: ring || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0),
  };
}"""


def tr(language: str, message: str, **params: str) -> str:
    """Return message as the server renders it in language."""
    with translation.override(language):
        text = gettext(message)
    if language != "en":
        assert text != message, f"no {language} text for {message!r}: run compilemessages"
    return text % params if params else text


def html(page: Page) -> Locator:
    return page.locator("html")


def searchbox(page: Page, language: str) -> Locator:
    return page.get_by_role("search").get_by_role(
        "searchbox", name=tr(language, "Search the help centre"), exact=True
    )


def home_heading(language: str) -> str:
    return tr(language, "How can %(brand)s help you?", brand=settings.BRAND_NAME)


def focused(page: Page) -> dict[str, Any]:
    """Describe the focused element; fail unless it has a size and is on screen."""
    state = page.evaluate(_FOCUSED)
    assert state["width"] > 0, state
    assert state["height"] > 0, state
    assert state["onScreen"], state
    return state


def assert_within_width(locator: Locator, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= width, box


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_shows_search_and_entry_points(open_page: OpenPage, language: str) -> None:
    page = open_page(locale=LOCALES[language])

    page.goto("/")

    expect(html(page)).to_have_attribute("lang", language)
    expect(page).to_have_title(f"{tr(language, 'Help and support')} · {settings.BRAND_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text(home_heading(language))
    expect(searchbox(page, language)).to_be_visible()
    search_button = page.get_by_role("search").get_by_role(
        "button", name=tr(language, "Search"), exact=True
    )
    expect(search_button).to_be_visible()
    for entry in ("Help centre", "My requests", "Community"):
        heading = page.get_by_role("heading", level=3, name=tr(language, entry), exact=True)
        expect(heading).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize(("start", "chosen"), [("en", "ja"), ("ja", "en")])
def test_footer_form_switches_language_and_remembers_it(
    open_page: OpenPage, start: str, chosen: str
) -> None:
    """The choice outlives the browser's Accept-Language on later visits."""
    page = open_page(locale=LOCALES[start])
    page.goto("/")
    expect(html(page)).to_have_attribute("lang", start)
    footer = page.get_by_role("contentinfo")

    footer.get_by_label(tr(start, "Language"), exact=True).select_option(
        label=NAMES_IN_MENU[chosen]
    )
    footer.get_by_role("button", name=tr(start, "Change language"), exact=True).click()

    expect(html(page)).to_have_attribute("lang", chosen)
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(home_heading(chosen))
    expect(page.get_by_text(home_heading(start), exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", level=3, name=tr(chosen, "Help centre"))).to_be_visible()
    axe_check(page)

    page.goto("/")
    expect(html(page)).to_have_attribute("lang", chosen)
    expect(page.get_by_role("heading", level=1)).to_have_text(home_heading(chosen))
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies[settings.LANGUAGE_COOKIE_NAME] == chosen


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_alone_skips_to_main_walks_the_header_and_searches(
    open_page: OpenPage, language: str
) -> None:
    """No mouse: only Tab, Enter and typing."""
    page = open_page(locale=LOCALES[language])
    page.goto("/")
    keyboard = page.keyboard

    keyboard.press("Tab")
    skip_link = focused(page)
    assert skip_link["label"] == tr(language, "Skip to main content")
    assert skip_link["indicator"], skip_link
    keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    focused(page)
    keyboard.press("Tab")
    expect(searchbox(page, language)).to_be_focused()

    page.reload()
    walk = []
    for _ in range(7):
        keyboard.press("Tab")
        state = focused(page)
        assert state["indicator"], state
        walk.append(state["label"])
    assert walk == [
        tr(language, "Skip to main content"),
        settings.BRAND_NAME,
        "#mdg-header-q",
        tr(language, "Help centre"),
        tr(language, "Sign in"),
        tr(language, "Sign up"),
        "#mdg-search-q",
    ]

    keyboard.type(SEARCHES[language])
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"\?q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == [SEARCHES[language]]
    expect(page.get_by_role("status")).to_contain_text(SEARCHES[language])
    expect(searchbox(page, language)).to_have_value(SEARCHES[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_fits_a_360px_screen(open_page: OpenPage, artifacts: Path, language: str) -> None:
    page = open_page(locale=LOCALES[language], viewport=NARROW)
    other = next(code for code in LANGUAGES if code != language)

    page.goto("/")

    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    expect(searchbox(page, language)).to_be_visible()
    assert_within_width(searchbox(page, language), NARROW["width"])
    for entry in ("Help centre", "My requests", "Community"):
        heading = page.get_by_role("heading", level=3, name=tr(language, entry), exact=True)
        expect(heading).to_be_visible()
        assert_within_width(heading, NARROW["width"])
    screenshot = artifacts / f"home-360-{language}.png"
    screenshot.unlink(missing_ok=True)
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)
    assert screenshot.stat().st_size > len(PNG_SIGNATURE)
    axe_check(page)

    footer = page.get_by_role("contentinfo")
    select = footer.get_by_label(tr(language, "Language"), exact=True)
    change = footer.get_by_role("button", name=tr(language, "Change language"), exact=True)
    for control in (select, change):
        expect(control).to_be_visible()
        assert_within_width(control, NARROW["width"])
    select.select_option(label=NAMES_IN_MENU[other])
    change.click()
    expect(html(page)).to_have_attribute("lang", other)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_signs_in_and_out_through_the_user_menu(
    open_page: OpenPage,
    live_server: LiveServer,
    alice: User,
    language: str,
) -> None:
    page = open_page(locale=LOCALES[language])
    page.goto(reverse("account_login"))
    expect(html(page)).to_have_attribute("lang", language)
    expect(page.locator("input[name=login]")).to_be_visible()
    axe_check(page)

    sign_in(page, live_server, alice)

    menu = page.locator("details.mdg-user-menu")
    expect(menu.locator("summary")).to_have_text("Alice Example")
    menu.locator("summary").click()
    sign_out = menu.get_by_role("button", name=tr(language, "Sign out"), exact=True)
    expect(sign_out).to_be_visible()
    axe_check(page)

    sign_out.click()

    expect(page.get_by_role("link", name=tr(language, "Sign in"), exact=True)).to_be_visible()
    expect(menu).to_have_count(0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_address_shows_the_404_page_with_a_way_home(
    page: Page,
    site_url: str,
    browser_log: BrowserLog,
    language: str,
) -> None:
    """English from Accept-Language; Japanese from the language cookie."""
    if language != "en":
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site_url}]
        )
    browser_log.expect_console_error("status of 404")

    response = page.goto("/no-such-page/")

    assert response is not None
    assert response.status == 404
    expect(html(page)).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Page not found"))
    expect(page.get_by_text(tr(language, "There is no page at this address."))).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=tr(language, "Go to the home page"), exact=True).click()
    expect(page).to_have_url(f"{site_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(home_heading(language))


def test_browser_time_zone_reaches_the_mdg_tz_cookie(open_page: OpenPage) -> None:
    page = open_page(timezone_id="Asia/Tokyo")

    page.goto("/")

    page.wait_for_function("() => document.cookie.includes('mdg_tz=')")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert unquote(cookies["mdg_tz"]) == "Asia/Tokyo"
