import pytest
from pytest_django.fixtures import Settings

from madoguchi.accounts import invitations
from madoguchi.accounts.models import Invitation, User, UserImport
from madoguchi.core.models import AuditEvent
from tests.accounts.test_user_import import import_file
from tests.support.csvfiles import users_csv

pytestmark = pytest.mark.django_db


def test_a_task_out_of_attempts_marks_the_import_failed(
    erin: User, smtp_server, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASK_MAX_ATTEMPTS = 1

    def refuse(**kwargs: object) -> Invitation:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(invitations, "invite", refuse)

    job = import_file(erin, users_csv([("P", "p@example.com", "", "", "")]))

    assert job.status == UserImport.Status.FAILED
    assert Invitation.objects.count() == 0
    [summary] = smtp_server.messages
    assert summary["Subject"] == "Import of users.csv stopped"
    event = AuditEvent.objects.get(action="users.import.finished")
    assert event.data["status"] == "failed"
