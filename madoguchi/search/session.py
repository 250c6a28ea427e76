"""The visitor's own recent search log entries, kept in their session.

Clicks and "followed by a request" are credited only to entries the same session made, so
nobody can mark someone else's search by guessing its id.
"""

from django.http import HttpRequest

SESSION_KEY = "search_log_ids"
KEPT = 20


def remember(request: HttpRequest, entry_id: int) -> None:
    """Keep the id of a search log entry this visitor made (the last KEPT are kept)."""
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), entry_id][-KEPT:]


def recent(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.session.get(SESSION_KEY, [])]


def forget(request: HttpRequest) -> list[int]:
    """Return the remembered entries and start afresh (once a request has been submitted)."""
    return [int(value) for value in request.session.pop(SESSION_KEY, [])]
