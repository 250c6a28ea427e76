import pytest
from django.test import RequestFactory, override_settings

from madoguchi.core import audit
from madoguchi.core.models import AuditEvent, AuditLogIsAppendOnlyError

pytestmark = pytest.mark.django_db


def test_record_takes_actor_ip_agent_and_request_id_from_the_request(
    rf: RequestFactory, alice, bob
) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/140")
    request.user = alice
    request.request_id = "abc123"

    event = audit.record("organisation.member.removed", request=request, target=bob, data={"x": 1})

    event.refresh_from_db()
    assert event.actor == alice
    assert alice.email in event.actor_label
    assert event.target_type == "accounts.user"
    assert event.target_id == str(bob.pk)
    assert bob.email in event.target_label
    assert event.ip == "203.0.113.9"
    assert event.user_agent == "Firefox/140"
    assert event.request_id == "abc123"
    assert event.data == {"x": 1}


def test_labels_outlive_the_actor(alice) -> None:
    event = audit.record("auth.login", actor=alice)

    alice.delete()

    event.refresh_from_db()
    assert event.actor is None
    assert alice.email in event.actor_label


def test_events_cannot_be_changed_or_deleted(alice) -> None:
    event = audit.record("auth.login", actor=alice)

    event.action = "something.else"
    with pytest.raises(AuditLogIsAppendOnlyError):
        event.save()
    with pytest.raises(AuditLogIsAppendOnlyError):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditLogIsAppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_forwarded_address_is_used(rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")

    assert audit.record("auth.login.failed", request=request).ip == "203.0.113.7"


def test_without_trusted_proxies_a_forged_forwarded_header_is_ignored(rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert audit.record("auth.login.failed", request=request).ip == "203.0.113.9"
