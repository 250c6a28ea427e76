"""Madoguchi benchmark: seed, serve as in production, load with wrk, print one table.

Run it from the project root:

    make bench                                   # SQLite, scale 1, 2 workers, 10 s per wrk run
    make bench BENCH_ARGS="--scale 10 --duration 20 --workers 2"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/madoguchi_bench \\
        REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --topology     # which server serves sync Django fastest

What it does: production-like environment (DEBUG=0, a fresh SECRET_KEY, data in bench/results/),
migrate, collectstatic, `manage.py seed --scale N` (skipped when that scale is seeded already),
count the SQL queries of each page in-process with Django's test Client, then start
`uvicorn madoguchi.asgi:application --workers W` on a free port and, for each scenario, warm up
and run `wrk -t1 -c20` (loaded) and `wrk -t1 -c1` (unloaded). The same is done for the bare
Django page and the ceiling page of bench/bare/app.py. The table is printed and written to
bench/results/latest.json (--topology: bench/results/topology.json). With DATABASE_URL set the
database used is the one named there when its name ends in "_bench", else `madoguchi_bench` on that
server (created UTF-8 / C.UTF-8 if missing).

On a shared machine a loaded run is repeated (twice at most) when other processes took more than
15 % of the CPU, or when one server process held most of wrk's keep-alive connections (the kernel
hands them out once, unevenly, so the run would measure one worker). Every server started is
stopped on exit, Ctrl-C and errors included; server logs are in bench/results/logs/.

To add a scenario (B1-B8 of BENCHMARKS.md) add one line to SCENARIOS.
"""

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import platform
import random
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BARE = ROOT / "bench" / "bare"
RESULTS = ROOT / "bench" / "results"
PEER = ROOT / "bench" / "peer"
PEER_VENV = RESULTS / "peer-venv"
PEER_PYTHON = PEER_VENV / "bin" / "python"
DATA = RESULTS / "data"
LOGS = RESULTS / "logs"
WRK_SCRIPT = RESULTS / "wrk.lua"
PYTHON = sys.executable
# The bench database on the DATABASE_URL server: the name given there when it ends in "_bench" (so
# several worktrees can share one server), else this one. It is dropped and re-seeded at will, so
# a database not named for the bench is never used. The peer's is named after it.
PG_DATABASE = "madoguchi_bench"
PROXY_HEADER = ("X-Forwarded-Proto", "https")  # production redirects plain HTTP to HTTPS
WARM_UP_SECONDS = 2
SEARCHES = 500  # different searches of a B4 scenario
SEARCH_SEED = 4
# The peer's slowest pages take seconds: a response is waited for this long, not wrk's 2 s.
WRK_TIMEOUT_SECONDS = 60
READY_TIMEOUT_SECONDS = 60
PREFLIGHT_TRIES = 3
# Switches in the caller's environment that would make the run unlike production.
NOT_INHERITED = frozenset(
    {
        "MADOGUCHI_TESTING", "MADOGUCHI_SSL_REDIRECT", "MADOGUCHI_LOG_FORMAT", "SECRET_KEY_FILE",
        "STATIC_ROOT", "MEDIA_ROOT", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_CONN_MAX_AGE",
    }
)  # fmt: skip
# Other processes' share of the machine's CPU above which a wrk run is repeated once (shared hosts).
NOISY_PERCENT = 15
# wrk's keep-alive connections are spread over the server processes once, when they connect, and
# unevenly: when one process holds more than this share after 1 s, wrk is restarted (a few times).
MAX_WORKER_SHARE = 0.7
REBALANCE_TRIES = 5


@dataclass(frozen=True)
class Scenario:
    """One page to load. `path` may be "static:<name>", resolved through the static storage.

    `{name}` in path, user and form values stands for a seeded person or request, found by the
    probe (see app_subjects and peer_subjects): the same rows on both sides.
    """

    name: str
    path: str
    user: str | None = None  # e-mail of a seeded user to sign in as (session cookie sent by wrk)
    # Fields to POST to path; wrk's Lua script GETs path first for a CSRF token, then POSTs.
    form: tuple[tuple[str, str], ...] = ()
    connections: int = 20  # of the loaded run
    # A subject holding a JSON list of values for `{q}` in path: wrk picks one at random for
    # each request (searches differ; the probe counts the first one's queries).
    variants: str = ""


