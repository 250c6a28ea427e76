"""Getting in, in a real browser, with mail read from a real SMTP server: sign-up and verification,
sign-in by password, by emailed code and by passkey, TOTP, password reset, lockout, sessions."""

import re
import time
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from tests.e2e.conftest import BrowserLog, axe_check, sign_in
from tests.factories import PASSWORD
from tests.support.smtp import RecordingHandler
from tests.support.totp import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
NEW_PASSWORD = "a long and unusual passphrase 42"
LOCALES = {"en": "en-US", "ja": "ja-JP"}
TEXT = {
    "en": {
        "sign_up": "Sign Up",
        "verify": "Verify Your Email Address",
        "confirm": "Confirm",
        "sign_in": "Sign In",
        "code_button": "Send me a sign-in code",
        "request_code": "Request Code",
        "sign_out": "Sign out",
    },
    "ja": {
        "sign_up": "ユーザー登録",
        "verify": "メールアドレスを確認してください",
        "confirm": "確認",
        "sign_in": "ログイン",
        "code_button": "ログインコードを送信",
        "request_code": "コードをリクエスト",
        "sign_out": "ログアウト",
    },
}


def mail_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def first_link(message) -> str:
    return re.search(r"https?://\S+", mail_body(message)).group(0)


def local(link: str, live_server: LiveServer) -> str:
    """The link as the browser reaches it: mail says SITE_URL, the test server is elsewhere."""
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    return f"http://localhost:{live_server.thread.port}{path}"


def expect_signed_in(page: Page, name: str) -> None:
    expect(page.locator(".mdg-user-menu > summary")).to_have_text(name)


def confirm_password(page: Page) -> None:
    """Answer allauth's "confirm access" step, asked before security settings change."""
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    axe_check(page)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def sign_out(page: Page) -> None:
    page.locator(".mdg-user-menu > summary").click()
    page.locator(".mdg-user-menu button[type=submit]").click()
    expect(page.locator(".mdg-user-menu")).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_sign_up_verify_by_mail_then_sign_in(
    open_page: OpenPage, live_server: LiveServer, smtp_server: RecordingHandler, language: str
) -> None:
    page = open_page(locale=LOCALES[language])
    page.goto(reverse("account_signup"))
    axe_check(page)
    page.locator("input[name=name]").fill("Kenji Sato")
    page.locator("input[name=email]").fill("kenji@example.com")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[language]["verify"])
    axe_check(page)
    [message] = smtp_server.messages
    assert message["To"] == "kenji@example.com"
    page.goto(local(first_link(message), live_server))
    axe_check(page)
    page.get_by_role("button", name=TEXT[language]["confirm"]).click()

    expect_signed_in(page, "Kenji Sato")
    sign_out(page)
    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill("kenji@example.com")
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect_signed_in(page, "Kenji Sato")


def test_sign_in_with_a_code_from_the_mailbox(
    page: Page, live_server: LiveServer, smtp_server: RecordingHandler, alice: User
) -> None:
    page.goto(reverse("account_login"))
    page.get_by_role("button", name=TEXT["en"]["code_button"]).click()
    axe_check(page)
    page.locator("input[name=email]").fill(alice.email)
    page.get_by_role("button", name=TEXT["en"]["request_code"]).click()

    [message] = smtp_server.messages
    code = re.search(r"^\s*([A-Z0-9][A-Z0-9-]{4,})\s*$", mail_body(message), re.MULTILINE).group(1)
    page.locator("input[name=code]").fill(code)
    axe_check(page)
    page.locator("input[name=code]").press("Enter")

    expect_signed_in(page, str(alice))


def test_password_reset_through_the_mailed_link(
    page: Page, live_server: LiveServer, smtp_server: RecordingHandler, alice: User
) -> None:
    page.goto(reverse("account_reset_password"))
    axe_check(page)
    page.locator("input[name=email]").fill(alice.email)
    page.locator("input[name=email]").press("Enter")
    expect(page).to_have_url(re.compile(r"/password/reset/done/"))

    [message] = smtp_server.messages
    page.goto(local(first_link(message), live_server))
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    axe_check(page)
    page.locator("input[name=password2]").press("Enter")
    expect(page).to_have_url(re.compile(r"/password/reset/key/done/"))

    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect_signed_in(page, str(alice))


