"""The knowledge base as a search source: what gets indexed, when, and who finds it."""

import json
from io import StringIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.db import transaction

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb import indexing, services
from madoguchi.kb.models import Article, KnowledgeBase, Visibility
from madoguchi.search import selectors as search
from madoguchi.search.models import SearchDocument
from tests.factories import make_article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("keyword_search_only"),
]

CANARY = "zanzibarcanary"


def _found(viewer: object, text: str) -> set[str]:
    results = search.search(text, viewer=viewer, source_names=[indexing.SOURCE])
    return {hit.key for hit in results.hits}


def test_published_translations_are_indexed_with_their_address(kb: KnowledgeBase) -> None:
    article = make_article(
        kb, "Repair your device", translations={"ja": ("端末の修理", "修理の手順")}
    )
    documents = {d.key: d for d in SearchDocument.objects.filter(source=indexing.SOURCE)}
    assert set(documents) == {f"{article.pk}.en", f"{article.pk}.ja"}
    assert unquote(documents[f"{article.pk}.ja"].url) == "/ja/kb/help/articles/端末の修理/"
    assert documents[f"{article.pk}.en"].lang == "en"


def test_body_is_indexed_as_plain_text(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Invoices", body="Open **Billing** & [pay](https://example.com).")
    document = SearchDocument.objects.get(key=f"{article.pk}.en")
    assert document.body == "Open Billing & pay."


def test_a_changed_text_is_found_by_its_new_words(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Shipping times")
    services.translation_save(
        article, services.ArticleText(language="en", title="Delivery windows", body="Couriers.")
    )
    assert _found(None, "delivery") == {f"{article.pk}.en"}
    assert _found(None, "shipping") == set()


def test_draft_text_is_not_indexed_until_published(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Hidden plans", publish=False)
    assert not SearchDocument.objects.filter(key__startswith=f"{article.pk}.").exists()


def test_archived_article_leaves_the_index(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Old price list")
    article.status = Article.Status.ARCHIVED
    article.save(update_fields=["status"])
    assert not SearchDocument.objects.filter(key=f"{article.pk}.en").exists()


def test_rolled_back_change_is_not_indexed(kb: KnowledgeBase) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        make_article(kb, "Rolled back")
        raise RuntimeError
    assert not SearchDocument.objects.filter(title="Rolled back").exists()


def test_deleted_article_leaves_the_index(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Short lived")
    article.delete()
    assert not SearchDocument.objects.filter(title="Short lived").exists()


def test_reindex_command_rebuilds_from_the_articles(kb: KnowledgeBase) -> None:
    article = make_article(kb, "Warranty claims")
    SearchDocument.objects.all().delete()
    call_command("search_reindex", "kb.article", stdout=StringIO())
    assert _found(None, "warranty") == {f"{article.pk}.en"}


def test_other_organisations_article_is_never_found(
    kb: KnowledgeBase, alice: User, carol: User, org_b: Organisation, dave: User
) -> None:
    """R5: a canary restricted to organisation B reaches B's members and agents only."""
    canary = make_article(
        kb, f"Globex {CANARY}", visibility=Visibility.ORGANISATIONS, organisations=[org_b]
    )
    make_article(kb, f"Public {CANARY}")
    key = f"{canary.pk}.en"
    assert key not in _found(None, CANARY)
    assert key not in _found(alice, CANARY)
    assert key in _found(carol, CANARY)
    assert key in _found(dave, CANARY)


def test_internal_and_signed_in_articles_need_the_right_reader(
    kb: KnowledgeBase, alice: User, dave: User
) -> None:
    internal = make_article(kb, "Escalation matrix", visibility=Visibility.INTERNAL)
    members = make_article(kb, "Escalation for members", visibility=Visibility.SIGNED_IN)
    assert _found(None, "escalation") == set()
    assert _found(alice, "escalation") == {f"{members.pk}.en"}
    assert _found(dave, "escalation") == {f"{members.pk}.en", f"{internal.pk}.en"}


def test_scheduled_article_is_found_only_once_live(kb: KnowledgeBase, dave: User) -> None:
    article = make_article(kb, "Future feature", publish=False)
    services.translation_save(
        article, services.ArticleText(language="en", title="Future feature", body="Soon.")
    )
    article.status = Article.Status.SCHEDULED
    article.publish_at = article.created_at.replace(year=article.created_at.year + 1)
    article.save(update_fields=["status", "publish_at"])
    assert SearchDocument.objects.filter(key=f"{article.pk}.en").exists()
    assert _found(dave, "future") == set()


def test_bulk_import_is_indexed_on_commit(tmp_path: Path) -> None:
    """The import writes in bulk (no model signals): it refreshes the index itself."""
    source = tmp_path / "articles.jsonl"
    rows = [
        {"id": "modem", "lang": "en", "title": "Modem lights", "body": "Blinking lights."},
        {"id": "modem", "lang": "ja", "title": "モデムのランプ", "body": "ランプが点滅します。"},
    ]
    source.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    call_command("import_articles", str(source), kb="help", stdout=StringIO(), stderr=StringIO())
    article = Article.objects.get(external_id="modem")
    assert _found(None, "modem") == {f"{article.pk}.en"}
    assert _found(None, "モデム") == {f"{article.pk}.ja"}