SUBJECT_EN = "Order 48213 arrived damaged"
SUBJECT_JA = "注文番号48213の商品が破損していました。交換をお願いします。"
# Madoguchi's pages. One line per scenario (B1-B8 of BENCHMARKS.md; "heavy" variants: the
# customer with 5,000 requests, the request with 50 messages).
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("home", "/"),
    # The floor of every signed-in page: the session, the user, the gate and the layout, and
    # no content of its own (the home page is static text).
    Scenario("home_customer", "/", user="{customer}"),
    Scenario("healthz_live", "/healthz/live"),
    Scenario("static", "static:css/madoguchi.css"),
    Scenario("B1_my_activity", "/requests/", user="{customer}"),
    Scenario("B1_heavy", "/requests/", user="{heavy}"),
    Scenario("B2_request", "/requests/{request}/", user="{customer}"),
    Scenario("B2_heavy", "/requests/{long_thread}/", user="{customer}"),
    Scenario("B6_queue", "/agent/?queue=mine&priority=high&sort=updated", user="{agent}"),
    Scenario("B7_workspace", "/agent/requests/{request}/", user="{agent}"),
    # B3: an article page (~2 kB Markdown, breadcrumbs, 5 related) and its section's list, as a
    # visitor and as a customer whose segment opens more articles.
    Scenario("B3_article", "/en/kb/guide/articles/{kb_article}/"),
    Scenario("B3_article_customer", "/en/kb/guide/articles/{kb_article}/", user="{kb_reader}"),
    Scenario("B3_section", "/en/kb/guide/sections/{kb_section}/"),
    Scenario("B3_section_customer", "/en/kb/guide/sections/{kb_section}/", user="{kb_reader}"),
    # B4: the search page (top 10 with snippets) and the header's suggestions, as a visitor, for
    # 500 different searches (kb/synthetic.py): one repeated would measure caches.
    Scenario("B4_search", "/en/search/?q={q}", variants="search_en"),
    Scenario("B4_search_ja", "/ja/search/?q={q}", variants="search_ja"),
    Scenario("B4_suggest", "/en/search/suggest/?q={q}", variants="typed"),
    # Last: it adds requests (to its own customer, who is in no other scenario).
    Scenario(
        "B5_submit",
        "/requests/new/{request_type}/",
        user="{submitter}",
        form=(("subject", SUBJECT_EN), ("description", SUBJECT_JA)),
        connections=50,
    ),
)
# The reference pages served by bench/bare/app.py.
REFERENCES: tuple[Scenario, ...] = (
    Scenario("bare", "/"),
    Scenario("ceiling", "/ceiling"),
)
# django-helpdesk's pages mapped to ours (BENCHMARKS.md): customer ticket list API, public ticket
# view, staff ticket list data (what its list page loads), staff ticket view, KB category page
# (with an item opened for B3's article), ticket submission.
PEER_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("B1_my_activity", "/api/user_tickets/", user="{customer}"),
    Scenario("B1_heavy", "/api/user_tickets/", user="{heavy}"),
    Scenario("B2_request", "/view/?ticket={request_ref}&email={customer}", user="{customer}"),
    Scenario("B2_heavy", "/view/?ticket={long_thread_ref}&email={customer}", user="{customer}"),
    Scenario(
        "B6_queue", "/datatables_ticket_list/{queue_query}?draw=1&start=0&length=25", user="{agent}"
    ),
    Scenario("B7_workspace", "/tickets/{request}/", user="{agent}"),
    # Its KB item page is its category's page with the item opened: every item of the category.
    Scenario("B3_article", "/kb/c{kb_category}/?kbitem={kb_article_id}"),
    Scenario(
        "B3_article_customer", "/kb/c{kb_category}/?kbitem={kb_article_id}", user="{kb_reader}"
    ),
    Scenario("B3_section", "/kb/c{kb_category}/"),
    Scenario("B3_section_customer", "/kb/c{kb_category}/", user="{kb_reader}"),
    Scenario(
        "B5_submit",
        "/tickets/submit/",
        user="{submitter}",
        form=(
            ("queue", "{request_type}"),
            ("title", SUBJECT_EN),
            ("body", SUBJECT_JA),
            ("priority", "3"),
            ("submitter_email", "{submitter}"),
        ),
        connections=50,
    ),
)
TARGETS = {"app": SCENARIOS, "bare": REFERENCES, "peer": PEER_SCENARIOS}
READY_PATHS = {"app": "/healthz/live", "bare": "/", "peer": "/bench-ready"}
PEER_ENTRY = ("--app-dir", str(PEER), "app:asgi_a2wsgi")


@dataclass(frozen=True)
class Topology:
    """A way to serve: the server program and the entry point of each target."""

    name: str
    server: str  # "uvicorn" or "gunicorn"
    app: tuple[str, ...]
    bare: tuple[str, ...]
    keep_alive: bool = True  # False: one request per connection, so no connection imbalance


TOPOLOGIES: tuple[Topology, ...] = (
    Topology(
        "uvicorn + a2wsgi (ours)",
        "uvicorn",
        ("madoguchi.asgi:application",),
        ("--app-dir", str(BARE), "app:asgi_a2wsgi"),
    ),
    Topology(
        "gunicorn sync",
        "gunicorn",
        ("madoguchi.wsgi:application",),
        ("--pythonpath", str(BARE), "app:application"),
        keep_alive=False,
    ),
    Topology(
        "uvicorn + Django ASGI",
        "uvicorn",
        ("--factory", "django.core.asgi:get_asgi_application"),
        ("--app-dir", str(BARE), "app:asgi_django"),
    ),
)
PRODUCTION = TOPOLOGIES[0]

WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""
# A form submission: GET the form until its CSRF token is known (the token is masked afresh in
# each page, the cookie's secret is the one wrk sends), then POST the fields with it. Success
# is a redirect; a refused form (422, 403) or a server error counts as an error.
WRK_POST_LUA = """
local fields = %(fields)s
local token = nil

local function headers(extra)
  local all = {}
  for name, value in pairs(wrk.headers) do all[name] = value end
  for name, value in pairs(extra) do all[name] = value end
  return all
end

request = function()
  if token == nil then
    return wrk.format("GET", wrk.path, headers({}))
  end
  return wrk.format("POST", wrk.path, headers({
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "https://localhost",
    ["Referer"] = "https://localhost" .. wrk.path,
  }), fields .. "&csrfmiddlewaretoken=" .. token)
end

response = function(status, headers, body)
  if token == nil and status == 200 then
    token = string.match(body, 'name="csrfmiddlewaretoken" value="([%%w]+)"')
  end
end
"""

