"""Mail written by the worker: writers named, instances read again, nothing lost or doubled."""

import logging

import pytest
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.tasks.base import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from madoguchi.accounts.models import User
from madoguchi.core import later_mail
from madoguchi.core.later_mail import LaterMail
from madoguchi.core.mail import enqueue_later, mails_together
from tests.factories import make_user
from tests.support.smtp import RecordingHandler
from tests.support.worker import RunClaimed

pytestmark = pytest.mark.django_db


@later_mail.writer
def _greeting(recipient: User, words: dict[str, str]) -> EmailMessage | None:
    if not recipient.is_active:
        return None
    return EmailMessage(subject=f"{words['hello']} {recipient.name}", to=[recipient.email])


def _unregistered(recipient: User) -> EmailMessage:
    return EmailMessage(subject="never", to=[recipient.email])


def _written(mails: list[LaterMail]) -> list[tuple[str, EmailMessage]]:
    return list(later_mail.written(later_mail.serialised(mails)))


def test_the_worker_reads_the_instance_again_and_keeps_plain_values() -> None:
    person = make_user("mika@example.com", name="Mika")
    queued = later_mail.serialised(
        [LaterMail(_greeting, {"recipient": person, "words": {"hello": "Hi"}})]
    )
    User.objects.filter(pk=person.pk).update(name="Mika Sato")

    ((_key, message),) = later_mail.written(queued)

    assert (message.subject, message.to) == ("Hi Mika Sato", ["mika@example.com"])


def test_a_given_key_is_kept_and_a_missing_one_is_chosen_once_for_every_retry() -> None:
    person = make_user("mika@example.com")
    words = {"hello": "Hi"}
    queued = later_mail.serialised(
        [
            LaterMail(_greeting, {"recipient": person, "words": words}, key="welcome-1"),
            LaterMail(_greeting, {"recipient": person, "words": words}),
        ]
    )

    first = [key for key, _message in later_mail.written(queued)]
    again = [key for key, _message in later_mail.written(queued)]

    assert first[0] == "welcome-1"
    assert first == again


def test_a_mail_about_something_deleted_since_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    gone, kept = make_user("gone@example.com"), make_user("kept@example.com")
    words = {"hello": "Hi"}
    queued = later_mail.serialised(
        [
            LaterMail(_greeting, {"recipient": gone, "words": words}, key="to-gone"),
            LaterMail(_greeting, {"recipient": kept, "words": words}, key="to-kept"),
        ]
    )
    gone.delete()

    with caplog.at_level(logging.INFO, logger="madoguchi.mail"):
        written = [key for key, _message in later_mail.written(queued)]

    assert written == ["to-kept"]
    assert "to-gone" in caplog.text


def test_a_writer_may_decline() -> None:
    person = make_user("mika@example.com", is_active=False)

    assert _written([LaterMail(_greeting, {"recipient": person, "words": {"hello": "Hi"}})]) == []


def test_what_the_worker_could_not_write_is_refused_when_queued() -> None:
    person = make_user("mika@example.com")

    with pytest.raises(ValueError, match="@writer"):
        later_mail.serialised([LaterMail(_unregistered, {"recipient": person})])
    with pytest.raises(ValueError, match="unsaved"):
        later_mail.serialised([LaterMail(_greeting, {"recipient": User(email="new@example.com")})])
    with pytest.raises(TypeError):
        enqueue_later([LaterMail(_greeting, {"recipient": person, "words": {1j}})])


def test_an_unknown_writer_name_is_a_clear_error() -> None:
    entry = {"writer": "madoguchi.core.later_mail:no_such_writer", "arguments": {}, "key": "k"}

    with pytest.raises(LookupError, match="no_such_writer"):
        list(later_mail.written([entry]))


@pytest.mark.usefixtures("db_task_backend")
def test_queued_mails_are_one_task_whose_run_sends_each_once(
    run_claimed: RunClaimed, smtp_server: RecordingHandler
) -> None:
    people = [make_user(f"p{n}@example.com", name=f"P{n}") for n in range(3)]
    words = {"hello": "こんにちは"}
    enqueue_later([LaterMail(_greeting, {"recipient": p, "words": words}) for p in people])
    (writing,) = DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.write_mails_task")

    assert run_claimed(writing.pk).status == TaskResultStatus.SUCCESSFUL
    sends = DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.send_mail_task")
    for send in sends:
        run_claimed(send.pk)
    for send in sends:  # A retry of every send (a lost acknowledgement) sends nothing again.
        DBTaskResult.objects.filter(pk=send.pk).update(status=TaskResultStatus.READY)
        run_claimed(send.pk)

    assert sorted(sent["Subject"] for sent in smtp_server.messages) == [
        "こんにちは P0",
        "こんにちは P1",
        "こんにちは P2",
    ]


def test_nothing_queued_is_no_task(db_task_backend: None) -> None:
    enqueue_later([])

    assert not DBTaskResult.objects.exists()


def _write_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="madoguchi.core.tasks.write_mails_task"))


@pytest.mark.usefixtures("db_task_backend")
def test_mails_queued_together_are_one_task_row() -> None:
    first, second = make_user("p1@example.com"), make_user("p2@example.com")
    words = {"hello": "Hi"}

    with transaction.atomic(), mails_together():
        enqueue_later([LaterMail(_greeting, {"recipient": first, "words": words}, key="one")])
        with mails_together():
            enqueue_later([LaterMail(_greeting, {"recipient": second, "words": words}, key="two")])
        assert _write_tasks() == []  # Not before the block ends.

    (task,) = _write_tasks()
    assert [mail["key"] for mail in task.args_kwargs["args"][0]] == ["one", "two"]


@pytest.mark.usefixtures("db_task_backend")
def test_a_block_that_fails_queues_nothing() -> None:
    person = make_user("p1@example.com")

    with pytest.raises(RuntimeError), mails_together():
        enqueue_later([LaterMail(_greeting, {"recipient": person, "words": {"hello": "Hi"}})])
        raise RuntimeError("the request failed")

    assert _write_tasks() == []


def test_a_row_several_mails_name_is_read_once() -> None:
    person = make_user("mika@example.com", name="Mika")
    words = {"hello": "Hi"}
    queued = later_mail.serialised(
        [LaterMail(_greeting, {"recipient": person, "words": words}) for _ in range(3)]
    )

    with CaptureQueriesContext(connection) as captured:
        written = list(later_mail.written(queued))

    assert len(written) == 3
    assert len(captured) == 1
