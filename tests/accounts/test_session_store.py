from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from madoguchi.accounts.session_store import SessionStore

pytestmark = pytest.mark.django_db


def _saved_session() -> str:
    session = SessionStore()
    session["colour"] = "blue"
    session.create()
    return session.session_key


def test_loads_a_saved_session():
    key = _saved_session()

    session = SessionStore(key)

    assert session["colour"] == "blue"
    assert session.session_key == key


def test_an_expired_session_is_empty_and_gets_a_new_key():
    key = _saved_session()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))

    session = SessionStore(key)

    assert "colour" not in session
    assert session.session_key is None


def test_an_unknown_key_is_an_empty_session():
    session = SessionStore("x" * 32)

    assert dict(session.items()) == {}
    assert session.session_key is None


def test_a_deleted_session_is_gone_at_once():
    key = _saved_session()
    SessionStore(key).delete()

    assert "colour" not in SessionStore(key)
