"""Admin security in a real browser: deactivating a signed-in person, and required MFA."""

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import Organisation, User
from madoguchi.core.models import AuditEvent
from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.test_accounts import confirm_password, expect_signed_in
from tests.factories import PASSWORD
from tests.support.totp import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]


def test_an_admin_deactivates_a_signed_in_person(
    open_page: OpenPage, live_server: LiveServer, erin: User, alice: User
) -> None:
    alices_page = open_page()
    sign_in(alices_page, live_server, alice)
    admin_page = open_page()
    sign_in(admin_page, live_server, erin)

    admin_page.goto(reverse("admin:accounts_user_changelist"))
    admin_page.locator(f"input[name=_selected_action][value='{alice.pk}']").check()
    admin_page.locator("select[name=action]").select_option("deactivate_users")
    admin_page.locator("button[name=index]").click()
    expect(
        admin_page.get_by_text("cannot sign in until the account is reactivated")
    ).to_be_visible()
    axe_check(admin_page)
    admin_page.get_by_role("button", name="Yes, deactivate").click()
    expect(admin_page.get_by_text("1 account was deactivated.")).to_be_visible()

    alices_page.reload()
    expect(alices_page.locator(".mdg-user-menu")).to_have_count(0)
    alices_page.goto(reverse("account_login"))
    alices_page.locator("input[name=login]").fill(alice.email)
    alices_page.locator("input[name=password]").fill(PASSWORD)
    alices_page.locator("input[name=password]").press("Enter")
    expect(alices_page.locator(".mdg-user-menu")).to_have_count(0)
    assert AuditEvent.objects.filter(action="admin.user.deactivated").count() == 1


def test_a_member_of_a_strict_organisation_enrols_then_reaches_the_portal(
    open_page: OpenPage, live_server: LiveServer, alice: User, org_a: Organisation
) -> None:
    org_a.require_mfa = True
    org_a.save()
    page = open_page(viewport={"width": 360, "height": 740})

    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    confirm_password(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("alert")).to_contain_text("Two-factor authentication is required")
    axe_check(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("input[name=code]").press("Enter")
    expect(page).to_have_url(re.compile(r"/2fa/"))

    page.goto(reverse("core:home"))
    expect(page).to_have_url(re.compile(r"/$"))
    expect_signed_in(page, str(alice))
    expect(page.get_by_role("alert")).to_have_count(0)
