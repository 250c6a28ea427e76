"""Search quality: load a judged corpus through the real search service, print hit@k and MRR@10.

Run it from the project root:

    .venv/bin/python bench/search_eval.py \\
        --corpus ../shared/data/stackfaq/corpus.jsonl \\
        --queries ../shared/data/stackfaq/queries.jsonl \\
        --engines sqlite,postgresql --pg-url postgres://postgres@127.0.0.1:5432/madoguchi_search

Corpus lines: {"id", "title", "body", "lang"}; query lines: {"id", "query", "relevant": [ids]}.
For each engine a child process gets a fresh database (SQLite: a file in /tmp; PostgreSQL: the
search tables of the database given are emptied), migrates it, indexes the corpus with
services.documents_index (timed: lexical articles/s), embeds it with services.embeddings_compute
and runs every query through selectors.search in each mode.

The corpus is indexed as documents of a bench-only source, "bench.doc", registered here with a
visibility hook that shows everything: until the knowledge base exists there is no article model.
Vectors are cached on disk (--cache-dir, keyed by model and text hash), so a second run only
pays for ranking. Data sets are read where they are; never copy them into the repository.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = "/tmp/madoguchi-search-eval.sqlite3"  # noqa: S108  (a scratch database)
MODES = ("lexical", "semantic", "hybrid")
SOURCE = "bench.doc"


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _metrics(ranked: list[list[str]], relevant: list[set[str]]) -> dict[str, float]:
    def hit(k: int) -> float:
        return sum(bool(set(r[:k]) & rel) for r, rel in zip(ranked, relevant, strict=True)) / len(
            ranked
        )

    reciprocal = 0.0
    for results, rel in zip(ranked, relevant, strict=True):
        for position, doc in enumerate(results[:10], start=1):
            if doc in rel:
                reciprocal += 1 / position
                break
    return {
        "hit@1": hit(1),
        "hit@3": hit(3),
        "hit@5": hit(5),
        "mrr@10": reciprocal / len(ranked),
    }


def _child(args: argparse.Namespace) -> None:
    """Run in a child process whose DATABASE_URL selects the engine; print one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from madoguchi.search import embeddings, selectors, services, sources
    from madoguchi.search.analysis import analyze
    from madoguchi.search.engines import get_engine
    from madoguchi.search.models import SearchDocument, SearchLog
    from madoguchi.search.query import parse_query

    call_command("migrate", verbosity=0)
    SearchDocument.objects.all().delete()
    SearchLog.objects.all().delete()
    sources.register(sources.SearchSource(name=SOURCE, visible=lambda viewer, keys: keys))
    corpus = _read_jsonl(Path(args.corpus))
    queries = _read_jsonl(Path(args.queries))[: args.limit_queries or None]
    items = [
        sources.IndexedDocument(
            source=SOURCE,
            key=str(d["id"]),
            title=d["title"],
            body=d.get("body", ""),
            lang=d.get("lang", ""),
        )
        for d in corpus
    ]
    analyze("辞書を読み込む")  # the Sudachi dictionary loads once per process: not indexing time
    started = time.perf_counter()
    services.documents_index(items)
    index_seconds = time.perf_counter() - started
    embeddings.use_disk_cache(Path(args.cache_dir))
    started = time.perf_counter()
    embedded = services.embeddings_compute(limit=len(items)) if args.modes != "lexical" else 0
    embed_seconds = time.perf_counter() - started
    if args.modes != "lexical":
        texts = [parse_query(q["query"], engine=get_engine()).semantic_text for q in queries]
        for start in range(0, len(texts), 64):
            embeddings.embed_queries(texts[start : start + 64])
    relevant = [{str(r) for r in q["relevant"]} for q in queries]
    report = {
        "engine": connection.vendor,
        "documents": len(items),
        "queries": len(queries),
        "index_per_second": round(len(items) / index_seconds),
        "embedded": embedded,
        "embed_seconds": round(embed_seconds, 1),
        "modes": {},
    }
    for mode in args.modes.split(","):
        started = time.perf_counter()
        ranked = [
            [hit.key for hit in selectors.search(q["query"], viewer=None, mode=mode).hits]
            for q in queries
        ]
        seconds = time.perf_counter() - started
        report["modes"][mode] = {
            **_metrics(ranked, relevant),
            "ms_per_query": round(1000 * seconds / len(queries), 1),
        }
    sys.stdout.write(json.dumps(report) + "\n")


def _engine_url(engine: str, args: argparse.Namespace) -> str:
    if engine == "sqlite":
        Path(args.sqlite_path).unlink(missing_ok=True)
        return f"sqlite:///{args.sqlite_path}"
    if not args.pg_url:
        sys.exit("--pg-url is needed for the postgresql engine")
    return args.pg_url


def _print(report: dict) -> None:
    print(
        f"\n{report['engine']}: {report['documents']} documents, {report['queries']} queries; "
        f"lexical indexing {report['index_per_second']} documents/s; "
        f"{report['embedded']} embedded in {report['embed_seconds']} s"
    )
    print(f"  {'mode':<9} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'MRR@10':>7} {'ms/query':>9}")
    for mode, m in report["modes"].items():
        print(
            f"  {mode:<9} {m['hit@1']:6.3f} {m['hit@3']:6.3f} {m['hit@5']:6.3f} "
            f"{m['mrr@10']:7.3f} {m['ms_per_query']:9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--pg-url", default="")
    parser.add_argument("--sqlite-path", default=SQLITE_PATH)
    parser.add_argument("--cache-dir", default=str(ROOT / "var" / "search-eval-cache"))
    parser.add_argument("--limit-queries", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    for engine in args.engines.split(","):
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MADOGUCHI_TESTING"}}
        env |= {"DATABASE_URL": _engine_url(engine, args), "DEBUG": env.get("DEBUG", "1")}
        child = subprocess.run(
            [sys.executable, __file__, "--child", *sys.argv[1:]],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            sys.stderr.write(child.stderr)
            sys.exit(f"{engine}: the evaluation failed")
        _print(json.loads(child.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
