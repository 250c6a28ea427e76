"""The cast every test can use: two organisations, their customers, an agent and an admin."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation
from pytest_django.fixtures import Settings

from madoguchi.accounts.models import Membership, Organisation, User
from madoguchi.kb.models import KnowledgeBase
from tests.factories import add_member, make_kb, make_organisation, make_user

pytest_plugins = ["tests.support.smtp", "tests.support.canary", "tests.support.worker"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Settings) -> None:
    """Run tasks when enqueued (mail reaches the test's SMTP server at once).

    Tests of the queue itself ask for db_task_backend, which puts django-tasks-db back.
    """
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.fixture
def db_task_backend(settings: Settings) -> None:
    """Make django-tasks-db the default task backend, as in production."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings: Settings, tmp_path: Path) -> None:
    """Keep private files (avatars, exports) of each test in its own folder, not in var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Start every test with an empty cache: rate-limit counts must not leak between tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def _pages_rendered_fresh(settings: Settings) -> None:
    """Render every page: a test's changes are never committed, and the visitors' page cache is
    cleared on commit. The page_cache_on fixture of tests/kb turns it on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Start every test in English: LocaleMiddleware leaves the last request's language active."""
    with translation.override("en"):
        yield


@pytest.fixture
def org_a(db: None) -> Organisation:
    return make_organisation("Acme Corporation", "acme")


@pytest.fixture
def org_b(db: None) -> Organisation:
    return make_organisation("グローベックス株式会社", "globex")


@pytest.fixture
def alice(org_a: Organisation) -> User:
    """A customer of organisation A."""
    user = make_user("alice@example.com", name="Alice Example")
    add_member(user, org_a)
    return user


@pytest.fixture
def bob(org_a: Organisation) -> User:
    """The organisation admin of organisation A."""
    user = make_user("bob@example.com", name="Bob Example")
    add_member(user, org_a, Membership.Role.ADMIN)
    return user


@pytest.fixture
def carol(org_b: Organisation) -> User:
    """A Japanese-speaking customer of organisation B."""
    user = make_user("carol@example.com", name="山田 花子", language="ja")
    add_member(user, org_b)
    return user


@pytest.fixture
def dave(db: None) -> User:
    """An agent."""
    return make_user("dave@example.com", name="Dave Agent", is_staff=True)


@pytest.fixture
def erin(db: None) -> User:
    """An admin."""
    return make_user("erin@example.com", name="Erin Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def kb() -> KnowledgeBase:
    return make_kb()


@pytest.fixture
def keyword_search_only(settings: Settings) -> None:
    """Search without the embedding model: quick to set up, and what a site without it shows."""
    settings.SEARCH_SEMANTIC = False
