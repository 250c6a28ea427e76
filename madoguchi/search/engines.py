"""Lexical engines: one interface, chosen by the database vendor.

An engine finds candidate documents for an analysed query and counts document frequencies; the
final lexical score is computed in Python (ranking.bm25_scores) from the same statistics on both
engines, so SQLite and PostgreSQL rank alike. User text never reaches the engine's query syntax:
every token is a bound parameter (PostgreSQL) or a quoted, escaped FTS5 string (SQLite).
"""

import json
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction

from madoguchi.search.sources import stored_label

# A query: groups (one per query word) of alternatives (synonyms); an alternative is a phrase.
Phrase = tuple[str, ...]
QueryGroups = Sequence[Sequence[Phrase]]

DOC_TABLE = "search_searchdocument"
FTS_TABLE = "search_fts"
VOCAB_TABLE = "search_fts_vocab"
SCOPE_INDEX = "search_document_scope"  # SQLite: id, source, lang (migration 0006)
# The query's tokens arrive as one JSON array parameter, so the statement text never varies.
_DOC_FREQS_SQL = (
    f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term IN (SELECT value FROM json_each(%s))"  # noqa: S608
)
# Title matches count this many times a body match in the engines' own candidate ranking.
TITLE_WEIGHT = 3.0
_PG_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"
DF_CACHE_SECONDS = 300
# Matches one search ranks at most: ranking costs about 5 microseconds a match (FTS5 on the
# bench machine), and a word in every other article of 100,000 took 240 ms. See plan().
RANKED_MATCHES = 5_000
# What a suggestion ranks at most: they are asked at every pause in typing and show a handful,
# so a common word's suggestions come from its newest 500 title matches, not 5,000 (3 ms less
# per keystroke at 100,000 articles).
SUGGESTION_MATCHES = 500


class EngineUnavailableError(Exception):
    """The lexical index cannot be queried (missing or corrupt); callers fall back (F12)."""


@dataclass(frozen=True)
class Filters:
    """What a search keeps to: sources, languages, and scopes.

    `scopes` holds sets of labels (sources.IndexedDocument.scopes): a document is kept when it
    has one label of every set. A document without labels (indexed before its source gave
    them) is kept too: scopes narrow ahead of the ranking's cut, the source's own checks after
    it stay the rule.
    """

    sources: Collection[str] = ()
    langs: Collection[str] = ()
    scopes: Sequence[Collection[str]] = ()

    def sql(self) -> tuple[str, list[str]]:
        clauses, params = [], []
        if self.sources:
            clauses.append(f"d.source IN ({', '.join(['%s'] * len(self.sources))})")
            params.extend(self.sources)
        if self.langs:
            clauses.append(f"d.lang IN ({', '.join(['%s'] * len(self.langs))})")
            params.extend(self.langs)
        for labels in self.scopes:
            held = " OR ".join(["d.scopes LIKE %s"] * len(labels)) or "1 = 0"
            clauses.append(f"(d.scopes = '' OR {held})")
            # Labels hold no LIKE wildcard (sources.scopes_text).
            params.extend(f"%{stored_label(label)}%" for label in labels)
        return "".join(f" AND {clause}" for clause in clauses), params


@dataclass(frozen=True)
class Plan:
    """What the engine matches: the groups, and whether their matches are too many to rank all."""

    groups: QueryGroups
    capped: bool = False


def _group_frequency(group: Sequence[Phrase], freqs: Mapping[str, int]) -> int:
    """Return at most how many documents match the group (a phrase: as its rarest word)."""
    return sum(min((freqs.get(token, 0) for token in phrase), default=0) for phrase in group)


def plan(groups: QueryGroups, freqs: Mapping[str, int], ranked: int = 0) -> Plan:
    """Choose what to match so that a search ranks about `ranked` (else RANKED_MATCHES)
    documents at most.

    A rare word decides the ranking (BM25's idf); a word in half the corpus barely moves it. So
    when the query's words together are in too many documents, the commonest groups are left out
    of the match (they still score the candidates found: ranking.bm25_scores), as MaxScore-style
    engines do. When even the rarest group is that common, every group is matched but only the
    title matches, then the newest, are ranked (`capped`).
    """
    ranked = ranked or RANKED_MATCHES
    frequencies = [_group_frequency(group, freqs) for group in groups]
    rarest_first = sorted(range(len(groups)), key=frequencies.__getitem__)
    if not groups or frequencies[rarest_first[0]] > ranked:
        return Plan(groups, capped=bool(groups))
    chosen, total = set(), 0
    for position in rarest_first:
        total += frequencies[position]
        if total > ranked:
            break
        chosen.add(position)
    return Plan([group for position, group in enumerate(groups) if position in chosen])


