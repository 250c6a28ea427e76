"""Agents' knowledge-base pages: the knowledge-gap report."""

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import User
from madoguchi.branding.models import Brand
from madoguchi.search.models import SearchLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyword_search_only")]


def test_gap_report_lists_zero_result_searches_grouped(client: Client, dave: User) -> None:
    for query in ("printer jammed", "Printer jammed", "jammed printers"):
        client.get("/en/search/", {"q": query})
    client.force_login(dave)
    for prefix, heading in (("en", "Searches that found nothing"), ("ja", "結果のなかった検索")):
        page = client.get("/agent/kb/gaps/", headers={"accept-language": prefix})
        assert page.status_code == 200
        assert heading in page.text
    assert "printer jammed" in page.text
    assert "jammed printers" in page.text  # the other wording, in the same row
    assert "?title=printer%20jammed&amp;language=en" in page.text
    assert SearchLog.objects.count() == 3


def test_gap_report_shows_the_searches_of_its_own_brand(
    client: Client, dave: User, settings: Settings
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    Brand.objects.create(name="Other", host="other.example")
    client.get("/en/search/", {"q": "printer jammed"})
    client.get("/en/search/", {"q": "zanzibar voucher"}, headers={"host": "other.example"})
    client.force_login(dave)

    ours = client.get("/agent/kb/gaps/").text
    theirs = client.get("/agent/kb/gaps/", headers={"host": "other.example"}).text

    assert "printer jammed" in ours
    assert "zanzibar voucher" not in ours
    assert "zanzibar voucher" in theirs


def test_gap_report_escapes_queries(client: Client, dave: User) -> None:
    client.get("/en/search/", {"q": "<script>alert(1)</script>"})
    client.force_login(dave)
    assert "<script>alert(1)" not in client.get("/agent/kb/gaps/").text


def test_gap_report_is_for_staff_only(client: Client, alice: User) -> None:
    assert client.get("/agent/kb/gaps/").status_code == 302
    client.force_login(alice)
    assert client.get("/agent/kb/gaps/").status_code == 404
