"""Helpers for tests that start real processes against the test database."""

import os
import socket
from urllib.parse import quote

import pytest
from django.db import connection


def shared_database_url() -> str:
    """Return a DATABASE_URL for the test database, so child processes share it."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    if connection.vendor != "postgresql":
        pytest.skip(f"no process test set-up for {connection.vendor}")
    user = quote(config["USER"] or "", safe="")
    password = quote(config["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = config["HOST"] or "localhost"
    return f"postgres://{credentials}{host}:{config['PORT'] or 5432}/{config['NAME']}"


def child_environment(**extra: str) -> dict[str, str]:
    """Return the environment of a child process: development mode on the test database."""
    return {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "DEBUG": "1",
        "MADOGUCHI_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
