"""The knowledge base as a search source: what gets indexed, when, and who finds it."""

import json
from importlib import import_module
from io import StringIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import transaction
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import Organisation, User
from madoguchi.branding.models import Brand
from madoguchi.kb import indexing, search_selectors, services
from madoguchi.kb.models import Article, KnowledgeBase, Section, Visibility
from madoguchi.search import selectors as search
from madoguchi.search.models import SearchDocument
from tests.factories import make_article, make_section

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


def _status() -> str:
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("search_status", "--check", stdout=out)
    return out.getvalue()


def test_search_status_tells_when_the_index_and_the_articles_differ(
    kb: KnowledgeBase, settings: Settings
) -> None:
    """A refresh lost with its process (between commit and index) shows, and the reindex it
    names repairs it."""
    settings.SEARCH_SEMANTIC = False
    kept = make_article(kb, "Warranty claims")
    lost = make_article(kb, "Returns")
    SearchDocument.objects.filter(key=f"{lost.pk}.en").delete()
    SearchDocument.objects.filter(key=f"{kept.pk}.en").update(key="999999.en")

    report = _status()

    assert "documents missing:   2" in report
    assert "documents left over: 1" in report
    assert "search_reindex" in report
    call_command("search_reindex", "kb.article", stdout=StringIO())
    report = _status()
    assert "documents missing:   0" in report
    assert "documents left over: 0" in report


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


def _labels(article: Article) -> set[str]:
    documents = SearchDocument.objects.filter(key__startswith=f"{article.pk}.")
    return {
        label for scopes in documents.values_list("scopes", flat=True) for label in scopes.split()
    }


def test_documents_are_labelled_with_their_place_and_readers(
    kb: KnowledgeBase, section: Section, org_a: Organisation, org_b: Organisation
) -> None:
    public = make_article(kb, "Warranty", section=section, translations={"ja": ("保証", "保証")})
    shared = make_article(
        kb, "Contract", visibility=Visibility.ORGANISATIONS, organisations=[org_a, org_b]
    )
    internal = make_article(kb, "Escalation matrix", visibility=Visibility.INTERNAL)

    place = {f"brand:{kb.brand_id}", f"kb:{kb.pk}"}
    assert _labels(public) == {*place, f"category:{section.category_id}", "public"}
    assert _labels(shared) == {*place, f"org:{org_a.pk}", f"org:{org_b.pk}"}
    assert _labels(internal) == place


def test_the_upgrade_labels_documents_indexed_before_labels_existed(
    kb: KnowledgeBase, section: Section, org_a: Organisation
) -> None:
    articles = [
        make_article(kb, "Warranty", section=section, translations={"ja": ("保証", "保証")}),
        make_article(kb, "Contract", visibility=Visibility.ORGANISATIONS, organisations=[org_a]),
        make_article(kb, "Members", visibility=Visibility.SIGNED_IN),
        make_article(kb, "Escalation matrix", visibility=Visibility.INTERNAL),
    ]
    labelled = {article.pk: _labels(article) for article in articles}
    SearchDocument.objects.update(scopes="")
    upgrade = import_module("madoguchi.kb.migrations.0004_label_search_documents")

    upgrade.label(django_apps, None)

    assert {article.pk: _labels(article) for article in articles} == labelled


def test_sharing_an_article_anew_relabels_its_documents(
    kb: KnowledgeBase, org_a: Organisation, org_b: Organisation, alice: User
) -> None:
    article = make_article(
        kb, "Contract", visibility=Visibility.ORGANISATIONS, organisations=[org_b]
    )
    assert _found(alice, "contract") == set()

    article.organisations.add(org_a)
    assert f"org:{org_a.pk}" in _labels(article)
    assert _found(alice, "contract") == {f"{article.pk}.en"}

    org_a.kb_articles.remove(article)
    assert f"org:{org_a.pk}" not in _labels(article)


def test_moving_a_section_or_a_knowledge_base_relabels_their_articles(
    kb: KnowledgeBase, section: Section
) -> None:
    article = make_article(kb, "Warranty", section=section)
    elsewhere = make_section(kb, slug="billing", category="money")
    section.category = elsewhere.category
    section.save()
    assert f"category:{elsewhere.category_id}" in _labels(article)

    other = Brand.objects.create(name="Other", host="other.example")
    kb.brand = other
    kb.save()
    assert f"brand:{other.pk}" in _labels(article)


def test_a_narrow_search_is_not_cut_short_by_better_matches_elsewhere(
    kb: KnowledgeBase, alice: User, org_a: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Brand, filters and the reader's audience apply inside the engine, before its best
    hundred (three here) are taken."""
    monkeypatch.setattr(search, "LEXICAL_CANDIDATES", 3)
    other_brand = Brand.objects.create(name="Other", host="other.example")
    theirs = services.knowledge_base_get_or_create(brand=other_brand, slug="help")
    for number in range(4):
        make_article(theirs, f"Printer printer {number}", body="printer printer printer")
        make_article(kb, f"Printer printer {number}", visibility=Visibility.INTERNAL)
    ours = make_article(
        kb, "Guide", body="A printer, once.", visibility=Visibility.ORGANISATIONS,
        organisations=[org_a],
    )  # fmt: skip

    hits = search_selectors.articles_search(alice, "printer", brand=kb.brand).hits

    assert [hit.article_id for hit in hits] == [ours.pk]


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
