from collections.abc import Iterator

import pytest

from madoguchi.kb import services


@pytest.fixture(autouse=True)
def _no_pending_views() -> Iterator[None]:
    """Start each test with no view counts waiting in memory from an earlier one. They are
    dropped, not written: that test's articles are gone, and this one may have no database."""
    services._pending.clear()
    yield