# Scenarios with variants: each request asks for one of the paths, at random.
WRK_VARIANTS_LUA = """
local paths = {%(paths)s}
math.randomseed(os.time())

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


@dataclass(frozen=True)
class Page:
    """A scenario as the probe resolved it: concrete path, sign-in cookie, query count."""

    name: str
    path: str
    cookie: str | None
    queries: int
    status: int
    size: int  # bytes of the response body (the form page, for a submission)
    form: str = ""  # URL-encoded fields to POST (with the CSRF token wrk fetches)
    connections: int = 20
    variants: tuple[str, ...] = ()  # paths wrk picks from at random, path among them


@dataclass(frozen=True)
class Server:
    port: int
    pgid: int  # the server's process group: the master and its workers
    balanced: bool  # several workers holding keep-alive connections: check how they are spread


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    other_cpu: float | None  # % of the machine used by processes other than server and wrk
    busiest_worker: float | None  # share of wrk's connections held by the busiest server process
    restarts: int  # wrk restarts because one server process held most connections


@dataclass
class Row:
    scenario: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    unloaded_p99_ms: float
    queries: int
    size: int
    non_2xx: int
    socket_errors: int
    other_cpu: float | None
    unloaded_other_cpu: float | None
    busiest_worker: float | None
    wrk_restarts: int
    vs_bare: float | None = None
    vs_ceiling: float | None = None
    vs_peer: float | None = None
    connections: int = 20


def say(message: str) -> None:
    print(f"· {message}", flush=True)


# Environment and data ---------------------------------------------------------------------------


def database_url() -> str | None:
    """The caller's PostgreSQL server with the dedicated bench database, or None for SQLite."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    given = parts.path.lstrip("/")
    name = given if given.endswith("_bench") else PG_DATABASE
    return urlunsplit(parts._replace(path=f"/{name}"))


def peer_database() -> str:
    """The peer's database beside ours: helpdesk_bench for madoguchi_bench, and so on."""
    url = database_url()
    ours = urlsplit(url).path.lstrip("/") if url else PG_DATABASE
    return "helpdesk" + ours.removeprefix("madoguchi")


def database_kind() -> str:
    return "postgresql" if database_url() else "sqlite"


def sqlite_path() -> Path:
    return DATA / "madoguchi.sqlite3"


def bench_env() -> dict[str, str]:
    """Production settings (DEBUG=0) pointed at the bench data; REDIS_URL is kept if set."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="madoguchi.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="https://localhost",
        EMAIL_HOST="127.0.0.1",
        MADOGUCHI_LOG_LEVEL="WARNING",
        MADOGUCHI_DATA_DIR=str(DATA),
        DATABASE_URL=database_url() or f"sqlite:///{sqlite_path()}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def ensure_pg_database(url: str, *, reset: bool, database: str | None = None) -> None:
    """Create the bench database (UTF-8, C.UTF-8) if missing; drop it first when reset."""
    import psycopg  # only needed with PostgreSQL
    from psycopg import sql

    database = database or urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))
    name = sql.Identifier(database)
    with psycopg.connect(admin, autocommit=True) as conn:
        if reset:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if found.fetchone() is None:
            say(f"creating PostgreSQL database {database}")
            conn.execute(
                sql.SQL(
                    "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                    "LC_CTYPE 'C.UTF-8' TEMPLATE template0"
                ).format(name)
            )


def manage(env: dict[str, str], *arguments: str, check: bool = True) -> int:
    done = subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=check)
    return done.returncode


def seeded_scale(marker: Path) -> float | None:
    if not marker.exists():
        return None
    return float(json.loads(marker.read_text(encoding="utf-8"))["scale"])


def reset_database() -> None:
    url = database_url()
    if url:
        ensure_pg_database(url, reset=True)
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_path()}{suffix}").unlink(missing_ok=True)


DROP_UNSENT_MAIL = (
    "from django.conf import settings; from django_tasks_db.models import DBTaskResult; "
    "DBTaskResult.objects.filter(queue_name=settings.MAIL_QUEUE).delete()"
)


def prepare(env: dict[str, str], scale: float) -> None:
    """Migrate, collect static files, seed (unless this scale is seeded), fill the ceiling."""
    DATA.mkdir(parents=True, exist_ok=True)
    marker = DATA / f"seeded-{database_kind()}.json"
    recorded = seeded_scale(marker)
    if recorded is not None and recorded != scale:
        say(f"the bench database holds scale {recorded:g}: recreating it for scale {scale:g}")
        reset_database()
        marker.unlink()
        recorded = None
    url = database_url()
    if url:
        ensure_pg_database(url, reset=False)
    pending = manage(env, "migrate", "--check", "-v", "0", check=False) != 0
    say("migrate, collectstatic")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    if pending or recorded != scale:
        say(f"seed --scale {scale:g}")
        manage(env, "seed", "--scale", f"{scale:g}")
        marker.write_text(json.dumps({"scale": scale}), encoding="utf-8")
    else:
        say(f"scale {scale:g} is seeded already")
    # Mail an earlier run's requests queued and did not get to send would load this run.
    manage(env, "shell", "-c", DROP_UNSENT_MAIL)
    subprocess.run([PYTHON, str(BARE / "app.py"), "setup"], cwd=ROOT, env=env, check=True)


# The peer: django-helpdesk in its own virtualenv, seeded with the same rows -------------------


def python_for(target: str) -> Path:
    return PEER_PYTHON if target == "peer" else Path(PYTHON)


def peer_env(env: dict[str, str]) -> dict[str, str]:
    """The peer's project (bench/peer) on its own database, reading ours only to copy it."""
    url = database_url()
    peer_url = (
        urlunsplit(urlsplit(url)._replace(path=f"/{peer_database()}"))
        if url
        else f"sqlite:///{DATA / 'helpdesk.sqlite3'}"
    )
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": str(PEER),
        "DATABASE_URL": peer_url,
        "MADOGUCHI_DATABASE_URL": env["DATABASE_URL"],
        "MADOGUCHI_PRIVATE_ROOT": str(DATA / "private"),
        "PEER_DATA_DIR": str(DATA),
    }


