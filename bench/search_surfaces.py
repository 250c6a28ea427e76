"""Time the search surfaces on the database bench/kb_import.py left behind (SQLite by default).

    .venv/bin/python bench/kb_import.py --articles 2000
    .venv/bin/python bench/search_surfaces.py [--requests 200]

Sends header suggestions (/<lang>/search/suggest/, a title's first word or two) and search
pages (/<lang>/search/?q=, keyword mode as the model is off here) through Django's test client,
one at a time, as a visitor, and prints p50 and p95 per surface. Sequential and in-process:
it measures the server's own work, not concurrency (scenario B4 of BENCHMARKS.md does that).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "results" / "data" / "kb_import.sqlite3"


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{DATA}")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("MADOGUCHI_LOG_LEVEL", "WARNING")
    os.environ["MADOGUCHI_SEARCH_SEMANTIC"] = "0"
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "madoguchi.settings"
    import django

    django.setup()
    from django.test import Client

    from madoguchi.search.models import SearchDocument

    titles = list(SearchDocument.objects.values_list("lang", "title"))
    print(f"{len(titles)} documents indexed")
    chosen = random.Random(1).choices(titles, k=args.requests)
    client = Client(HTTP_HOST="localhost")
    for name, url, text in (
        ("suggest", "/{lang}/search/suggest/", lambda t: " ".join(t.split()[:2]) or t[:3]),
        ("search page", "/{lang}/search/", lambda t: t),
    ):
        samples = []
        for lang, title in chosen:
            started = time.perf_counter()
            response = client.get(url.format(lang=lang), {"q": text(title)[:40]})
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        print(f"{name}: {_percentiles(samples)} over {len(samples)} requests")


if __name__ == "__main__":
    main()
