"""import_articles / export_articles: both formats, re-import updates, bad input refused whole."""

import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from madoguchi.accounts.models import Organisation
from madoguchi.branding.models import Brand
from madoguchi.kb import authoring, formats
from madoguchi.kb.models import (
    Article,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
    KnowledgeBase,
    Segment,
    SlugRedirect,
    Visibility,
)
from tests.factories import make_article, make_editor, make_kb

pytestmark = pytest.mark.django_db

ARTICLE_JA = """---
id: reset-password
lang: ja
title: パスワードの再設定
category: account
section: sign-in
tags: [password, ログイン]
description: 忘れたときの手順
---
**設定**を開きます。
"""
ARTICLE_EN = """---
id: reset-password
lang: en
title: Reset your password
category: account
section: sign-in
tags: password
---
Open **Settings**.
"""


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _import(path: Path, kb: str = "help") -> str:
    out = StringIO()
    call_command("import_articles", str(path), kb=kb, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_markdown_folder_creates_a_public_knowledge_base(tmp_path: Path) -> None:
    folder = _write(tmp_path / "docs", {"ja.md": ARTICLE_JA, "en.md": ARTICLE_EN})

    output = _import(folder)

    assert "1 created" in output
    kb = KnowledgeBase.objects.get(slug="help")
    article = Article.objects.get()
    assert (article.external_id, article.knowledge_base, article.visibility) == (
        "reset-password",
        kb,
        Visibility.PUBLIC,
    )
    assert article.status == Article.Status.PUBLISHED
    assert article.section.slug == "sign-in" and article.section.category.slug == "account"
    assert sorted(t.name for t in article.tags.all()) == ["password", "ログイン"]
    ja = article.translations.get(language="ja")
    assert ja.body_html == "<p><strong>設定</strong>を開きます。</p>\n"
    assert ja.meta_description == "忘れたときの手順"
    assert ArticleVersion.objects.count() == 2


def test_reimport_updates_and_never_duplicates(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [{"id": "x1", "title": "First", "body": "One", "lang": "en"}],
    )
    _import(path)
    _jsonl(path, [{"id": "x1", "title": "First, renamed", "body": "Two", "lang": "en"}])

    output = _import(path)

    assert "0 created, 1 updated" in output
    translation = ArticleTranslation.objects.get()
    assert (translation.title, translation.body) == ("First, renamed", "Two")
    assert Article.objects.count() == 1
    assert translation.article.versions.count() == 2
    # The title-made slug is kept on re-import: links to the article keep working as they were.
    assert translation.slug == "first"


def test_reimport_keeps_reviews_and_the_draft_waiting_for_one(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl", [{"id": "x1", "title": "First", "body": "One", "lang": "en"}]
    )
    _import(path)
    translation = ArticleTranslation.objects.get()
    writer = make_editor("writer@example.com")
    authoring.draft_save(translation, text=authoring.DraftText("First", "Draft"), author=writer)
    review = authoring.review_request(translation, by=writer)
    _jsonl(path, [{"id": "x1", "title": "First", "body": "Two", "lang": "en"}])

    output = _import(path)

    assert "1 updated" in output
    review.refresh_from_db()
    assert review.state == ArticleReview.State.PENDING
    translation.refresh_from_db()
    assert (translation.body, translation.draft_body) == ("Two", "Draft")


def test_reimport_leaves_an_archived_article_archived(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [{"id": "x1", "title": "Old", "body": "One", "lang": "en"}])
    _import(path)
    article = Article.objects.get()
    authoring.article_archive(article, by=make_editor("editor@example.com"))
    _jsonl(path, [{"id": "x1", "title": "Old", "body": "Two", "lang": "en"}])

    _import(path)

    article.refresh_from_db()
    assert article.status == Article.Status.ARCHIVED
    assert article.translations.get().body == "Two"


@pytest.mark.parametrize("article_id", ["madoguchi-²", "madoguchi-" + "9" * 30])
def test_an_id_that_only_looks_like_ours_is_imported_without_an_error(
    tmp_path: Path, article_id: str
) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl", [{"id": article_id, "title": "T", "body": "B", "lang": "en"}]
    )

    assert "1 created" in _import(path)
    assert Article.objects.count() == 1


def test_unchanged_reimport_writes_no_version(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [{"id": "x1", "title": "T", "body": "B", "lang": "en"}])
    _import(path)

    output = _import(path)

    assert "1 unchanged" in output
    assert ArticleVersion.objects.count() == 1


