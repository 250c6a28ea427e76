"""The rows of "My activity" and of the agent's queue, written by template tags."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from madoguchi.accounts.models import Organisation, User
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.templatetags.request_rows import activity_rows, queue_rows
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


def _ticket(requester: User, **changes: object) -> Ticket:
    ticket = make_ticket(requester, subject="<b>Broken</b> & bent")
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=MOMENT, **changes)
    return Ticket.objects.select_related("requester", "organisation", "assignee").get(pk=ticket.pk)


def test_activity_rows_link_escape_and_show_the_status_and_requester(alice: User) -> None:
    ticket = _ticket(alice)

    row = activity_rows([ticket])

    assert row.startswith(f"<tr><td>{ticket.number}</td>")
    assert f'<a href="/requests/{ticket.pk}/">&lt;b&gt;Broken&lt;/b&gt; &amp; bent</a>' in row
    assert f"<td>{ticket.get_status_display()}</td><td>Alice Example</td>" in row
    assert "<small>" not in row


def test_activity_rows_say_when_a_request_waits_for_approval_in_japanese(alice: User) -> None:
    ticket = _ticket(alice, approval=Ticket.Approval.PENDING)

    with translation.override("ja"):
        row = activity_rows([ticket])

    assert "<td>新規<br><small>組織の管理者の承認待ち</small></td>" in row


def test_rows_show_the_time_in_the_readers_time_zone(alice: User) -> None:
    ticket = _ticket(alice)

    with timezone.override("Asia/Tokyo"), translation.override("en"):
        row = activity_rows([ticket])

    assert '<time datetime="2026-11-24T12:30:00+09:00">11/24/2026 12:30 p.m.</time>' in row


def test_queue_rows_select_box_organisation_assignee_and_sla(
    alice: User, dave: User, org_a: Organisation
) -> None:
    unassigned = _ticket(alice)
    due = timezone.now() + timedelta(hours=3)
    assigned = _ticket(alice, assignee=dave, sla_due_at=due)

    with translation.override("ja"):
        rows = queue_rows([unassigned, assigned]).split("\n")

    assert len(rows) == 2
    first, second = rows
    assert first.startswith(
        f'<tr><td><input type="checkbox" name="tickets" value="{unassigned.pk}" '
        f'aria-label="リクエスト {unassigned.number} を選択"></td>'
    )
    assert f'<a href="/agent/requests/{unassigned.pk}/">' in first
    assert f"Alice Example<br><small>{org_a.name}</small>" in first
    assert "<td>—</td>" in first
    assert first.endswith("<td></td></tr>")
    assert f"<td>{dave}</td>" in second
    assert f'<span class="mdg-sla mdg-sla-{assigned.sla_state}">' in second
