from collections.abc import Iterator

import pytest

from madoguchi.kb import services


@pytest.fixture(autouse=True)
def _no_pending_views() -> Iterator[None]:
    """Start each test with no view counts waiting in memory from an earlier one."""
    services.article_views_flush()
    yield
