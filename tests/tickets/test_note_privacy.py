"""What customers must never get: an agent's internal note (on the page, by mail, through the API)
and another organisation's files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Notification, User
from madoguchi.tickets import services
from madoguchi.tickets.models import Attachment, Message
from madoguchi.tickets.services import NewReply
from tests.factories import make_ticket
from tests.support.smtp import RecordingHandler, plain_body

pytestmark = pytest.mark.django_db
CANARY = "CANARY-note-7f3a"


def _everything_mailed(handler: RecordingHandler) -> str:
    parts = []
    for message in handler.messages:
        parts.append(str(message["Subject"]))
        parts.append(plain_body(message))
        parts.append(message.get_body(preferencelist=("html",)).get_content())
        parts.extend(part.get_filename() or "" for part in message.iter_attachments())
    return "\n".join(parts)


def test_an_internal_note_reaches_no_customer_on_the_page_by_mail_or_through_the_api(
    client: Client, alice: User, bob: User, dave: User, smtp_server: RecordingHandler
) -> None:
    ticket = make_ticket(alice)
    client.force_login(dave)
    client.post(
        reverse("agent:detail", args=[ticket.pk]),
        {
            "reply": "1",
            "body": f"{CANARY} the customer is on a trial licence",
            "internal": "on",
            "files": [SimpleUploadedFile(f"{CANARY}.txt", b"server log")],
        },
    )
    # A public answer after the note: every customer-facing channel is exercised.
    client.post(reverse("agent:detail", args=[ticket.pk]), {"reply": "1", "body": "Fixed."})
    note = Message.objects.get(is_internal=True)
    assert CANARY in note.body
    note_file = Attachment.objects.get(message=note)
    assert [m.body for m in ticket.messages.filter(is_internal=False)][-1] == "Fixed."

    for customer in (alice, bob):  # the requester and the organisation's admin
        client.force_login(customer)
        page = client.get(reverse("tickets:detail", args=[ticket.pk]))
        api_detail = client.get(f"/api/v1/requests/{ticket.pk}")
        api_thread = client.get(f"/api/v1/requests/{ticket.pk}/messages")
        file_url = reverse("tickets:attachment", args=[ticket.pk, note_file.pk])
        assert page.status_code == api_detail.status_code == api_thread.status_code == 200
        assert "Fixed." in page.content.decode()
        for body in (page.content, api_detail.content, api_thread.content):
            assert CANARY not in body.decode()
        assert client.get(file_url).status_code == 404
    assert smtp_server.messages, "the public answer was mailed"
    assert CANARY not in _everything_mailed(smtp_server)
    notices = Notification.objects.filter(recipient__in=[alice, bob])
    assert CANARY not in " ".join(str(vars(n)) for n in notices)

    client.force_login(dave)  # agents do see it
    assert CANARY in client.get(reverse("agent:detail", args=[ticket.pk])).content.decode()


def test_another_organisations_file_is_404_on_its_own_request(
    client: Client, alice: User, carol: User
) -> None:
    theirs = make_ticket(carol)
    reply = NewReply(author=carol, body="scan", files=[SimpleUploadedFile("見積書.txt", b"secret")])
    attachment = services.reply_add(theirs, reply).attachments.get()
    url = reverse("tickets:attachment", args=[theirs.pk, attachment.pk])
    client.force_login(alice)

    assert client.get(url).status_code == 404
    for method in (
        client.head,
        client.post,
        client.delete,
    ):  # the route only reads: refused either way
        response = method(url)
        assert response.status_code in {404, 405}
        assert b"secret" not in response.content
    api = client.get(f"/api/v1/requests/{theirs.pk}/messages")
    assert api.status_code == 404
    assert api["Content-Type"].startswith("application/json")
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    client.force_login(carol)
    assert client.get(url).status_code == 200
