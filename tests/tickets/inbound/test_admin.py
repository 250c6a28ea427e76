"""The quarantine in the admin: admins read the raw mail, release it or delete it (R38)."""

from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.branding.services import default_brand
from madoguchi.tickets.models import BrandMailbox, InboundMail
from tests.tickets.inbound.mails import raw_mail

CHANGELIST = "admin:tickets_inboundmail_changelist"


def quarantined(deliver) -> InboundMail:
    BrandMailbox.objects.create(
        brand=default_brand(), address="support@localhost", unknown_senders="quarantine"
    )
    mail = deliver(raw_mail(sender="zoe@new.example", body="<b>hello</b> from Zoe"))
    assert mail.status == InboundMail.Status.QUARANTINED
    return mail


def test_admin_lists_and_reads_quarantined_mail(client: Client, deliver, erin: User) -> None:
    mail = quarantined(deliver)
    client.force_login(erin)

    listing = client.get(reverse(CHANGELIST), {"status__exact": "quarantined"})
    detail = client.get(reverse("admin:tickets_inboundmail_change", args=[mail.pk]))

    assert "zoe@new.example" in listing.content.decode()
    page = detail.content.decode()
    assert "&lt;b&gt;hello&lt;/b&gt; from Zoe" in page
    assert reverse("agent:inbound-raw", args=[mail.pk]) in page


def test_release_processes_the_mail_again(client: Client, deliver, erin: User) -> None:
    mail = quarantined(deliver)
    client.force_login(erin)

    client.post(reverse(CHANGELIST), {"action": "release", "_selected_action": [mail.pk]})

    mail.refresh_from_db()
    assert mail.status == InboundMail.Status.TICKET
    assert mail.ticket.requester.email == "zoe@new.example"


def test_delete_removes_the_mail_and_its_raw_file(
    client: Client, deliver, erin: User, django_capture_on_commit_callbacks
) -> None:
    mail = quarantined(deliver)
    storage, name = mail.raw.storage, mail.raw.name
    client.force_login(erin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(CHANGELIST),
            {"action": "delete_selected", "_selected_action": [mail.pk], "post": "yes"},
        )

    assert not InboundMail.objects.filter(pk=mail.pk).exists()
    assert not storage.exists(name)


def test_agents_without_admin_rights_cannot_reach_the_quarantine(
    client: Client, deliver, dave: User
) -> None:
    quarantined(deliver)
    client.force_login(dave)

    assert client.get(reverse(CHANGELIST)).status_code in {302, 403}
