"""Lexical engines: one interface, chosen by the database vendor.

An engine finds candidate documents for an analysed query and counts document frequencies; the
final lexical score is computed in Python (ranking.bm25_scores) from the same statistics on both
engines, so SQLite and PostgreSQL rank alike. User text never reaches the engine's query syntax:
every token is a bound parameter (PostgreSQL) or a quoted, escaped FTS5 string (SQLite).
"""

import json
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction

# A query: groups (one per query word) of alternatives (synonyms); an alternative is a phrase.
Phrase = tuple[str, ...]
QueryGroups = Sequence[Sequence[Phrase]]

DOC_TABLE = "search_searchdocument"
FTS_TABLE = "search_fts"
VOCAB_TABLE = "search_fts_vocab"
# The query's tokens arrive as one JSON array parameter, so the statement text never varies.
_DOC_FREQS_SQL = (
    f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term IN (SELECT value FROM json_each(%s))"  # noqa: S608
)
# Title matches count this many times a body match in the engines' own candidate ranking.
TITLE_WEIGHT = 3.0
DF_CACHE_SECONDS = 300


class EngineUnavailableError(Exception):
    """The lexical index cannot be queried (missing or corrupt); callers fall back (F12)."""


@dataclass(frozen=True)
class Filters:
    sources: Collection[str] = ()
    langs: Collection[str] = ()

    def sql(self) -> tuple[str, list[str]]:
        clauses, params = [], []
        if self.sources:
            clauses.append(f"d.source IN ({', '.join(['%s'] * len(self.sources))})")
            params.extend(self.sources)
        if self.langs:
            clauses.append(f"d.lang IN ({', '.join(['%s'] * len(self.langs))})")
            params.extend(self.langs)
        return "".join(f" AND {clause}" for clause in clauses), params


def _savepoint() -> AbstractContextManager[object]:
    """A savepoint inside the caller's transaction: on PostgreSQL a failed statement would
    otherwise poison it, and the fallback query after it. Outside one, no transaction at all:
    on SQLite it would begin IMMEDIATE and hold the write lock for a read."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


class Engine:
    vendor = ""

    def candidates(self, groups: QueryGroups, *, filters: Filters, limit: int) -> list[int]:
        """Return ids of documents matching any group, best first by the engine's own rank."""
        if not groups:
            return []
        try:
            with _savepoint(), connection.cursor() as cursor:
                return self._candidates(cursor, groups, filters, limit)
        except DatabaseError as exc:
            raise EngineUnavailableError(str(exc)) from exc

    def doc_freqs(self, tokens: Collection[str]) -> dict[str, int]:
        """Return how many documents contain each token (cached for a few minutes)."""
        keys = {token: f"search:df:{self.vendor}:{token.encode().hex()[:200]}" for token in tokens}
        found = cache.get_many(list(keys.values()))
        freqs = {token: found[key] for token, key in keys.items() if key in found}
        missing = [token for token in tokens if token not in freqs]
        if missing:
            try:
                with _savepoint(), connection.cursor() as cursor:
                    counted = self._doc_freqs(cursor, missing)
            except DatabaseError as exc:
                raise EngineUnavailableError(str(exc)) from exc
            freqs.update(counted)
            cache.set_many({keys[token]: counted[token] for token in missing}, DF_CACHE_SECONDS)
        return freqs

    def _candidates(self, cursor, groups: QueryGroups, filters: Filters, limit: int) -> list[int]:
        raise NotImplementedError

    def _doc_freqs(self, cursor, tokens: Sequence[str]) -> dict[str, int]:
        raise NotImplementedError


def fts5_quote(phrase: Phrase) -> str:
    """Return `phrase` as one FTS5 string: inside double quotes nothing is an operator."""
    return '"' + " ".join(phrase).replace('"', '""') + '"'


def fts5_match(groups: QueryGroups) -> str:
    alternatives = (" OR ".join(fts5_quote(phrase) for phrase in group) for group in groups)
    return " OR ".join(f"({alternative})" for alternative in alternatives)


class SQLiteEngine(Engine):
    """FTS5 over the token columns (external content kept in step by triggers), ranked by bm25()."""

    vendor = "sqlite"

    def _candidates(self, cursor, groups: QueryGroups, filters: Filters, limit: int) -> list[int]:
        where, params = filters.sql()
        cursor.execute(
            f"SELECT d.id FROM {FTS_TABLE} JOIN {DOC_TABLE} d ON d.id = {FTS_TABLE}.rowid "  # noqa: S608  (fixed names; values are parameters)
            f"WHERE {FTS_TABLE} MATCH %s{where} "
            f"ORDER BY bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) LIMIT %s",
            [fts5_match(groups), *params, limit],
        )
        return [row[0] for row in cursor.fetchall()]

    def _doc_freqs(self, cursor, tokens: Sequence[str]) -> dict[str, int]:
        cursor.execute(_DOC_FREQS_SQL, [json.dumps(list(tokens))])
        freqs = dict.fromkeys(tokens, 0)
        freqs.update(dict(cursor.fetchall()))
        return freqs


class PostgreSQLEngine(Engine):
    """A generated tsvector (simple config, title weighted A, body B) with a GIN index."""

    vendor = "postgresql"

    def _candidates(self, cursor, groups: QueryGroups, filters: Filters, limit: int) -> list[int]:
        phrases = [" ".join(phrase) for group in groups for phrase in group]
        tsquery = " || ".join(["phraseto_tsquery('simple', %s)"] * len(phrases))
        where, params = filters.sql()
        cursor.execute(
            f"SELECT d.id FROM {DOC_TABLE} d, (SELECT {tsquery}) AS q(q) "  # noqa: S608  (fixed names; values are parameters)
            f"WHERE d.search_vector @@ q.q{where} "
            "ORDER BY ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', d.search_vector, q.q, 1) DESC LIMIT %s",
            [*phrases, *params, limit],
        )
        return [row[0] for row in cursor.fetchall()]

    def _doc_freqs(self, cursor, tokens: Sequence[str]) -> dict[str, int]:
        freqs = {}
        for token in tokens:
            cursor.execute(
                f"SELECT count(*) FROM {DOC_TABLE} "  # noqa: S608
                "WHERE search_vector @@ phraseto_tsquery('simple', %s)",
                [token],
            )
            freqs[token] = cursor.fetchone()[0]
        return freqs


def get_engine() -> Engine:
    """Return the engine for the database in use."""
    if connection.vendor == "postgresql":
        return PostgreSQLEngine()
    return SQLiteEngine()
