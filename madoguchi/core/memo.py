"""Values worked out once per request: a page asks several selectors the same small question.

RequestIdMiddleware opens a memo for each request; outside a request (tasks, shell, tests calling
selectors directly) nothing is remembered, so a value is always read fresh there. Only memoise
what a request does not change before it asks again (pages change data in POSTs that redirect).
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("request_memo", default=None)


def per_request[T](key: Hashable, compute: Callable[[], T]) -> T:
    """Return compute(), worked out once per request for this key."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]


@contextmanager
def request_memo() -> Iterator[None]:
    """Remember per_request values until the block ends (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)