def ensure_peer_venv() -> None:
    """Install django-helpdesk 2.6.1 and its pinned dependencies from PyPI (once)."""
    requirements = PEER / "requirements.txt"
    stamp = PEER_VENV / ".installed"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == requirements.read_text("utf-8"):
        return
    say(f"installing django-helpdesk into {PEER_VENV.relative_to(ROOT)}")
    subprocess.run([PYTHON, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(PEER_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(requirements)],
        check=True,
    )  # fmt: skip
    stamp.write_text(requirements.read_text("utf-8"), encoding="utf-8")


def prepare_peer(env: dict[str, str], scale: float) -> dict[str, str]:
    """Install, migrate and seed the peer (again when our data was seeded anew); its env."""
    ensure_peer_venv()
    penv = peer_env(env)
    ours = DATA / f"seeded-{database_kind()}.json"
    marker = DATA / f"peer-seeded-{database_kind()}.json"
    # Seeded again when our data or the copying changed.
    copier = hashlib.sha256((PEER / "seed.py").read_bytes()).hexdigest()
    wanted = {"scale": scale, "ours": ours.stat().st_mtime, "seed": copier}
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        say(f"the peer holds scale {scale:g} already")
        return penv
    url = database_url()
    if url:
        ensure_pg_database(url, reset=True, database=peer_database())
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'helpdesk.sqlite3'}{suffix}").unlink(missing_ok=True)
    say("peer: migrate, seed with the same rows")
    run_peer = [str(PEER_PYTHON), "-m", "django", "migrate", "--no-input", "-v", "0"]
    subprocess.run(run_peer, cwd=ROOT, env=penv, check=True)
    subprocess.run([str(PEER_PYTHON), str(PEER / "seed.py")], cwd=ROOT, env=penv, check=True)
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return penv


# Query counts, in a child process with the bench environment -----------------------------------


@dataclass(frozen=True)
class Probed:
    pages: list[Page]
    subjects: dict[str, str]  # placeholder -> seeded e-mail or primary key


def probe(env: dict[str, str], target: str, subjects: dict[str, str] | None = None) -> Probed:
    """Resolve each scenario of target and count its queries (see run_probe)."""
    env = {**env, "BENCH_SUBJECTS": json.dumps(subjects or {})}
    done = subprocess.run(
        [str(python_for(target)), __file__, "--probe", target],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Probed([Page(**page) for page in found["pages"]], found["subjects"])


def run_probe(target: str) -> None:
    """Child process: set Django up like the server and print each page's figures as JSON."""
    subjects: dict[str, str] = {}
    if target == "bare":
        sys.path.insert(0, str(BARE))
        __import__("app")
    else:
        import django

        sys.path.insert(0, str(PEER if target == "peer" else ROOT))
        django.setup()
        given = json.loads(os.environ.get("BENCH_SUBJECTS") or "{}")
        subjects = peer_subjects(given) if target == "peer" else app_subjects()
    pages = [asdict(measure_queries(scenario, subjects)) for scenario in TARGETS[target]]
    print(json.dumps({"pages": pages, "subjects": subjects}))


def app_subjects() -> dict[str, str]:
    """The seeded people and requests the scenarios are about (madoguchi/tickets/synthetic.py)."""
    from django.db.models import Count, Q

    from madoguchi.accounts.models import User
    from madoguchi.tickets import synthetic
    from madoguchi.tickets.models import RequestType, Ticket

    heavy, customer, submitter = synthetic.bench_customers()
    public = Count("messages", filter=Q(messages__is_internal=False))
    notes = Count("messages", filter=Q(messages__is_internal=True))
    theirs = Ticket.objects.filter(requester=customer).annotate(public=public, notes=notes)
    # A request with 3-10 public messages and an internal note; the one with 50 messages.
    request = theirs.filter(public__range=(3, 10), notes__gt=0).order_by("-updated_at").first()
    long_thread = theirs.order_by("-public").first()
    agent = request.assignee or User.objects.filter(is_staff=True).order_by("pk").first()
    request_type = RequestType.objects.filter(is_active=True).order_by("pk").first()
    return {
        **kb_subjects(),
        "customer": customer.email,
        "heavy": heavy.email,
        "submitter": submitter.email,
        "agent": agent.email,
        "request": str(request.pk),
        "long_thread": str(long_thread.pk),
        "request_type": str(request_type.pk),
    }


def kb_subjects() -> dict[str, str]:
    """The B3 article (URL-quoted slug), its section and the signed-in reader (kb/synthetic.py)."""
    from madoguchi.kb import synthetic
    from madoguchi.kb.models import ArticleTranslation

    shown = (
        ArticleTranslation.objects.filter(
            knowledge_base__slug="guide",
            language="en",
            article__visibility="public",
            article__section__isnull=False,
        )
        .select_related("article__section")
        .order_by("article_id")
        .first()
    )
    reader = synthetic.bench_reader()
    rng = random.Random(SEARCH_SEED)
    return {
        "kb_article": quote(shown.slug),
        "kb_article_id": str(shown.article_id),
        "kb_section": shown.article.section.slug,
        "kb_category": str(shown.article.section.category_id),
        "kb_reader": reader.email if reader else "",
        "search_en": json.dumps(synthetic.search_queries("en", SEARCHES, rng)),
        "search_ja": json.dumps(synthetic.search_queries("ja", SEARCHES, rng)),
        "typed": json.dumps(synthetic.typed_prefixes(SEARCHES, rng)),
    }


def peer_subjects(given: dict[str, str]) -> dict[str, str]:
    """The same people and requests in django-helpdesk (copied with the same keys)."""
    from base64 import b64encode

    from django.contrib.auth.models import User
    from helpdesk.models import Ticket

    agent = User.objects.get(email=given["agent"])
    # Staff list data: open or reopened, the agent's, high priority, last update first.
    query = {
        "filtering": {"status__in": [1, 2], "assigned_to__id__in": [agent.pk], "priority__in": [2]},
        "sorting": "last_followup",
        "sortreverse": True,
        "search_string": "",
    }
    refs = {
        f"{name}_ref": Ticket.objects.get(pk=given[name]).ticket_for_url
        for name in ("request", "long_thread")
    }
    queue_query = b64encode(json.dumps(query).encode()).decode("ascii")
    return {**given, **refs, "queue_query": queue_query}


def body_size(response: Any) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def scenario_paths(scenario: Scenario, subjects: dict[str, str]) -> tuple[str, ...]:
    """Return the scenario's path with the subjects filled in: one per variant, or just one."""
    values = json.loads(subjects[scenario.variants]) if scenario.variants else [""]
    return tuple(scenario.path.format(**subjects, q=quote(value)) for value in values)


def measure_queries(scenario: Scenario, subjects: dict[str, str]) -> Page:
    """Request the page twice with the test Client; count the second request's SQL queries.

    A form is posted twice after a GET of its page (the test Client skips the CSRF check that
    wrk's requests pass); the second post is counted.
    """
    from urllib.parse import urlencode

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.templatetags.static import static
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers=dict([PROXY_HEADER]), HTTP_HOST="127.0.0.1")
    cookie = None
    if scenario.user:
        user = scenario.user.format(**subjects)
        client.force_login(get_user_model().objects.get(email=user))
        name = settings.SESSION_COOKIE_NAME
        cookie = f"{name}={client.cookies[name].value}"
    variants = scenario_paths(scenario, subjects)
    path = variants[0]
    if path.startswith("static:"):
        path = static(path.removeprefix("static:"))
    form = {key: value.format(**subjects) for key, value in scenario.form}
    page = client.get(path)
    if form:
        # wrk sends this CSRF secret as the cookie; the form page masks it into its token.
        cookie = f"{cookie}; {settings.CSRF_COOKIE_NAME}={secrets.token_hex(16)}"
        client.post(path, form)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, form) if form else client.get(path)
    return Page(
        scenario.name,
        path,
        cookie,
        len(captured),
        response.status_code,
        size=body_size(page if form else response),
        form=urlencode(form),
        connections=scenario.connections,
        variants=variants if scenario.variants else (),
    )


# Servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(topology: Topology, target: str, port: int, workers: int) -> list[str]:
    entry = {"app": topology.app, "bare": topology.bare, "peer": PEER_ENTRY}[target]
    python = str(python_for(target))
    if topology.server == "gunicorn":
        return [
            python, "-m", "gunicorn", *entry, "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "sync",
        ]  # fmt: skip
    return [
        python, "-m", "uvicorn", *entry, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--lifespan", "off", "--no-access-log",
    ]  # fmt: skip


def mail_helpers(env: dict[str, str]) -> list[list[str]]:
    """What sends our mail as in production (--mail), in the server's process group (its CPU is
    ours): a task worker on the mail queue, and an SMTP server on EMAIL_PORT that drops mail.

    The worker serves only the mail queue: the search embeddings the seed queued would keep it
    busy for hours (the bench measures keyword search, as docs/search.md says).
    """
    return [
        [PYTHON, "manage.py", "worker", "--no-startup-delay", "--queue-name", "mail"],
        [
            PYTHON, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
            "-l", f"127.0.0.1:{env['EMAIL_PORT']}",
        ],
    ]  # fmt: skip


def get_status(port: int, path: str, cookie: str | None = None) -> int:
    headers = dict([PROXY_HEADER])
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WRK_TIMEOUT_SECONDS)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def wait_ready(process: subprocess.Popen[bytes], port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError):
            if get_status(port, path) == 200:
                return
        time.sleep(0.2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    raise RuntimeError(f"the server did not answer {path} (log {log}):\n{tail}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers (its own process group), forcefully after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):  # stragglers, or a master that hung
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def serve(
    env: dict[str, str], topology: Topology, target: str, workers: int, *, mail: bool = False
) -> Iterator[Server]:
    """Start a server in its own process group, wait until it answers, yield it.

    mail: our task worker and a mail server run beside ours, in its group (mail_helpers).
    """
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{topology.server}-{target}.log"
    command = server_command(topology, target, port, workers)
    say(f"serving {target} with {topology.name} on port {port}")
    if mail and target == "app":
        env = {**env, "EMAIL_PORT": str(free_port())}
        # One session: the helpers start in the background, then the shell becomes the server.
        started = " & ".join(shlex.join(helper) for helper in mail_helpers(env))
        command = ["sh", "-c", f"{started} & exec {shlex.join(command)}"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_ready(process, port, READY_PATHS[target], log)
        yield Server(port, process.pid, balanced=workers > 1 and topology.keep_alive)
    finally:
        stop(process)


# Load -------------------------------------------------------------------------------------------


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the machine since boot; busy = user + nice + system + steal.

    Interrupt time is left out: loopback traffic's softirqs are ours but not charged to a process.
    """
    fields = [int(f) for f in Path("/proc/stat").read_text(encoding="utf-8").split()[1:9]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = fields
    return user + nice + system + steal, sum(fields)


def group_jiffies(pgid: int) -> int:
    """CPU jiffies used so far by the live processes of a process group."""
    used = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                used += int(fields[11]) + int(fields[12])  # utime + stime
    return used


def own_jiffies() -> int:
    """CPU jiffies of this process and its reaped children (wrk, once it has exited)."""
    ticks = os.sysconf("SC_CLK_TCK")
    usages = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return round(sum(u.ru_utime + u.ru_stime for u in usages) * ticks)


@contextlib.contextmanager
def other_cpu(server: Server) -> Iterator[list[float]]:
    """Yield a list that receives the % of machine CPU used by others meanwhile (noise)."""
    found: list[float] = []
    try:
        before = (machine_jiffies(), group_jiffies(server.pgid), own_jiffies())
    except (OSError, ValueError):
        yield found
        return
    yield found
    (busy0, total0), group0, own0 = before
    busy1, total1 = machine_jiffies()
    ours = group_jiffies(server.pgid) - group0 + own_jiffies() - own0
    others = max(0, busy1 - busy0 - ours)
    found.append(round(100 * others / max(1, total1 - total0), 1))


def busy_percent(seconds: float) -> float | None:
    """Percent of the machine's CPU in use over the next `seconds`."""
    try:
        busy0, total0 = machine_jiffies()
        time.sleep(seconds)
        busy1, total1 = machine_jiffies()
    except (OSError, ValueError, IndexError):
        return None
    return round(100 * (busy1 - busy0) / max(1, total1 - total0), 1)


def busy_before_load() -> float | None:
    """Percent of the CPU used by other processes while nothing of ours runs."""
    percent = busy_percent(2.0)
    if percent is not None and percent > NOISY_PERCENT:
        say(f"warning: other processes use {percent:.0f}% of the CPU; figures will be low")
    return percent


def wait_for_quiet(limit_seconds: int) -> None:
    """Wait (at most limit_seconds) until other processes leave the CPU mostly idle."""
    for _ in range(limit_seconds):
        percent = busy_percent(1.0)
        if percent is None or percent < NOISY_PERCENT / 2:
            return


def wrk_script(page: Page) -> Path:
    """The Lua script of a page: the summary printer, plus the form submission for a form or
    the choice among a page's variants."""
    if page.form:
        extra = WRK_POST_LUA % {"fields": f"[==[{page.form}]==]"}
    elif page.variants:
        extra = WRK_VARIANTS_LUA % {"paths": ", ".join(f"[==[{p}]==]" for p in page.variants)}
    else:
        return WRK_SCRIPT
    script = RESULTS / f"wrk-{page.name}-{zlib.crc32(page.path.encode()):08x}.lua"
    script.write_text(WRK_LUA + extra, encoding="utf-8")
    return script


def wrk_command(page: Page, port: int, connections: int, seconds: int) -> list[str]:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(wrk_script(page)),
        "--timeout", f"{WRK_TIMEOUT_SECONDS}s",
        "-H", f"{PROXY_HEADER[0]}: {PROXY_HEADER[1]}",
    ]  # fmt: skip
    if page.cookie:
        command += ["-H", f"Cookie: {page.cookie}"]
    return [*command, f"http://127.0.0.1:{port}{page.path}"]


def wrk(
    server: Server, page: Page, connections: int, seconds: int, *, rebalance: bool = True
) -> WrkResult:
    """One wrk run, restarted while one server process holds most of its connections."""
    command = wrk_command(page, server.port, connections, seconds)
    check = rebalance and server.balanced and connections > 1
    restarts = 0
    run = wrk_attempt(command, server, seconds, check)
    while run is None:
        restarts += 1
        run = wrk_attempt(command, server, seconds, check and restarts < REBALANCE_TRIES)
    output, spread, others = run
    summary = json.loads(output.strip().splitlines()[-1])
    return WrkResult(
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        non_2xx=summary["status_errors"],
        socket_errors=summary["socket_errors"],
        other_cpu=others,
        busiest_worker=busiest_share(spread),
        restarts=restarts,
    )


def wrk_attempt(
    command: list[str], server: Server, seconds: int, check_spread: bool
) -> tuple[str, list[int], float | None] | None:
    """(output, connections per server process, others' CPU %), or None if stopped unbalanced."""
    with other_cpu(server) as others:
        done = run_wrk(command, server.port, seconds, check_spread)
    if done is None:
        return None
    return done[0], done[1], others[0] if others else None


def busiest_share(spread: list[int]) -> float | None:
    return round(max(spread) / sum(spread), 2) if spread else None


def run_wrk(
    command: list[str], port: int, seconds: int, check_spread: bool
) -> tuple[str, list[int]] | None:
    """Run wrk; return its output and its connections per server process, seen after 1 s."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            time.sleep(min(1.0, seconds / 2))
            spread = connections_per_process(port)
            if check_spread and (busiest_share(spread) or 0) > MAX_WORKER_SHARE:
                process.kill()
                process.communicate()
                return None
            output, errors = process.communicate(timeout=seconds + 60)
        except BaseException:
            process.kill()
            raise
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, output, errors)
    return output, spread


def connections_per_process(port: int) -> list[int]:
    """Established connections to port, counted per process that holds them (ss -p)."""
    command = ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"]
    try:
        listing = subprocess.run(command, capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(Counter(re.findall(r"pid=(\d+)", listing)).values(), reverse=True)


def preflight(server: Server, page: Page) -> None:
    """The page must answer 2xx (no redirect) before its figures mean anything.

    A server still working through the requests of a slow page (the peer's heavy list takes
    seconds each on a busy machine) may not answer in time: it is waited for, a few times.
    """
    for _attempt in range(PREFLIGHT_TRIES):
        try:
            status = get_status(server.port, page.path, page.cookie)
            break
        except TimeoutError:
            say(f"{page.name}: no answer within {WRK_TIMEOUT_SECONDS} s; waiting for the server")
            wait_idle(server)
    else:
        raise RuntimeError(f"{page.name}: GET {page.path} got no answer")
    if not 200 <= status < 300:
        raise RuntimeError(f"{page.name}: GET {page.path} answered {status}, not 2xx")


def noise(result: WrkResult) -> float:
    return 100.0 if result.other_cpu is None else result.other_cpu


def steady_run(server: Server, page: Page, connections: int, seconds: int) -> WrkResult:
    """A wrk run, repeated once when other processes took much of the CPU; the quieter one."""
    first = wrk(server, page, connections, seconds)
    if noise(first) <= NOISY_PERCENT:
        return first
    say(f"{page.name} -c{connections}: others used {noise(first):.0f}% of the CPU; once more")
    wait_for_quiet(10)
    return min(first, wrk(server, page, connections, seconds), key=noise)


def wait_idle(server: Server, limit_seconds: int = 180) -> None:
    """Wait until the server has finished the requests wrk left (slow pages outlive a run)."""
    for _ in range(limit_seconds * 2):
        before = group_jiffies(server.pgid)
        time.sleep(0.5)
        if group_jiffies(server.pgid) - before <= 2:
            return


def measure(server: Server, page: Page, seconds: int) -> Row:
    preflight(server, page)
    wrk(server, page, page.connections, WARM_UP_SECONDS, rebalance=False)
    wait_idle(server)
    loaded = steady_run(server, page, page.connections, seconds)
    wait_idle(server)
    unloaded = steady_run(server, page, 1, seconds)
    wait_idle(server)
    errors = loaded.non_2xx + loaded.socket_errors
    say(f"{page.name}: {loaded.rps:,.0f} req/s, p99 {loaded.p99_ms:.1f} ms, {errors} errors")
    return Row(
        scenario=page.name,
        path=page.path,
        rps=round(loaded.rps, 1),
        p50_ms=round(loaded.p50_ms, 2),
        p99_ms=round(loaded.p99_ms, 2),
        unloaded_p99_ms=round(unloaded.p99_ms, 2),
        queries=page.queries,
        size=page.size,
        non_2xx=loaded.non_2xx + unloaded.non_2xx,
        socket_errors=loaded.socket_errors + unloaded.socket_errors,
        other_cpu=loaded.other_cpu,
        unloaded_other_cpu=unloaded.other_cpu,
        busiest_worker=loaded.busiest_worker,
        wrk_restarts=loaded.restarts,
        connections=page.connections,
    )


def measure_target(
    env: dict[str, str],
    args: argparse.Namespace,
    target: str,
    subjects: dict[str, str] | None = None,
) -> tuple[list[Row], dict[str, str]]:
    """Probe, serve and load the target's pages (those chosen with --only, and the references)."""
    probed = probe(env, target, subjects)
    pages = [page for page in probed.pages if target == "bare" or chosen(args, page.name)]
    with serve(env, PRODUCTION, target, args.workers, mail=args.mail) as server:
        return [measure(server, page, args.duration) for page in pages], probed.subjects


def chosen(args: argparse.Namespace, name: str) -> bool:
    return not args.only or any(name.startswith(prefix) for prefix in args.only.split(","))


# Report -----------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def header(args: argparse.Namespace, busy: float | None) -> dict[str, object]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "cpu_busy_before_percent": busy,
        "database": database_kind(),
        "cache": "redis" if os.environ.get("REDIS_URL") else "locmem",
        "scale": args.scale,
        "workers": args.workers,
        "threads": args.threads or "default",
        "duration_s": args.duration,
        "mail": "written and sent by our worker" if args.mail else "queued",
    }


def add_ratios(rows: list[Row], references: list[Row], peer: list[Row]) -> None:
    """Each row against the bare and ceiling pages of the same run; ours against the peer's."""
    by_name = {row.scenario: row.rps for row in references}
    for row in (*rows, *references, *peer):
        if by_name.get("bare"):
            row.vs_bare = round(row.rps / by_name["bare"], 3)
        if by_name.get("ceiling"):
            row.vs_ceiling = round(row.rps / by_name["ceiling"], 3)
    theirs = {row.scenario: row.rps for row in peer}
    for row in rows:
        if theirs.get(row.scenario):
            row.vs_peer = round(row.rps / theirs[row.scenario], 1)


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def print_grid(titles: tuple[str, ...], cells: list[tuple[str, ...]]) -> None:
    """Print a left-aligned first column and right-aligned others, each as wide as it needs."""
    widths = [max(len(line[i]) for line in (titles, *cells)) for i in range(len(titles))]
    for line in (titles, *cells):
        pairs = zip(line[1:], widths[1:], strict=True)
        rest = "".join(cell.rjust(width + 2) for cell, width in pairs)
        print(line[0].ljust(widths[0]) + rest)


SCENARIO_TITLES = (
    "scenario", "req/s", "p50 ms", "p99 ms", "unloaded p99 ms", "queries", "KB", "non-2xx",
    "vs bare", "vs ceiling", "vs peer", "other CPU", "busiest worker",
)  # fmt: skip


def scenario_cells(r: Row) -> tuple[str, ...]:
    non_2xx = f"{r.non_2xx}" + (f" +{r.socket_errors} socket" if r.socket_errors else "")
    name = r.scenario + (f" (-c{r.connections})" if r.connections != 20 else "")
    vs_peer = "-" if r.vs_peer is None else f"{r.vs_peer:,.1f}x"
    return (
        name, f"{r.rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", f"{r.unloaded_p99_ms:.2f}",
        str(r.queries), f"{r.size / 1024:,.1f}", non_2xx, ratio(r.vs_bare), ratio(r.vs_ceiling),
        vs_peer, percent(r.other_cpu), share(r.busiest_worker),
    )  # fmt: skip


def print_table(meta: dict[str, object], rows: list[Row], peer: list[Row]) -> None:
    print(
        f"\nMadoguchi bench {meta['date']}: {meta['database']}, cache {meta['cache']}, "
        f"scale {meta['scale']:g}, {meta['workers']} uvicorn workers (a2wsgi, "
        f"{meta['threads']} threads), mail {meta['mail']}, "
        f"wrk -t1 -c20 -d{meta['duration_s']}s, unloaded -c1; "
        f"CPU busy before: {percent(meta['cpu_busy_before_percent'])}"
    )
    print_grid(SCENARIO_TITLES, [scenario_cells(r) for r in rows])
    if peer:
        print("\ndjango-helpdesk 2.6.1 (peer), same data, server and load:")
        print_grid(SCENARIO_TITLES, [scenario_cells(r) for r in peer])
    home = next((r for r in rows if r.scenario == "home"), None)
    if home:
        print(
            f"\nhome ÷ bare Django page = {ratio(home.vs_bare)}; "
            f"home ÷ ceiling = {ratio(home.vs_ceiling)}"
        )


def write_json(name: str, payload: dict[str, object]) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    for path in (RESULTS / f"{name}.json", RESULTS / f"{name}-{database_kind()}.json"):
        path.write_text(text, encoding="utf-8")
    print(f"\nwritten to {RESULTS / f'{name}.json'}")


def run_scenarios(env: dict[str, str], args: argparse.Namespace) -> None:
    peer_environment = prepare_peer(env, args.scale) if args.peer else None
    busy = busy_before_load()
    rows, subjects = measure_target(env, args, "app")
    references, _ = measure_target(env, args, "bare")
    peer: list[Row] = []
    if peer_environment:
        peer, _ = measure_target(peer_environment, args, "peer", subjects)
    add_ratios(rows, references, peer)
    meta = header(args, busy)
    print_table(meta, [*rows, *references], peer)
    write_json(
        "latest",
        {
            **meta,
            "server": PRODUCTION.name,
            "subjects": subjects,
            "rows": [asdict(r) for r in (*rows, *references)],
            "peer_rows": [asdict(r) for r in peer],
        },
    )


# Topology ---------------------------------------------------------------------------------------


def topology_row(
    env: dict[str, str], args: argparse.Namespace, topology: Topology, pages: dict[str, Page]
) -> dict[str, object]:
    """Serve Madoguchi's home page, then the bare page, with one topology; load each."""
    row: dict[str, object] = {"topology": topology.name}
    for target, page in pages.items():
        with serve(env, topology, target, args.workers) as server:
            preflight(server, page)
            wrk(server, page, 20, WARM_UP_SECONDS, rebalance=False)
            result = steady_run(server, page, 20, args.duration)
        row[f"{target}_rps"] = round(result.rps, 1)
        row[f"{target}_p99_ms"] = round(result.p99_ms, 2)
        row[f"{target}_errors"] = result.non_2xx + result.socket_errors
        row[f"{target}_other_cpu"] = result.other_cpu
        row[f"{target}_busiest_worker"] = result.busiest_worker
        row[f"{target}_wrk_restarts"] = result.restarts
    return row


TOPOLOGY_TITLES = (
    "topology", "home req/s", "home p99 ms", "bare req/s", "bare p99 ms", "errors", "other CPU",
)  # fmt: skip


def topology_cells(r: dict[str, object]) -> tuple[str, ...]:
    errors = int(str(r["app_errors"])) + int(str(r["bare_errors"]))
    others = [float(str(r[k])) for k in ("app_other_cpu", "bare_other_cpu") if r[k] is not None]
    return (
        str(r["topology"]), f"{r['app_rps']:,.0f}", f"{r['app_p99_ms']:.2f}",
        f"{r['bare_rps']:,.0f}", f"{r['bare_p99_ms']:.2f}", str(errors),
        percent(max(others) if others else None),
    )  # fmt: skip


def run_topology(env: dict[str, str], args: argparse.Namespace) -> None:
    pages = {
        "app": next(p for p in probe(env, "app").pages if p.name == "home"),
        "bare": next(p for p in probe(env, "bare").pages if p.name == "bare"),
    }
    busy = busy_before_load()
    rows = [topology_row(env, args, topology, pages) for topology in TOPOLOGIES]
    meta = header(args, busy)
    print(
        f"\nTopology {meta['date']}: {meta['database']}, {args.workers} workers, "
        f"wrk -t1 -c20 -d{args.duration}s; CPU busy before: {percent(busy)}"
    )
    print_grid(TOPOLOGY_TITLES, [topology_cells(r) for r in rows])
    write_json("topology", {**meta, "rows": rows})


# Entry point ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="manage.py seed --scale")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--threads",
        type=int,
        help="MADOGUCHI_WSGI_THREADS of every server, ours, bare and peer (default: the setting's)",
    )
    parser.add_argument(
        "--topology", action="store_true", help="compare uvicorn+a2wsgi, gunicorn, Django ASGI"
    )
    parser.add_argument(
        "--no-peer", dest="peer", action="store_false", help="skip django-helpdesk (the peer)"
    )
    parser.add_argument(
        "--mail",
        action="store_true",
        help="run our task worker and a mail server beside ours: mail is written and sent, "
        "not only queued as BENCHMARKS.md's B5 says (the peer renders its mail, sends none)",
    )
    parser.add_argument("--only", default="", help="scenarios whose names start so, e.g. B1,B2")
    parser.add_argument("--probe", choices=sorted(TARGETS), help=argparse.SUPPRESS)
    return parser.parse_args()


def on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through serve(), which stops the servers


def main() -> None:
    args = parse_args()
    if args.probe:
        run_probe(args.probe)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    signal.signal(signal.SIGTERM, on_sigterm)
    env = bench_env()
    if args.threads:
        env["MADOGUCHI_WSGI_THREADS"] = str(args.threads)
    RESULTS.mkdir(parents=True, exist_ok=True)
    WRK_SCRIPT.write_text(WRK_LUA, encoding="utf-8")
    prepare(env, args.scale)
    if args.topology:
        run_topology(env, args)
    else:
        run_scenarios(env, args)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
