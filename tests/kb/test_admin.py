"""The knowledge base in the admin: the article import page (same formats and rules as
manage.py import_articles), and renames that keep old addresses."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.kb.models import Article, KnowledgeBase, Section
from tests.factories import make_article

pytestmark = pytest.mark.django_db
URL = "/admin/kb/knowledgebase/import/"


def _jsonl(*rows: dict) -> SimpleUploadedFile:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    return SimpleUploadedFile("articles.jsonl", data)


def test_admin_imports_json_lines(client: Client, erin: User) -> None:
    client.force_login(erin)

    response = client.post(
        URL,
        {
            "knowledge_base": "manuals",
            "file": _jsonl({"id": "1", "title": "取扱説明書", "body": "本文", "lang": "ja"}),
        },
    )

    assert response.status_code == 302
    assert KnowledgeBase.objects.get().slug == "manuals"
    assert Article.objects.get().translations.get().title == "取扱説明書"


def test_admin_imports_a_zip_of_markdown(client: Client, erin: User) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("docs/a.md", "---\nid: a\ntitle: From zip\n---\nText\n")
    client.force_login(erin)

    response = client.post(
        URL,
        {"knowledge_base": "help", "file": SimpleUploadedFile("docs.zip", buffer.getvalue())},
    )

    assert response.status_code == 302
    assert Article.objects.get().translations.get().title == "From zip"


def test_admin_import_lists_problems_and_imports_nothing(client: Client, erin: User) -> None:
    client.force_login(erin)

    response = client.post(
        URL,
        {
            "knowledge_base": "help",
            "file": _jsonl(
                {"id": "1", "title": "Fine", "body": "", "lang": "en"},
                {"id": "2", "title": "", "body": "", "lang": "en"},
            ),
        },
    )

    assert response.status_code == 422
    assert "articles.jsonl:2: the title is missing." in response.content.decode()
    assert not Article.objects.exists()


def test_agents_without_the_permission_cannot_import(client: Client, dave: User) -> None:
    client.force_login(dave)

    response = client.get(URL)

    assert response.status_code in {302, 403}
    assert not KnowledgeBase.objects.exists()


@pytest.mark.parametrize(("kind", "pages"), [("section", "sections"), ("category", "categories")])
def test_a_slug_changed_in_the_admin_keeps_the_old_address(
    client: Client, erin: User, section: Section, kind: str, pages: str
) -> None:
    make_article(section.knowledge_base, "Inside", section=section)
    container = section if kind == "section" else section.category
    old_slug = container.slug
    fields = {name: value for name, value in model_to_dict(container).items() if value is not None}
    client.force_login(erin)

    response = client.post(
        f"/admin/kb/{kind}/{container.pk}/change/", {**fields, "slug": "first-steps"}
    )

    assert response.status_code == 302
    moved = client.get(f"/en/kb/help/{pages}/{old_slug}/")
    assert moved.status_code == 301
    assert moved["Location"] == f"/en/kb/help/{pages}/first-steps/"
