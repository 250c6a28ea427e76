"""SLA timers in a real browser: the badges in the queue and the countdown that keeps itself
current (sla-countdown.js), checked with axe in both languages."""

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from madoguchi.tickets.models import SlaPolicy
from tests.e2e.conftest import axe_check, localhost_url, sign_in
from tests.e2e.test_accounts import LOCALES
from tests.factories import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]
TEXT = {
    "en": {
        "at_risk": "SLA at risk",
        "left": "left",
        "overdue": "overdue",
        "state": "At risk",
        "breached": "Breached",
    },
    "ja": {
        "at_risk": "SLA 期限間近",
        "left": "残り",
        "overdue": "超過",
        "state": "期限間近",
        "breached": "期限超過",
    },
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_countdown_turns_from_time_left_to_overdue(
    *, open_page: OpenPage, live_server: LiveServer, alice: User, dave: User, language: str
) -> None:
    text = TEXT[language]
    SlaPolicy.objects.create(name_en="Standard", first_response_minutes=60)
    with time_machine.travel(timezone.now() - timedelta(minutes=50), tick=False):
        ticket = make_ticket(alice, subject="Printer on fire")
    page = open_page(locale=LOCALES[language])
    page.clock.install()
    sign_in(page, live_server, dave)

    page.goto(localhost_url(live_server) + reverse("agent:queue"))
    page.get_by_role("link", name=text["at_risk"]).click()
    row = page.get_by_role("row").filter(has_text="Printer on fire")
    expect(row.locator(".mdg-sla strong")).to_have_text(text["state"])
    timer = row.locator("time[data-mdg-countdown]")
    expect(timer).to_contain_text(text["left"])
    axe_check(page)

    page.clock.fast_forward("20:00")
    expect(timer).to_contain_text(text["overdue"])
    expect(row.locator(".mdg-sla-breached strong")).to_have_text(text["breached"])

    # The browser's clock stays 20 minutes ahead: the script corrects the server's "left".
    page.goto(localhost_url(live_server) + reverse("agent:detail", args=[ticket.pk]))
    targets = page.locator(".mdg-sla-targets time[data-mdg-countdown]")
    expect(targets).to_contain_text(text["overdue"])
    axe_check(page)
