"""Images in the conversation: a message shows the images it names among its own files, on the
page for whoever may see the file, as a link in mail, and from HTML mail's cid: images."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import User
from madoguchi.core.models import AuditEvent
from madoguchi.tickets import services
from madoguchi.tickets.models import Message, Ticket
from madoguchi.tickets.services import NewReply
from tests.factories import image_bytes, make_ticket

pytestmark = pytest.mark.django_db
PNG = image_bytes("PNG")
PDF = b"%PDF-1.7\n" + b"x" * 64


@pytest.fixture
def ticket(alice: User) -> Ticket:
    return make_ticket(alice)


def _reply(ticket: Ticket, author: User, body: str, *files: tuple[str, bytes]) -> Message:
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return services.reply_add(ticket, NewReply(author=author, body=body, files=uploads))


def test_a_reply_shows_the_image_it_names(ticket: Ticket, dave: User) -> None:
    message = _reply(ticket, dave, "See ![the setting](setting.png).", ("setting.png", PNG))

    (image,) = message.attachments.all()
    address = reverse("tickets:attachment", args=[ticket.pk, image.pk])
    assert f'<img src="{address}" alt="the setting">' in message.body_html
    assert message.body == "See ![the setting](setting.png)."  # what was typed is kept


def test_only_images_of_the_same_message_are_shown(ticket: Ticket, alice: User, dave: User) -> None:
    earlier = _reply(ticket, dave, "A file", ("old.png", PNG)).attachments.get()
    other = _reply(make_ticket(alice), dave, "Elsewhere", ("other.png", PNG)).attachments.get()
    body = (
        "![a](old.png) ![b](report.pdf) ![c](missing.png) "
        f"![d]({reverse('tickets:attachment', args=[other.ticket_id, other.pk])}) "
        f"![e]({reverse('tickets:attachment', args=[ticket.pk, earlier.pk])})"
    )

    message = _reply(ticket, dave, body, ("report.pdf", PDF))

    assert "<img" not in message.body_html
    assert all(word in message.body_html for word in "abcde")


def test_the_customer_page_shows_the_image_and_the_image_opens(
    client: Client, ticket: Ticket, alice: User, carol: User, dave: User
) -> None:
    _reply(ticket, dave, "![画面](画面.png)", ("画面.png", PNG))
    client.force_login(alice)

    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()

    (src,) = re.findall(r'<img src="([^"]+)" alt="画面">', page)
    assert client.get(src).status_code == 200
    client.force_login(carol)  # another organisation's customer
    assert client.get(src).status_code == 404


def test_the_reply_mail_links_the_image_instead_of_showing_it(ticket: Ticket, dave: User) -> None:
    mail.outbox.clear()

    message = _reply(ticket, dave, "![the setting](setting.png)", ("setting.png", PNG))

    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    image = message.attachments.get()
    assert "<img" not in html
    link = reverse("tickets:attachment", args=[ticket.pk, image.pk])
    assert re.search(rf'<a href="http://[^"]+{re.escape(link)}"[^>]*>the setting</a>', html)


def test_an_image_shown_in_the_thread_is_audited_once_an_hour_a_download_each_time(
    client: Client, ticket: Ticket, alice: User, dave: User
) -> None:
    image = _reply(ticket, dave, "![x](x.png)", ("x.png", PNG)).attachments.get()
    url = reverse("tickets:attachment", args=[ticket.pk, image.pk])
    client.force_login(alice)

    for _view in range(3):
        assert client.get(url, headers={"sec-fetch-dest": "image"}).status_code == 200
    shown = AuditEvent.objects.filter(action="ticket.attachment.downloaded").count()
    for _download in range(2):
        client.get(url, headers={"sec-fetch-dest": "document"})

    assert shown == 1
    assert AuditEvent.objects.filter(action="ticket.attachment.downloaded").count() == 3