def test_changed_slug_leaves_a_redirect(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl", [{"id": "x", "title": "T", "body": "B", "lang": "en", "slug": "old"}]
    )
    _import(path)
    _jsonl(path, [{"id": "x", "title": "T", "body": "B", "lang": "en", "slug": "new"}])

    _import(path)

    redirect = SlugRedirect.objects.get()
    assert (redirect.slug, redirect.object_id) == ("old", Article.objects.get().pk)


def _refused(path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_articles", str(path), kb="help", stdout=StringIO(), stderr=err)
    assert not Article.objects.exists()
    assert not ArticleTranslation.objects.exists()
    return err.getvalue()


def test_broken_front_matter_is_refused_and_nothing_imported(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "docs",
        {"good.md": ARTICLE_EN, "bad.md": "---\nid: [unclosed\ntitle: x\n---\nbody"},
    )

    assert "bad.md:" in _refused(folder)


def test_missing_front_matter_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "docs", {"good.md": ARTICLE_EN, "plain.md": "# Just text"})

    assert "plain.md: front matter missing" in _refused(folder)


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "1", "title": "\xff\xfe", "body": "", "lang": "en"}\n')

    assert "not valid UTF-8" in _refused(path)


def test_duplicate_slugs_are_refused(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "1", "title": "A", "body": "", "lang": "en", "slug": "same"},
            {"id": "2", "title": "B", "body": "", "lang": "en", "slug": "same"},
        ],
    )

    assert "slug “same” is already used" in _refused(path)


def test_slug_of_an_existing_article_is_refused(tmp_path: Path) -> None:
    make_article(make_kb(), "Taken title", external_id="")
    path = _jsonl(
        tmp_path / "a.jsonl",
        [{"id": "1", "title": "A", "body": "", "lang": "en", "slug": "taken-title"}],
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_articles", str(path), kb="help", stdout=StringIO(), stderr=err)

    assert "already used by another article" in err.getvalue()
    assert Article.objects.count() == 1


def test_bad_json_lines_are_each_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "1", "title": "ok", "body": "", "lang": "en"}\n'
        "not json\n"
        '{"id": "", "title": "", "body": "", "lang": "fr"}\n',
        "utf-8",
    )

    errors = _refused(path)

    assert "a.jsonl:2: not valid JSON" in errors
    assert "a.jsonl:3: the id is missing." in errors
    assert "unknown language “fr”" in errors


def test_hostile_markdown_is_sanitised_on_import(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": "1",
                "title": "X",
                "lang": "en",
                "body": "<script>alert(1)</script>[a](javascript:alert(1))"
                " <img src=x onerror=alert(1)>",
            }
        ],
    )

    _import(path)

    html = ArticleTranslation.objects.get().body_html
    # Raw HTML stays visible as text; no element or link that runs script survives.
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html and "&lt;script&gt;" in html


def test_a_damaged_zip_is_refused_with_a_message(tmp_path: Path) -> None:
    archive = tmp_path / "articles.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip archive")

    with pytest.raises(CommandError, match="damaged"):
        _import(archive)
    assert not Article.objects.exists()


def test_a_zip_that_unpacks_to_too_much_is_refused_before_unpacking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "ZIP_MAX_BYTES", 10_000)
    archive = tmp_path / "articles.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        row = {"id": "big", "title": "Big", "body": "x" * 20_000, "lang": "en"}
        out.writestr("a.jsonl", json.dumps(row) + "\n")

    with pytest.raises(CommandError, match="unpacks to more than"):
        _import(archive)
    assert not Article.objects.exists()


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    kb = make_kb()
    made = make_article(
        kb, "Own article", body="Body", translations={"ja": ("自前の記事", "本文")}, tags=["t"]
    )
    out = StringIO()
    call_command("export_articles", "-", kb="help", stdout=out, stderr=StringIO())
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {(r["id"], r["lang"]) for r in rows} == {
        (f"madoguchi-{made.pk}", "en"),
        (f"madoguchi-{made.pk}", "ja"),
    }
    folder = tmp_path / "export"
    call_command("export_articles", str(folder), kb="help", stdout=StringIO(), stderr=StringIO())

    output = _import(folder)

    assert "0 created" in output and "1 unchanged" in output
    assert Article.objects.count() == 1


