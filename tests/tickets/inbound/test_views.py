"""The raw message download: admins read any received mail, agents the mail of their requests."""

from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.tickets.models import InboundMail
from tests.tickets.inbound.mails import raw_mail


def test_agent_downloads_the_raw_mail_of_a_request(deliver, alice: User, dave: User) -> None:
    raw = raw_mail(body="<script>alert(1)</script> plain")
    mail = deliver(raw)
    client = Client()
    client.force_login(dave)

    response = client.get(reverse("agent:inbound-raw", args=[mail.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == raw
    assert response["Content-Disposition"] == f'attachment; filename="mail-{mail.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Cache-Control"] == "private, no-store"


def test_quarantined_mail_is_for_admins_only(deliver, dave: User, erin: User) -> None:
    mail = deliver(raw_mail(sender="undisclosed-recipients:;"))
    url = reverse("agent:inbound-raw", args=[mail.pk])
    agent, admin = Client(), Client()
    agent.force_login(dave)
    admin.force_login(erin)

    assert mail.status == InboundMail.Status.QUARANTINED
    assert agent.get(url).status_code == 404
    assert admin.get(url).status_code == 200


def test_agent_page_links_the_original_mail(deliver, alice: User, dave: User) -> None:
    mail = deliver(raw_mail())
    client = Client()
    client.force_login(dave)

    page = client.get(reverse("agent:detail", args=[mail.ticket_id])).content.decode()

    assert reverse("agent:inbound-raw", args=[mail.pk]) in page
