"""Garbage collection for a long-lived server process.

A served process holds about 190,000 objects that live as long as it does (Django, the apps, the
URL resolvers, compiled templates, translation catalogues). CPython's full collection walks all of
them: 90-130 ms, during which a page waits; one page in a few hundred did, and several in a
loaded minute (bench: unloaded p99 80-100 ms against a p50 of 10 ms). Those objects are frozen
out of the collector's sight (`gc.freeze`) at start, and again while warming up loads more of
them; a full collection then walks only what pages left behind (3-9 ms). Frozen objects are still
freed by reference counting; only a cycle among them is never collected.
"""

import gc

from django.core.signals import request_finished

# Requests after which what warming up loaded is frozen too: a process loads templates and
# catalogues as it meets new pages, most in its first few requests.
REFREEZE_AFTER = frozenset({1, 10, 100, 1_000, 10_000})

_served = 0


def settle() -> None:
    """Collect, then freeze every object alive now into the permanent generation."""
    gc.collect()
    gc.freeze()


def tune_for_serving() -> None:
    """Call once in a serving process, after Django is set up (the WSGI entry point does).

    Requests are counted from here: a process that imported the entry point before (a test
    run) starts again at its first request.
    """
    global _served
    _served = 0
    settle()
    request_finished.connect(_after_request, dispatch_uid="core.heap")


def _after_request(**_kwargs: object) -> None:
    global _served
    _served += 1
    if _served in REFREEZE_AFTER:
        settle()
