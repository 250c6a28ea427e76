import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import Invitation, User, UserImport
from tests.factories import make_user
from tests.support.csvfiles import HEADER_JA, users_csv

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:accounts_user_import")
CHANGELIST = reverse("admin:accounts_user_changelist")
ROWS = [
    ("山田 太郎", "taro@example.jp", "acme", "管理者", "ja"),
    ("Bad Row", "not-an-address", "acme", "member", "en"),
]
TEXT = {
    "en": {
        "import": "Import users",
        "invite": "Will invite",
        "bad_email": "The email address is not valid.",
        "encoding": "Could not read the file&#x27;s encoding",
        "finished": "Finished",
    },
    "ja": {
        "import": "ユーザーをインポート",
        "invite": "招待します",
        "bad_email": "メールアドレスが正しくありません。",
        "encoding": "ファイルの文字コードを読み取れませんでした",
        "finished": "完了",
    },
}


def post_file(client: Client, data: bytes, language: str = "en", **fields: object):
    return client.post(
        UPLOAD,
        {"file": SimpleUploadedFile("社員.csv", data, content_type="text/csv"), **fields},
        headers={"accept-language": language},
    )


@pytest.fixture
def admin_client(client: Client, erin: User) -> Client:
    client.force_login(erin)
    return client


@pytest.mark.parametrize("language", ["en", "ja"])
def test_changelist_offers_import_and_export(admin_client: Client, language: str) -> None:
    page = admin_client.get(CHANGELIST, headers={"accept-language": language}).content.decode()

    assert TEXT[language]["import"] in page
    assert f'href="{UPLOAD}"' in page
    assert reverse("admin:accounts_user_export") in page


@pytest.mark.parametrize("language", ["en", "ja"])
def test_upload_preview_confirm_and_follow_the_progress(
    admin_client: Client, smtp_server, org_a, language: str
) -> None:
    headers = {"accept-language": language}
    data = users_csv(ROWS, encoding="cp932", header=HEADER_JA)

    uploaded = post_file(admin_client, data, language)
    preview = admin_client.get(uploaded["Location"], headers=headers)

    assert uploaded.status_code == 302
    page = preview.content.decode()
    assert "山田 太郎" in page
    assert TEXT[language]["invite"] in page
    assert TEXT[language]["bad_email"] in page
    assert not Invitation.objects.exists(), "nothing is written before the admin confirms"

    job = UserImport.objects.get()
    confirmed = admin_client.post(
        reverse("admin:accounts_user_import_confirm", args=[job.pk]), headers=headers
    )
    status = admin_client.get(confirmed["Location"], headers=headers)

    assert confirmed["Location"] == reverse("admin:accounts_user_import_status", args=[job.pk])
    assert TEXT[language]["finished"] in status.content.decode()
    assert Invitation.objects.get().email == "taro@example.jp"
    assert [m["To"] for m in smtp_server.messages] == ["taro@example.jp", "erin@example.com"]


def test_confirm_takes_the_rows_from_the_stored_preview_not_the_form(
    admin_client: Client, smtp_server
) -> None:
    post_file(admin_client, users_csv([("A", "a@example.com", "", "", "")]))
    job = UserImport.objects.get()

    admin_client.post(
        reverse("admin:accounts_user_import_confirm", args=[job.pk]),
        {"rows": '[{"email": "injected@example.com"}]', "email": "injected@example.com"},
    )

    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_progress_part_alone_for_htmx(admin_client: Client, smtp_server) -> None:
    post_file(admin_client, users_csv([("A", "a@example.com", "", "", "")]))
    job = UserImport.objects.get()
    admin_client.post(reverse("admin:accounts_user_import_confirm", args=[job.pk]))

    part = admin_client.get(
        reverse("admin:accounts_user_import_status", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert part.lstrip().startswith('<div id="import-progress"')
    assert "hx-trigger" not in part, "a finished import stops polling"
    assert "<html" not in part


@pytest.mark.parametrize("language", ["en", "ja"])
def test_unreadable_file_is_refused_with_a_clear_message(
    admin_client: Client, language: str
) -> None:
    response = post_file(admin_client, "name,email\n".encode("utf-16"), language)

    assert response.status_code == 422
    assert TEXT[language]["encoding"] in response.content.decode()
    assert not UserImport.objects.exists()


def test_a_large_file_on_disk_is_refused_at_the_row_limit(
    admin_client: Client, settings: Settings
) -> None:
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE the upload is a temporary file; it streams the same."""
    settings.USER_IMPORT_MAX_ROWS = 1000
    rows = [(f"Person {n}", f"p{n}@example.com", "acme", "", "") for n in range(60_000)]
    data = users_csv(rows)
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    response = post_file(admin_client, data)

    assert response.status_code == 422
    assert "more than 1000 rows" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(admin_client: Client, settings: Settings) -> None:
    settings.USER_IMPORT_MAX_BYTES = 1024 * 1024

    response = post_file(admin_client, b"a" * (2 * 1024 * 1024))

    assert response.status_code == 422
    assert "larger than 1 MiB" in response.content.decode()


def test_unknown_organisation_is_an_error_unless_created(admin_client: Client) -> None:
    data = users_csv([("A", "a@example.com", "Initech", "", "")])

    refused = admin_client.get(post_file(admin_client, data)["Location"]).content.decode()
    created = admin_client.get(
        post_file(admin_client, data, create_organisations="on")["Location"]
    ).content.decode()

    assert "No organisation has this slug or name." in refused
    assert "Will invite" in created
    assert "(new)" in created


def test_staff_without_the_add_permission_cannot_import(client: Client, dave: User) -> None:
    client.force_login(dave)
    dave.user_permissions.add(Permission.objects.get(codename="view_user"))

    assert client.get(UPLOAD).status_code == 403
    assert post_file(client, users_csv([("A", "a@example.com", "", "", "")])).status_code == 403
    assert "Import users" not in client.get(CHANGELIST).content.decode()


def test_customers_find_no_import_page(client: Client, bob: User) -> None:
    client.force_login(bob)

    assert client.get(UPLOAD).status_code == 404
    assert post_file(client, users_csv([("A", "a@example.com", "", "", "")])).status_code == 404
    assert not UserImport.objects.exists()


def test_another_admins_preview_is_not_found(admin_client: Client) -> None:
    post_file(admin_client, users_csv([("A", "a@example.com", "", "", "")]))
    job = UserImport.objects.get()
    other = Client()
    other.force_login(make_user("frank@example.com", is_staff=True, is_superuser=True))
    other_staff = Client()
    agent = make_user("gina@example.com", is_staff=True)
    agent.user_permissions.add(Permission.objects.get(codename="add_user"))
    other_staff.force_login(agent)

    preview = reverse("admin:accounts_user_import_preview", args=[job.pk])
    confirm = reverse("admin:accounts_user_import_confirm", args=[job.pk])
    status = reverse("admin:accounts_user_import_status", args=[job.pk])

    assert other.get(preview).status_code == 404, "not uploaded in this session"
    assert other.post(confirm).status_code == 404
    assert other_staff.get(status).status_code == 404, "not this agent's import"
    job.refresh_from_db()
    assert job.status == UserImport.Status.PREVIEWED
