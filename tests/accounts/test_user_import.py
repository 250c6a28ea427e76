from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from madoguchi.accounts import csv_import, invitations, user_import
from madoguchi.accounts.models import Invitation, Membership, Organisation, User, UserImport
from madoguchi.core.models import AuditEvent, EffectRecord
from tests.support.csvfiles import HEADER_JA, users_csv

pytestmark = pytest.mark.django_db

ROWS = [
    ("山田 太郎", "taro@example.jp", "acme", "管理者", "ja"),
    ("New Person", "New.Person@Example.com", "Acme Corporation", "member", "en"),
    ("Alice Example", "alice@example.com", "acme", "member", ""),
    ("Alice Example", "ALICE@example.com", "globex", "member", ""),
    ("Carol", "carol@example.com", "globex", "admin", ""),
    ("Nobody", "nobody@example.com", "no-such-org", "member", ""),
    ("=HYPERLINK(1)", "evil@example.com", "acme", "member", ""),
]


def upload(data: bytes, name: str = "users.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def preview(actor: User, data: bytes, *, create: bool = False) -> UserImport:
    return user_import.user_import_preview(
        upload=upload(data), create_organisations=create, actor=actor
    )


def import_file(actor: User, data: bytes, *, create: bool = False) -> UserImport:
    job = preview(actor, data, create=create)
    user_import.user_import_confirm(job, actor=actor)
    job.refresh_from_db()
    return job


def outcomes(job: UserImport) -> list[tuple[str, str, list[str]]]:
    return [(row["email"], row["outcome"], row["errors"]) for row in job.rows]


def snapshot() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        Invitation.objects.count(),
        Organisation.objects.count(),
    )


def test_preview_tells_each_rows_outcome_and_writes_nothing(
    erin: User, alice: User, carol: User, smtp_server
) -> None:
    before = snapshot()

    job = preview(erin, users_csv(ROWS, encoding="cp932", header=HEADER_JA))

    assert job.encoding == "cp932"
    assert outcomes(job) == [
        ("taro@example.jp", "invite", []),
        ("new.person@example.com", "invite", []),
        ("alice@example.com", "nothing", []),
        ("alice@example.com", "error", ["duplicate_email"]),
        ("carol@example.com", "nothing", []),
        ("nobody@example.com", "error", ["unknown_organisation"]),
        ("evil@example.com", "error", ["formula"]),
    ]
    assert job.planned == {"invite": 2, "nothing": 2, "error": 3}
    assert job.status == UserImport.Status.PREVIEWED
    assert snapshot() == before
    assert smtp_server.messages == []
    assert not AuditEvent.objects.filter(action__startswith="users.import").exists()


def test_existing_account_is_added_to_the_organisation(erin: User, alice: User, org_b) -> None:
    data = users_csv([("Alice", "Alice@Example.com", "globex", "admin", "")])

    job = import_file(erin, data)

    assert outcomes(job) == [("alice@example.com", "add_membership", [])]
    assert Membership.objects.get(user=alice, organisation=org_b).role == "admin"
    assert job.result == {"add_membership": 1}
    assert AuditEvent.objects.filter(action="organisation.member.added", actor=erin).count() == 1


def test_import_invites_with_queued_mail_and_reports_to_the_admin(
    erin: User, alice: User, carol: User, smtp_server, org_a
) -> None:
    job = import_file(erin, users_csv(ROWS, encoding="cp932", header=HEADER_JA))

    assert job.status == UserImport.Status.FINISHED
    assert job.result == {"invite": 2, "nothing": 2, "error": 3}
    taro = Invitation.objects.get(email="taro@example.jp")
    assert (taro.name, taro.organisation, taro.role, taro.language, taro.invited_by) == (
        "山田 太郎",
        org_a,
        "admin",
        "ja",
        erin,
    )
    assert Invitation.objects.get(email="new.person@example.com").language == "en"
    mails = {message["To"]: message for message in smtp_server.messages}
    assert set(mails) == {"taro@example.jp", "new.person@example.com", "erin@example.com"}
    assert "招待" in mails["taro@example.jp"]["Subject"]
    summary = mails["erin@example.com"].get_body(preferencelist=("plain",)).get_content()
    assert mails["erin@example.com"]["Subject"] == "Import of users.csv finished"
    assert "Invited: 2" in summary
    assert "Rows with errors, not imported: 3" in summary
    assert f"/admin/accounts/user/import/{job.pk}/status/" in summary
    started = AuditEvent.objects.get(action="users.import.started")
    finished = AuditEvent.objects.get(action="users.import.finished")
    assert started.actor == finished.actor == erin
    assert started.data["planned"] == {"invite": 2, "nothing": 2, "error": 3}
    assert finished.data == {"status": "finished", "rows": 7, "processed": 7, **job.result}


def test_reimporting_the_same_file_changes_nothing(erin: User, alice, carol, smtp_server) -> None:
    data = users_csv(ROWS)
    import_file(erin, data)
    before = snapshot()
    invitation_events = AuditEvent.objects.filter(action="invitation.created").count()
    mails = len(smtp_server.messages)

    again = import_file(erin, data)

    assert again.result == {"nothing": 4, "error": 3}
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="invitation.created").count() == invitation_events
    assert [m["To"] for m in smtp_server.messages[mails:]] == ["erin@example.com"], "summary only"


