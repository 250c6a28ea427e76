"""Profile one benchmark page in-process, on the data bench/run.py seeded.

    .venv/bin/python bench/page_profile.py B2_request              # CPU ms per request, queries
    .venv/bin/python bench/page_profile.py B2_request --sql        # ... and each query
    .venv/bin/python bench/page_profile.py B2_request --cprofile   # ... and the costliest functions

The page is requested as the benchmark requests it (same environment as the server: DEBUG=0,
the bench database, DATABASE_URL/REDIS_URL as for run.py; signed in through a real session),
once to warm up, then --calls times in batches of five. CPU time is the process's own
(time.process_time), steadier than wall-clock time on a shared machine; the cheapest batch is
the figure to compare (other processes only ever make a batch slower).
"""

import argparse
import cProfile
import itertools
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the environment, the scenarios and the seeded subjects

BATCH = 5  # requests per timed batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a scenario name of bench/run.py (B1_my_activity, ...)")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print every query of one request")
    parser.add_argument("--cprofile", action="store_true", help="print the costliest functions")
    args = parser.parse_args()
    os.environ.update(run.bench_env())
    os.chdir(run.ROOT)
    sys.path.insert(0, str(run.ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scenario = next(s for s in run.SCENARIOS if s.name == args.scenario)
    subjects = run.app_subjects()
    client, paths, form = signed_in_client(scenario, subjects)
    turns = itertools.cycle(paths)

    def once() -> int:
        path = next(turns)
        response = client.post(path, form) if form else client.get(path)
        return response.status_code

    once()
    with CaptureQueriesContext(connection) as captured:
        status = once()
    print(f"{scenario.name} {paths[0]} ({len(paths)} variants): {status}, {len(captured)} queries")
    if args.sql:
        for query in captured.captured_queries:
            print(f"  {query['time']}s {query['sql'][:400]}")
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    batches = []
    for _ in range(max(1, args.calls // BATCH)):
        started = time.process_time()
        for _ in range(BATCH):
            once()
        batches.append((time.process_time() - started) / BATCH * 1000)
    if profiler:
        profiler.disable()
    print(
        f"CPU per request: {min(batches):.2f} ms in the cheapest batch of {BATCH}, "
        f"{statistics.median(batches):.2f} ms median of {len(batches)}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(120)


def signed_in_client(
    scenario: run.Scenario, subjects: dict[str, str]
) -> tuple[Any, list[str], dict[str, str]]:
    """Return a client signed in as the scenario's user, its paths (variants taken in turn: the
    same search again would measure caches) and its form."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(headers=dict([run.PROXY_HEADER]), HTTP_HOST="127.0.0.1")
    if scenario.user:
        user = get_user_model().objects.get(email=scenario.user.format(**subjects))
        client.force_login(user)
    paths = list(run.scenario_paths(scenario, subjects))
    form = {key: value.format(**subjects) for key, value in scenario.form}
    return client, paths, form


if __name__ == "__main__":
    main()
