"""Sessions in the database, as Django's database engine keeps them, read by a prepared query.

Every signed-in page reads its session first; the row and its expiry come through
core.prepared, and an expired row counts as missing, as in Django's own engine.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from madoguchi.core.prepared import Prepared

_SESSION_ROW = Prepared(
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
    str,
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        if self.session_key:
            now = timezone.now()
            for data, expire_date in _SESSION_ROW.rows(self.session_key):
                if expire_date > now:
                    return Session(
                        session_key=self.session_key, session_data=data, expire_date=expire_date
                    )
        self._session_key = None
        return None
