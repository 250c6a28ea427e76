import gc
from collections.abc import Iterator

import pytest
from django.core.signals import request_finished
from django.test import Client

from madoguchi.core import heap

LOADED_AT_IMPORT = [object()]


@pytest.fixture
def serving() -> Iterator[None]:
    """Tune this process as a server would, and undo it afterwards."""
    heap.tune_for_serving()
    try:
        yield
    finally:
        request_finished.disconnect(dispatch_uid="core.heap")
        gc.unfreeze()


def tracked(obj: object) -> bool:
    """Whether the collector still walks obj (a frozen object is in no generation)."""
    return any(candidate is obj for candidate in gc.get_objects())


def test_what_lives_at_start_is_frozen_out_of_full_collections(serving: None) -> None:
    assert not tracked(LOADED_AT_IMPORT)
    loaded_later = [object()]
    assert tracked(loaded_later)

    heap.settle()

    assert not tracked(loaded_later)


@pytest.mark.django_db
def test_what_the_first_requests_load_is_frozen_too(serving: None) -> None:
    frozen_at_start = gc.get_freeze_count()
    loaded_by_the_first_page = [object()]

    Client().get("/healthz/live")

    assert not tracked(loaded_by_the_first_page)
    assert gc.get_freeze_count() > frozen_at_start
    later = [object()]
    Client().get("/healthz/live")
    assert tracked(later)  # the second request is not a refreeze point