def test_import_and_export_work_on_the_named_brand(tmp_path: Path) -> None:
    globex = Brand.objects.create(name="Globex", host="help.globex.example")
    folder = _write(tmp_path / "docs", {"en.md": ARTICLE_EN})
    out = StringIO()

    call_command("import_articles", str(folder), kb="help", brand="Globex", stdout=out)
    call_command("export_articles", "-", kb="help", brand="HELP.globex.example", stdout=out)

    assert KnowledgeBase.objects.get().brand == globex
    assert '"id": "reset-password"' in out.getvalue()
    with pytest.raises(CommandError, match="no one brand"):
        call_command("import_articles", str(folder), kb="help", brand="Initech", stdout=out)
    with pytest.raises(CommandError, match="no knowledge base help"):
        call_command("export_articles", "-", kb="help", stdout=out)  # the default brand's
    assert Article.objects.count() == 1


def test_import_of_markdown_export_into_a_new_knowledge_base(tmp_path: Path) -> None:
    make_article(make_kb(), "Carried over", body="Text", external_id="ext-1")
    folder = tmp_path / "export"
    call_command("export_articles", str(folder), kb="help", stdout=StringIO(), stderr=StringIO())

    _import(folder, kb="copy")

    copied = Article.objects.get(knowledge_base__slug="copy")
    assert copied.external_id == "ext-1"
    assert copied.translations.get().body == "Text"


def test_restricted_articles_stay_restricted_through_export_and_import(
    tmp_path: Path, org_a: Organisation
) -> None:
    kb = make_kb()
    make_article(kb, "Acme prices", visibility=Visibility.ORGANISATIONS, organisations=[org_a])
    enterprise = Segment.objects.create(brand=kb.brand, name="Enterprise", role="admin")
    for_segment = make_article(kb, "Admin guide", visibility=Visibility.SEGMENTS)
    for_segment.segments.set([enterprise])
    make_article(kb, "Escalation policy", visibility=Visibility.INTERNAL)
    make_article(kb, "Opening hours")
    for target in ("markdown", "jsonl"):
        out = tmp_path / ("export" if target == "markdown" else "export.jsonl")
        call_command("export_articles", str(out), kb="help", stdout=StringIO(), stderr=StringIO())

        _import(out, kb=f"copy-{target}")

        copied = {
            a.translations.get().title: a
            for a in Article.objects.filter(knowledge_base__slug=f"copy-{target}")
        }
        assert {title: a.visibility for title, a in copied.items()} == {
            "Acme prices": Visibility.ORGANISATIONS,
            "Admin guide": Visibility.SEGMENTS,
            "Escalation policy": Visibility.INTERNAL,
            "Opening hours": Visibility.PUBLIC,
        }
        assert list(copied["Acme prices"].organisations.all()) == [org_a]
        assert list(copied["Admin guide"].segments.all()) == [enterprise]


def test_a_stated_visibility_replaces_the_old_one_and_unstated_keeps_it(
    tmp_path: Path, org_a: Organisation
) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "x1", "title": "T1", "body": "B", "lang": "en", "visibility": "internal"},
            {"id": "x2", "title": "T2", "body": "B", "lang": "en"},
        ],
    )
    _import(path)
    Article.objects.filter(external_id="x2").update(visibility=Visibility.SIGNED_IN)
    _jsonl(
        path,
        [
            {
                "id": "x1",
                "title": "T1",
                "body": "B",
                "lang": "en",
                "visibility": "organisations",
                "organisations": ["acme"],
            },
            {"id": "x2", "title": "T2", "body": "B", "lang": "en"},
        ],
    )

    _import(path)

    first, second = Article.objects.order_by("external_id")
    assert (first.visibility, list(first.organisations.all())) == (
        Visibility.ORGANISATIONS,
        [org_a],
    )
    assert second.visibility == Visibility.SIGNED_IN


def test_an_unknown_audience_is_refused_and_nothing_imported(tmp_path: Path) -> None:
    unknown_organisation = {
        "id": "x2",
        "title": "T",
        "body": "B",
        "lang": "en",
        "visibility": "organisations",
        "organisations": ["nobody"],
    }
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "x1", "title": "T", "body": "B", "lang": "en", "visibility": "secret"},
            unknown_organisation,
            {"id": "x3", "title": "T", "body": "B", "lang": "en", "visibility": "segments"},
        ],
    )

    message = _refused(path)

    assert "unknown visibility “secret”" in message
    assert "visibility “segments” needs the segments" in message
    assert not Article.objects.exists()
    _jsonl(path, [unknown_organisation])
    assert "no organisation has the slug “nobody”" in _refused(path)
    assert not Article.objects.exists()


def test_ten_megabytes_of_text_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [{"id": "1", "title": "Huge", "lang": "en", "body": "<script>x</script>" * 600_000}],
    )

    assert "the body is longer than 1,000,000 characters" in _refused(path)