def test_totp_enrolment_then_sign_in_asks_for_the_code(
    page: Page, live_server: LiveServer, alice: User
) -> None:
    sign_in(page, live_server, alice)
    page.goto(reverse("mfa_activate_totp"))
    confirm_password(page)
    axe_check(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("input[name=code]").press("Enter")
    expect(page).to_have_url(re.compile(r"/2fa/"))
    assert alice.authenticator_set.filter(type="totp").exists()

    sign_out(page)
    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    axe_check(page)
    # The code just used at activation is spent; the next period's is accepted (tolerance 1).
    page.locator("input[name=code]").fill(totp_code(secret, at=time.time() + 30))
    page.locator("input[name=code]").press("Enter")

    expect_signed_in(page, str(alice))


def test_passkey_enrolment_then_passwordless_sign_in(
    page: Page, live_server: LiveServer, alice: User
) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, live_server, alice)
    page.goto(reverse("mfa_add_webauthn"))
    confirm_password(page)
    axe_check(page)
    page.locator("input[name=name]").fill("Laptop")
    page.locator("input[name=passwordless]").check()
    page.locator("#mfa_webauthn_add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert alice.authenticator_set.filter(type="webauthn").exists()

    sign_out(page)
    page.goto(reverse("account_login"))
    page.locator("#passkey_login").click()

    expect_signed_in(page, str(alice))


def test_repeated_failures_lock_the_address_out(
    page: Page, alice: User, browser_log: BrowserLog
) -> None:
    browser_log.expect_console_error("status of 429 (Too Many Requests)")
    page.goto(reverse("account_login"))
    for _ in range(5):
        page.locator("input[name=login]").fill(alice.email)
        page.locator("input[name=password]").fill("wrong password")
        with page.expect_navigation():
            page.locator("input[name=password]").press("Enter")
        expect(page.get_by_text("The email address and/or password you specified")).to_be_visible()

    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")

    expect(page.get_by_text("Too many failed login attempts")).to_be_visible()
    expect(page.locator(".mdg-user-menu")).to_have_count(0)


def test_signing_out_other_sessions_from_the_sessions_page(
    open_page: OpenPage, live_server: LiveServer, alice: User
) -> None:
    laptop = open_page(user_agent="Mozilla/5.0 (Laptop) Chromium")
    phone = open_page(viewport={"width": 360, "height": 740}, user_agent="Mozilla/5.0 (Phone)")
    tablet = open_page(viewport={"width": 800, "height": 1000}, user_agent="Mozilla/5.0 (Tablet)")
    for device in (laptop, phone, tablet):
        sign_in(device, live_server, alice)

    laptop.goto(reverse("usersessions_list"))
    axe_check(laptop)
    expect(laptop.locator("table tbody tr")).to_have_count(3)
    laptop.locator("table tbody tr").filter(has_text="(Phone)").get_by_role("button").click()
    expect(laptop.locator("table tbody tr")).to_have_count(2)
    phone.goto(reverse("core:home"))
    expect(phone.locator(".mdg-user-menu")).to_have_count(0)

    laptop.get_by_role("button", name="Sign Out Other Sessions").click()
    tablet.goto(reverse("core:home"))
    expect(tablet.locator(".mdg-user-menu")).to_have_count(0)
    laptop.goto(reverse("core:home"))
    expect_signed_in(laptop, str(alice))


SIGNED_OUT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_request_login_code",
]
SIGNED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "mfa_index",
    "usersessions_list",
    "mfa_activate_totp",
    "mfa_add_webauthn",
]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_account_pages_pass_axe_and_fit_a_phone(
    open_page: OpenPage, live_server: LiveServer, alice: User, language: str
) -> None:
    page = open_page(locale=LOCALES[language], viewport={"width": 360, "height": 740})

    def check(name: str) -> None:
        page.goto(reverse(name))
        expect(page.locator("html")).to_have_attribute("lang", language)
        axe_check(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} is {width}px wide at 360px ({language})"

    for name in SIGNED_OUT_PAGES:
        check(name)
    sign_in(page, live_server, alice)
    page.goto(reverse("mfa_activate_totp"))
    confirm_password(page)
    for name in SIGNED_IN_PAGES:
        check(name)
