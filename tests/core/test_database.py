import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_database_speaks_utf8_with_a_utf8_ctype() -> None:
    """Trigram and full-text search see no Japanese unless LC_CTYPE is UTF-8."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite stores text as UTF-8 always")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_encoding_to_char(encoding), datctype FROM pg_database WHERE datname = %s",
            [connection.settings_dict["NAME"]],
        )
        encoding, ctype = cursor.fetchone()

    assert encoding == "UTF8"
    assert ctype.replace("-", "").lower() in {"c.utf8", "en_us.utf8"}


def test_sqlite_runs_in_wal_mode() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()

    assert mode == "wal"


def test_japanese_text_round_trips() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", ["修理の依頼 — 窓口 🙂"])
        (value,) = cursor.fetchone()

    assert value == "修理の依頼 — 窓口 🙂"
