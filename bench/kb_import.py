"""Time `import_articles` on synthetic JSON lines: 10,000 articles by default (issue 5: < 60 s).

    .venv/bin/python bench/kb_import.py [--articles 10000] [--again]

Writes a JSON lines file of synthetic articles (half English, half Japanese, Markdown bodies of
~1.5 kB, 40 sections, 3 tags each) into bench/results/, imports it into a fresh database
(SQLite under bench/results/data/, or DATABASE_URL's server in the database madoguchi_kbimport)
and prints the parse and import times. --again imports the same file a second time, which must
change nothing and write no new versions.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORDS_EN = ["account", "password", "invoice", "printer", "network", "setting", "screen", "order"]
WORDS_JA = [
    "アカウント",
    "パスワード",
    "請求書",
    "プリンター",
    "ネットワーク",
    "設定",
    "画面",
    "注文",
]


def synthetic(count: int, rng: random.Random) -> list[dict]:
    rows = []
    for number in range(count):
        japanese = number % 2 == 1
        words = WORDS_JA if japanese else WORDS_EN
        joiner = "" if japanese else " "
        title = joiner.join(rng.choice(words) for _ in range(4)) + f" {number}"
        paragraphs = [
            joiner.join(rng.choice(words) for _ in range(40)) for _ in range(rng.randint(3, 6))
        ]
        body = (
            f"## {title}\n\n"
            + "\n\n".join(paragraphs)
            + "\n\n- **one**\n- [two](https://example.com)\n"
        )
        rows.append(
            {
                "id": f"ext-{number}",
                "title": title,
                "body": body,
                "lang": "ja" if japanese else "en",
                "category": f"category-{number % 8}",
                "section": f"section-{number % 40}",
                "tags": [rng.choice(WORDS_EN) for _ in range(3)],
            }
        )
    return rows


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

    call_command("migrate", verbosity=0)
    source = RESULTS / f"kb_import_{args.articles}.jsonl"
    rows = synthetic(args.articles, random.Random(1))
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(f"{args.articles} articles, {source.stat().st_size / 1e6:.1f} MB, {engine}")
    runs = 2 if args.again else 1
    for run in range(runs):
        started = time.perf_counter()
        call_command("import_articles", str(source), kb="bench", verbosity=0)
        print(f"import {run + 1}: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