def test_missing_organisations_are_created_when_asked(erin: User) -> None:
    data = users_csv(
        [
            ("A", "a@example.com", "株式会社テスト", "", ""),
            ("B", "b@example.com", "New Co", "admin", ""),
            ("C", "c@example.com", "株式会社テスト", "", ""),
        ]
    )

    job = import_file(erin, data, create=True)

    assert [row["outcome"] for row in job.rows] == ["invite"] * 3
    assert all(row["new_organisation"] for row in job.rows)
    japanese = Organisation.objects.get(name="株式会社テスト")
    assert japanese.slug == "organisation"
    assert Organisation.objects.get(name="New Co").slug == "new-co"
    assert Invitation.objects.filter(organisation=japanese).count() == 2
    assert AuditEvent.objects.filter(action="organisation.created").count() == 2


def test_crash_inside_a_batch_leaves_no_half_of_it_and_the_retry_invites_once(
    erin: User, db_task_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(f"P{n}", f"p{n}@example.com", "", "", "") for n in range(5)]
    job = import_file(erin, users_csv(rows))
    monkeypatch.setattr(user_import, "BATCH_SIZE", 2)
    real_invite = invitations.invite
    calls = []

    def invite_then_crash_on_the_third(**kwargs: object) -> Invitation:
        invitation = real_invite(**kwargs)
        calls.append(kwargs["email"])
        if len(calls) == 3:
            raise RuntimeError("worker crashed after writing the third invitation")
        return invitation

    monkeypatch.setattr(invitations, "invite", invite_then_crash_on_the_third)

    with pytest.raises(RuntimeError):
        user_import.user_import_run(import_id=str(job.pk))

    job.refresh_from_db()
    assert job.processed == 2
    assert job.status == UserImport.Status.RUNNING
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "p0@example.com",
        "p1@example.com",
    ], "the third invitation was written, then rolled back with its batch"
    mail_tasks = DBTaskResult.objects.filter(task_path__endswith="send_mail_task")
    assert mail_tasks.count() == 2
    assert EffectRecord.objects.filter(key__startswith=f"user-import:{job.pk}:").count() == 2

    monkeypatch.setattr(invitations, "invite", real_invite)
    result = user_import.user_import_run(import_id=str(job.pk))

    assert result == {"invite": 5}
    assert Invitation.objects.count() == 5
    assert mail_tasks.count() == 5 + 1, "one invitation mail per person, and the summary"
    assert EffectRecord.objects.filter(key__startswith=f"user-import:{job.pk}:").count() == 5
    assert user_import.user_import_run(import_id=str(job.pk)) == {"invite": 5}
    assert Invitation.objects.count() == 5


def test_confirm_twice_queues_one_run(erin: User, db_task_backend: None) -> None:
    job = preview(erin, users_csv([("P", "p@example.com", "", "", "")]))

    user_import.user_import_confirm(job, actor=erin)
    with pytest.raises(user_import.ImportStateError):
        user_import.user_import_confirm(job, actor=erin)

    runs = DBTaskResult.objects.filter(task_path__endswith="user_import_run_task")
    assert runs.count() == 1
    assert runs.get().status == TaskResultStatus.READY
    assert AuditEvent.objects.filter(action="users.import.started").count() == 1


def test_an_expired_preview_cannot_be_confirmed(erin: User) -> None:
    job = preview(erin, users_csv([("P", "p@example.com", "", "", "")]))

    with (
        time_machine.travel(timezone.now() + user_import.PREVIEW_VALID_FOR + timedelta(1)),
        pytest.raises(user_import.ImportStateError, match="expired"),
    ):
        user_import.user_import_confirm(job, actor=erin)

    assert Invitation.objects.count() == 0


def test_expired_previews_are_deleted_by_the_next_upload(erin: User) -> None:
    old = preview(erin, users_csv([("P", "p@example.com", "", "", "")]))

    with time_machine.travel(timezone.now() + user_import.PREVIEW_VALID_FOR + timedelta(1)):
        preview(erin, users_csv([("Q", "q@example.com", "", "", "")]))

    assert not UserImport.objects.filter(pk=old.pk).exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    erin: User, settings: Settings
) -> None:
    settings.USER_IMPORT_MAX_BYTES = 1024 * 1024
    data = b"\xff" * (1024 * 1024 + 1)

    with pytest.raises(csv_import.ImportFileError, match="larger than 1 MiB"):
        preview(erin, data)

    assert not UserImport.objects.exists()


def test_the_row_limit_comes_from_the_settings(erin: User, settings: Settings) -> None:
    settings.USER_IMPORT_MAX_ROWS = 3
    rows = [(f"P{n}", f"p{n}@example.com", "", "", "") for n in range(4)]

    with pytest.raises(csv_import.ImportFileError, match="more than 3 rows"):
        preview(erin, users_csv(rows))


def test_an_open_invitation_is_not_sent_again(erin: User, org_a, smtp_server) -> None:
    invitations.invite(email="waiting@example.com", organisation=org_a)

    job = import_file(erin, users_csv([("W", "waiting@example.com", "acme", "", "")]))

    assert outcomes(job) == [("waiting@example.com", "nothing", [])]
    assert Invitation.objects.filter(email="waiting@example.com").count() == 1
