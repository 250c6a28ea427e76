from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from madoguchi.kb import services
from madoguchi.kb.models import KnowledgeBase, Section
from tests.factories import make_section


@pytest.fixture(autouse=True)
def _no_pending_views() -> Iterator[None]:
    """Start each test with no view counts waiting in memory from an earlier one. They are
    dropped, not written: that test's articles are gone, and this one may have no database."""
    services._pending.clear()
    yield


@pytest.fixture
def page_cache_on(settings: Settings) -> None:
    """Cache help-centre pages (tests/conftest.py turns the cache off for every other test)."""
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def section(kb: KnowledgeBase) -> Section:
    return make_section(kb)
