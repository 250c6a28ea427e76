"""Time `import_articles` on synthetic JSON lines: 10,000 articles by default (issue 5: < 60 s).

    .venv/bin/python bench/kb_import.py [--articles 10000] [--again]

Writes a JSON lines file of synthetic articles (madoguchi/kb/synthetic.py: half English, half
Japanese, ~2 kB Markdown bodies, 40 sections, up to 3 tags each) into bench/results/, imports it
into a fresh database (SQLite under bench/results/data/, or DATABASE_URL's server in the
database madoguchi_kbimport) and prints the import time. --again imports the same file a
second time, which must change nothing and write no new versions.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _slash, _name = url.rpartition("/")
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS madoguchi_kbimport")
            conn.execute(
                "CREATE DATABASE madoguchi_kbimport ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' "
                "LC_COLLATE 'C.UTF-8' TEMPLATE template0"
            )
        return f"{base}/madoguchi_kbimport"
    path = RESULTS / "data" / "kb_import.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob("kb_import.sqlite3*"):
        leftover.unlink()
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--again", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = _database()
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("MADOGUCHI_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "madoguchi.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from madoguchi.kb import formats, synthetic

    call_command("migrate", verbosity=0)
    source = RESULTS / f"kb_import_{args.articles}.jsonl"
    made = synthetic.entries(args.articles, random.Random(1))
    source.write_text("".join(formats.to_jsonl(made)), "utf-8")
    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(f"{args.articles} articles, {source.stat().st_size / 1e6:.1f} MB, {engine}")
    runs = 2 if args.again else 1
    for run in range(runs):
        started = time.perf_counter()
        call_command("import_articles", str(source), kb="bench", verbosity=0)
        print(f"import {run + 1}: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
