"""Indexing writes, the embedding backlog and its task, synonyms, the search log."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from madoguchi.accounts.models import User
from madoguchi.search import services, sources
from madoguchi.search.models import SearchChunk, SearchDocument, SearchLog
from madoguchi.search.selectors import index_status, search
from madoguchi.search.sources import IndexedDocument
from tests.search.conftest import SOURCE, index

pytestmark = pytest.mark.django_db


def test_indexing_stores_tokens_and_detects_the_language() -> None:
    index("1", "パスワード再設定", "再設定の手順")

    document = SearchDocument.objects.get(source=SOURCE, key="1")
    assert document.title_tokens == "パスワード 再設定 \ua66e 設定"
    assert document.title_length == 3  # the stop between words and parts does not count
    assert document.lang == "ja"
    assert document.embedding_stale


def test_the_upgrade_indexes_the_parts_of_compounds_indexed_before() -> None:
    index("1", "領収書の再発行", "再設定できます")
    SearchDocument.objects.update(title_tokens="領収書 再発行", body_tokens="再設定", body_length=1)
    upgrade = import_module("madoguchi.search.migrations.0011_compound_parts_apart")

    upgrade.documents_reanalysed(django_apps, None)

    document = SearchDocument.objects.get(key="1")
    assert document.title_tokens == "領収書 再発行 \ua66e 領収 \ua66e 発行"
    assert (document.body_tokens, document.body_length) == ("再設定 \ua66e 設定", 2)
    assert [hit.key for hit in search("発行", viewer=None, mode="lexical").hits] == ["1"]


def test_a_document_of_an_unregistered_source_is_refused() -> None:
    with pytest.raises(sources.UnknownSourceError):
        services.document_index(
            IndexedDocument(source="nope", key="1", title="x", body="", lang="en")
        )


def test_scope_labels_are_stored_whole_and_must_be_plain() -> None:
    index("1", "Printer", scopes=("kb:2", "brand:1", "kb:2"))
    assert SearchDocument.objects.get(key="1").scopes == " brand:1 kb:2 "

    for label in ("Brand:1", "kb 2", "kb_2", "kb%", ""):
        with pytest.raises(sources.InvalidScopeError):
            index("2", "Printer", scopes=(label,))
    assert not SearchDocument.objects.filter(key="2").exists()


def test_relabelling_changes_the_labels_and_nothing_else() -> None:
    index("1", "Printer", "Paper jams", scopes=("brand:1",))
    index("2", "Scanner", scopes=("brand:1",))
    before = SearchDocument.objects.get(key="1")

    changed = services.documents_relabel(
        SOURCE, [("1", ["brand:2", "public"]), ("2", ["brand:1"]), ("missing", ["brand:3"])]
    )

    after = SearchDocument.objects.get(key="1")
    assert changed == 1
    assert after.scopes == " brand:2 public "
    assert after.updated_at > before.updated_at
    assert (after.body_tokens, after.content_hash) == (before.body_tokens, before.content_hash)
    assert not SearchDocument.objects.filter(key="missing").exists()


def test_bulk_indexing_updates_existing_documents_in_place() -> None:
    items = [
        IndexedDocument(source=SOURCE, key=str(n), title=f"Title {n}", body="", lang="en")
        for n in range(3)
    ]
    services.documents_index(items)
    services.documents_index(
        [IndexedDocument(source=SOURCE, key="1", title="Renamed", body="", lang="en")]
    )

    assert SearchDocument.objects.count() == 3
    assert SearchDocument.objects.get(key="1").title == "Renamed"


def test_source_reindex_replaces_the_documents_of_the_source() -> None:
    index("gone", "Old")
    sources.register(
        sources.SearchSource(
            name=SOURCE,
            visible=lambda viewer, keys: keys,
            documents=lambda: [
                IndexedDocument(source=SOURCE, key="new", title="New", body="", lang="en")
            ],
        )
    )

    assert services.source_reindex(SOURCE) == 1
    assert list(SearchDocument.objects.values_list("key", flat=True)) == ["new"]


def test_a_change_queues_the_embedding_task_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, model: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        index("1", "Printer setup", "Connect the printer.")

    assert len(callbacks) == 1
    document = SearchDocument.objects.get(key="1")
    assert not document.embedding_stale
    assert set(SearchChunk.objects.values_list("kind", flat=True)) == {"title", "passage"}
    assert index_status().backlog == 0


def test_with_semantic_search_off_a_change_queues_no_embedding_task(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, settings: Settings
) -> None:
    settings.SEARCH_SEMANTIC = False

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        index("1", "Printer setup", "Connect the printer.")

    assert callbacks == []
    assert index_status().backlog == 1


def test_the_backlog_counts_documents_whose_text_changed_since_embedding(model: None) -> None:
    index("1", "Printer setup", "Connect the printer.")
    index("2", "Scanner setup", "Connect the scanner.")
    assert index_status().backlog == 2

    assert services.embeddings_compute() == 2
    index("2", "Scanner setup", "Connect the scanner with a cable.")

    assert index_status().backlog == 1
    assert services.embeddings_compute() == 1
    assert SearchChunk.objects.filter(document__key="2").count() == 2


def test_search_status_reports_the_backlog(capsys: pytest.CaptureFixture[str]) -> None:
    index("1", "Printer setup")

    with pytest.raises(SystemExit):
        call_command("search_status", "--check")
    assert "embedding backlog:   1" in capsys.readouterr().out


def test_the_search_log_records_a_search_its_click_and_a_following_request(alice: User) -> None:
    entry = services.search_log_record(
        query="  パスワード  を忘れた ",
        normalized_query="",
        mode="hybrid",
        result_count=0,
        user=alice,
    )
    services.search_log_click(entry.id, source=SOURCE, key="7")
    services.search_log_click(entry.id, source=SOURCE, key="8")
    services.search_log_request_followed(entry.id)

    entry = SearchLog.objects.get(id=entry.id)
    assert entry.normalized_query == "パスワード を忘れた"
    assert entry.lang == "ja"
    assert entry.user == alice
    assert (entry.clicked_key, entry.followed_by_request) == ("7", True)