def _savepoint() -> AbstractContextManager[object]:
    """A savepoint inside the caller's transaction: on PostgreSQL a failed statement would
    otherwise poison it, and the fallback query after it. Outside one, no transaction at all:
    on SQLite it would begin IMMEDIATE and hold the write lock for a read."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


class Engine:
    vendor = ""

    def __init__(self, ranked: int = 0) -> None:
        # How many matches one search ranks at most (see plan()).
        self.ranked = ranked or RANKED_MATCHES

    def candidates(
        self, groups: QueryGroups, *, filters: Filters, limit: int, freqs: Mapping[str, int]
    ) -> list[int]:
        """Return ids of documents matching the query, best first by the engine's own rank.

        `freqs` (doc_freqs of the query's tokens) bound the work: see plan().
        """
        chosen = plan(groups, freqs, self.ranked)
        if not chosen.groups:
            return []
        try:
            with _savepoint(), connection.cursor() as cursor:
                if chosen.capped:
                    return self._titles_first(cursor, chosen.groups, filters, limit)
                return self._candidates(cursor, chosen.groups, filters, limit)
        except DatabaseError as exc:
            raise EngineUnavailableError(str(exc)) from exc

    def _titles_first(self, cursor, groups: QueryGroups, filters: Filters, limit: int) -> list[int]:
        """The capped tier: the newest title matches ranked, topped up with the newest matches
        anywhere when titles hold too few."""
        found = self._capped(cursor, groups, filters, limit, titles_only=True)
        if len(found) < limit:
            seen = set(found)
            more = self._capped(cursor, groups, filters, limit, titles_only=False)
            found += [doc for doc in more if doc not in seen][: limit - len(found)]
        return found

    def title_prefix(self, phrase: Phrase, *, filters: Filters, limit: int) -> list[int]:
        """Return documents whose title holds `phrase` with its last word only begun (what is
        typed so far), best first among the newest `ranked` of them."""
        if not phrase:
            return []
        try:
            with _savepoint(), connection.cursor() as cursor:
                return self._title_prefix(cursor, phrase, filters, limit)
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

    def _capped(
        self, cursor, groups: QueryGroups, filters: Filters, limit: int, *, titles_only: bool
    ) -> list[int]:
        """Rank the newest `ranked` matches (in titles only, or anywhere)."""
        raise NotImplementedError

    def _title_prefix(self, cursor, phrase: Phrase, filters: Filters, limit: int) -> list[int]:
        raise NotImplementedError

    def _doc_freqs(self, cursor, tokens: Sequence[str]) -> dict[str, int]:
        raise NotImplementedError


def fts5_quote(phrase: Phrase) -> str:
    """Return `phrase` as one FTS5 string: inside double quotes nothing is an operator."""
    return '"' + " ".join(phrase).replace('"', '""') + '"'


def fts5_match(groups: QueryGroups) -> str:
    alternatives = (" OR ".join(fts5_quote(phrase) for phrase in group) for group in groups)
    return " OR ".join(f"({alternative})" for alternative in alternatives)


def _best_of(matches: str, order: str) -> str:
    """Return a statement ranking the rows of `matches` (a statement, alias m) by `order` (fixed
    text of ours), LIMIT to bind."""
    return f"SELECT id FROM ({matches}) AS m ORDER BY {order} LIMIT %s"  # noqa: S608  (fixed fragments; values are parameters)


class SQLiteEngine(Engine):
    """FTS5 over the token columns (external content kept in step by triggers), ranked by bm25()."""

    vendor = "sqlite"

    def _candidates(self, cursor, groups: QueryGroups, filters: Filters, limit: int) -> list[int]:
        matches, params = self._matches(fts5_match(groups), filters, order="score")
        cursor.execute(matches, [*params, limit])
        return [row[0] for row in cursor.fetchall()]

    def _capped(
        self, cursor, groups: QueryGroups, filters: Filters, limit: int, *, titles_only: bool
    ) -> list[int]:
        match = fts5_match(groups)
        return self._newest_ranked(
            cursor, f"{{title_tokens}} : ({match})" if titles_only else match, filters, limit
        )

    def _title_prefix(self, cursor, phrase: Phrase, filters: Filters, limit: int) -> list[int]:
        # A * after a quoted string makes its last token a prefix.
        return self._newest_ranked(
            cursor, f"{{title_tokens}} : {fts5_quote(phrase)}*", filters, limit
        )

    def _newest_ranked(self, cursor, match: str, filters: Filters, limit: int) -> list[int]:
        matches, params = self._matches(match, filters, order=f"{FTS_TABLE}.rowid DESC")
        cursor.execute(_best_of(matches, "score"), [*params, self.ranked, limit])
        return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _matches(match: str, filters: Filters, *, order: str) -> tuple[str, list[object]]:
        """Return the statement of the documents matching, best `order` first, LIMIT to bind."""
        where, params = filters.sql()
        sql = (
            f"SELECT d.id AS id, bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) AS score "  # noqa: S608  (fixed names; values are parameters)
            f"FROM {FTS_TABLE} JOIN {DOC_TABLE} d INDEXED BY {SCOPE_INDEX} "
            f"ON d.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s{where} "
            f"ORDER BY {order} LIMIT %s"
        )
        return sql, [match, *params]

    def _doc_freqs(self, cursor, tokens: Sequence[str]) -> dict[str, int]:
        cursor.execute(_DOC_FREQS_SQL, [json.dumps(list(tokens))])
        freqs = dict.fromkeys(tokens, 0)
        freqs.update(dict(cursor.fetchall()))
        return freqs


# A tsquery expression and its parameters.
_PGQuery = tuple[str, list[str]]


def _pg_query(groups: QueryGroups) -> _PGQuery:
    phrases = [" ".join(phrase) for group in groups for phrase in group]
    return " || ".join(["phraseto_tsquery('simple', %s)"] * len(phrases)), phrases


def _pg_rank(vector: str, query: str) -> str:
    """PostgreSQL's own order of candidates, close to the final BM25's: title over body, more
    occurrences over fewer. ts_rank, not ts_rank_cd, whose proximity covers cost four times as
    much (24 against 6 ms for 1,000 matches). No length normalisation: with it, one mention in
    a short text outranked three in a longer one. Repetition cannot run away without it for
    words and their alternatives, what queries are made of: each further occurrence counts less
    (1/n²). A lone multi-word phrase is scored otherwise, but a phrase only comes with a
    synonym's alternatives (query._groups)."""
    return f"ts_rank({_PG_WEIGHTS}, {vector}, {query}, 0) DESC"


class PostgreSQLEngine(Engine):
    """A generated tsvector (simple config, title weighted A, body B) with a GIN index."""

    vendor = "postgresql"

    def _candidates(self, cursor, groups: QueryGroups, filters: Filters, limit: int) -> list[int]:
        matches, params = self._matches(
            _pg_query(groups),
            filters,
            "d.search_vector",
            order=_pg_rank("d.search_vector", "q.q"),
        )
        cursor.execute(matches, [*params, limit])
        return [row[0] for row in cursor.fetchall()]

    def _capped(
        self, cursor, groups: QueryGroups, filters: Filters, limit: int, *, titles_only: bool
    ) -> list[int]:
        # Titles alone: their own vector (migration 0007); search_vector cannot tell them.
        vector = "d.title_vector" if titles_only else "d.search_vector"
        return self._newest_ranked(cursor, _pg_query(groups), filters, vector, limit)

    def _title_prefix(self, cursor, phrase: Phrase, filters: Filters, limit: int) -> list[int]:
        # phraseto_tsquery quotes every word, so ":*" (prefix) can only attach to the last one;
        # a phrase of no word (punctuation) stays the empty query, which matches nothing.
        query = (
            "(SELECT CASE WHEN numnode(p) = 0 THEN p ELSE (p::text || ':*')::tsquery END "
            "FROM phraseto_tsquery('simple', %s) AS t(p))",
            [" ".join(phrase)],
        )
        return self._newest_ranked(cursor, query, filters, "d.title_vector", limit)

    def _newest_ranked(
        self, cursor, query: _PGQuery, filters: Filters, vector: str, limit: int
    ) -> list[int]:
        """Rank the newest `ranked` documents whose `vector` matches, on that vector."""
        matches, params = self._matches(query, filters, vector, order="d.id DESC")
        rank = _pg_rank("m.vector", "m.q")
        cursor.execute(_best_of(matches, rank), [*params, self.ranked, limit])
        return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _matches(
        query: _PGQuery, filters: Filters, vector: str, *, order: str
    ) -> tuple[str, list[object]]:
        """Return the statement of the documents whose `vector` matches, `order` first, LIMIT to
        bind."""
        tsquery, query_params = query
        where, params = filters.sql()
        sql = (
            f"SELECT d.id AS id, {vector} AS vector, q.q FROM {DOC_TABLE} d, "  # noqa: S608  (fixed names; values are parameters)
            f"(SELECT {tsquery}) AS q(q) WHERE {vector} @@ q.q{where} ORDER BY {order} LIMIT %s"
        )
        return sql, [*query_params, *params]

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


def get_engine(ranked: int = 0) -> Engine:
    """Return the engine for the database in use, ranking `ranked` matches at most."""
    if connection.vendor == "postgresql":
        return PostgreSQLEngine(ranked)
    return SQLiteEngine(ranked)
