"""Browser fixtures: one Chromium for the e2e package, a fresh context per test, axe and sign-in.

Playwright's sync API keeps an asyncio loop marked as running in the main thread while it is
started. So the browser lives for this package only (not the whole session): later async tests
need a thread with no running loop, and DJANGO_ALLOW_ASYNC_UNSAFE is set only while it lives.
"""

import contextlib
import functools
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    WebError,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from tests.factories import PASSWORD
from tests.support.processes import child_environment, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VENDOR = Path(__file__).resolve().parent / "vendor"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}
# Generous: on a loaded 2-core CI machine a sign-in (password hashing) has taken over 10 s.
TIMEOUT_MS = 30_000
ASGI_START_SECONDS = 30
WSGI_WEBSOCKET_REFUSED = "Error during WebSocket handshake: Unexpected response code: 404"

# Runs before the page's own scripts, through DevTools, so the page's CSP does not block it.
# Violations are kept on the window and also reported to Python, because a navigation drops the
# window and its list.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    document: event.documentURI,
    key: `${performance.timeOrigin}:${window.__cspViolations.length}`,
  };
  window.__cspViolations.push(violation);
  if (typeof window.__mdgReportCspViolation === "function") {
    window.__mdgReportCspViolation(violation);
  }
});
"""


@dataclass
class BrowserLog:
    """What the pages of one test reported: console errors, uncaught errors, CSP violations."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected_console_fragments: list[str] = field(default_factory=list)

    def expect_console_error(self, fragment: str) -> None:
        """Accept console errors containing fragment, such as the log line of an expected 404."""
        self.expected_console_fragments.append(fragment)

    def unexpected_console_errors(self) -> list[str]:
        return [
            line
            for line in self.console_errors
            if not any(fragment in line for fragment in self.expected_console_fragments)
        ]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Start Debian's Chromium once for the e2e package; never a downloaded browser."""
    if not CHROMIUM.exists():
        message = (
            f"!!! BROWSER TESTS DID NOT RUN: {CHROMIUM} is missing. Install Debian's `chromium` "
            "package (never `playwright install`). The portal's journeys are untested here. !!!"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI is set, so a missing browser is a failure.", pytrace=False)
        pytest.skip(message)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's loop looks like a running event loop to Django's async-safety check.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def localhost_url(live_server: LiveServer) -> str:
    """Return the live server's base URL on the host name localhost, which WebAuthn requires."""
    return f"http://localhost:{live_server.thread.port}"


@pytest.fixture
def site_url(live_server: LiveServer) -> str:
    return localhost_url(live_server)


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


def _expect_refused_websockets_on_wsgi(log: BrowserLog, base_url: str, site_url: str) -> None:
    # pytest-django's live server speaks WSGI: pages that open a WebSocket (the agent's live
    # indicator) get a 404 there. Tests of WebSockets use asgi_url, where this is not accepted.
    if base_url == site_url:
        log.expect_console_error(WSGI_WEBSOCKET_REFUSED)


@pytest.fixture
def open_page(
    browser: Browser, site_url: str, browser_log: BrowserLog
) -> Iterator[Callable[..., Page]]:
    """Return a function opening a page in a new context (en-US, 1280x800 unless overridden).

    Relative URLs resolve against the live server. At teardown, fail on any CSP violation, any
    uncaught page error, and any console error the test did not declare as expected.
    """
    contexts: list[BrowserContext] = []

    def record_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser_log.console_errors.append(f"{message.text} at {message.location['url']}")

    def record_page_error(error: WebError) -> None:
        browser_log.page_errors.append(str(error.error))

    def record_csp(_source: object, violation: dict[str, Any]) -> None:
        browser_log.csp_violations[violation["key"]] = violation

    def open_(**options: Any) -> Page:
        defaults = {
            "locale": "en-US",
            "viewport": {"width": 1280, "height": 800},
            "base_url": site_url,
        }
        settings_ = {**defaults, **options}
        _expect_refused_websockets_on_wsgi(browser_log, settings_["base_url"], site_url)
        context = browser.new_context(**settings_)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.expose_binding("__mdgReportCspViolation", record_csp)
        context.add_init_script(_CSP_LISTENER)
        context.on("console", record_console)
        context.on("weberror", record_page_error)
        return context.new_page()

    yield open_

    try:
        for context in contexts:
            for page in context.pages:
                for violation in page.evaluate("window.__cspViolations || []"):
                    browser_log.csp_violations[violation["key"]] = violation
    finally:
        for context in contexts:
            context.close()
    violations = list(browser_log.csp_violations.values())
    assert violations == [], "CSP violations:\n" + json.dumps(violations, indent=2)
    assert browser_log.page_errors == [], "Uncaught page errors: " + repr(browser_log.page_errors)
    unexpected = browser_log.unexpected_console_errors()
    assert unexpected == [], "Console errors: " + repr(unexpected)


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A page in a fresh context: en-US, 1280x800."""
    return open_page()


@functools.cache
def _axe_source() -> str:
    scripts = sorted(VENDOR.glob("axe-*.min.js"))
    if len(scripts) != 1:
        pytest.fail(f"expected one vendored axe-core in {VENDOR}, found {scripts}", pytrace=False)
    return scripts[0].read_text(encoding="utf-8")


def _describe_violation(violation: dict[str, Any]) -> str:
    targets = [json.dumps(node["target"], ensure_ascii=False) for node in violation["nodes"][:3]]
    return (
        f"- {violation['id']} [{violation['impact']}] {violation['help']} "
        f"({violation['helpUrl']})\n    at {'; '.join(targets)}"
    )


def axe_check(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    axe goes in through evaluate, which the page's CSP does not govern (an inline script tag
    would be refused). Every violation is printed; only serious and critical ones fail.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "(options) => axe.run(document, options)",
        {"runOnly": AXE_TAGS, "resultTypes": ["violations"]},
    )
    where = f"{page.url} (lang={page.locator('html').get_attribute('lang')})"
    violations = results["violations"]
    for violation in violations:
        print(f"axe on {where}:\n{_describe_violation(violation)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        details = "\n".join(_describe_violation(v) for v in blocking)
        pytest.fail(f"axe found serious problems on {where}:\n{details}", pytrace=False)


def sign_in(page: Page, live_server: LiveServer, user: User) -> None:
    """Sign the user in through the real allauth login form, and wait for the user menu."""
    sign_in_at(page, localhost_url(live_server), user)


def sign_in_at(page: Page, base_url: str, user: User) -> None:
    """Sign in on the server at base_url (the live server, or the ASGI server)."""
    page.goto(base_url + reverse("account_login"))
    page.locator("input[name=login]").fill(user.email)
    password = page.locator("input[name=password]")
    password.fill(PASSWORD)
    password.press("Enter")
    expect(page.locator(".mdg-user-menu > summary")).to_have_text(str(user))


@pytest.fixture
def asgi_url(tmp_path: Path) -> Iterator[str]:
    """Serve the real ASGI application (pages and WebSockets) with uvicorn on the test database.

    pytest-django's live server speaks WSGI only, which has no WebSockets. The server is a child
    process (one worker, so the in-memory channel layer of a Redis-less test run is shared by
    every socket); tests using it need django_db(transaction=True) so it sees their data.
    """
    with _asgi_server(tmp_path / "uvicorn.log") as url:
        yield url


@pytest.fixture
def asgi_nodes(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two app nodes sharing the Redis channel layer when REDIS_URL is set; else one, twice."""
    with _asgi_server(tmp_path / "node1.log") as first:
        if not settings.REDIS_URL:
            yield first, first
            return
        with _asgi_server(tmp_path / "node2.log") as second:
            yield first, second


@contextlib.contextmanager
def _asgi_server(log_path: Path) -> Iterator[str]:
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "madoguchi.asgi:application",
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log"],
            cwd=settings.BASE_DIR, env=child_environment(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_for_http(f"http://127.0.0.1:{port}/healthz/live", process, log_path)
            yield f"http://localhost:{port}"
        finally:
            process.terminate()
            process.wait(timeout=ASGI_START_SECONDS)


def _wait_for_http(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + ASGI_START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the ASGI server did not start:\n{log_path.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The git-ignored folder for screenshots a person may want to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
