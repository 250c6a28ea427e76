"""The settings module: environment parsing and refusing to start unsafely."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from madoguchi import settings as settings_module

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.example.com",
    "SITE_URL": "https://portal.example.com",
    "EMAIL_HOST": "smtp.example.com",
}


def _run(
    env: dict[str, str], code: str = "import django; django.setup()"
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "MADOGUCHI_TESTING", "SECRET_KEY"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="madoguchi.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_env_bool_accepts_only_plain_values(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("MDG_FLAG", raw)

    assert settings_module.env_bool("MDG_FLAG") is expected


def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MDG_FLAG", "yes please")

    with pytest.raises(ImproperlyConfigured, match="MDG_FLAG"):
        settings_module.env_bool("MDG_FLAG")


def test_env_int_names_the_variable_on_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MDG_NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="MDG_NUMBER"):
        settings_module.env_int("MDG_NUMBER", 1)


def test_env_list_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MDG_LIST", " a.example, b.example ,,")

    assert settings_module.env_list("MDG_LIST") == ["a.example", "b.example"]


def test_env_secret_reads_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("MDG_SECRET_FILE", str(secret))

    assert settings_module.env_secret("MDG_SECRET") == "from-a-file"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST"])
def test_production_refuses_to_start_without(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = _run(env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_starts_with_its_variables() -> None:
    result = _run(
        PRODUCTION,
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000"]


def test_development_generates_a_secret_key_once(tmp_path: Path) -> None:
    env = {"DEBUG": "1", "MADOGUCHI_DATA_DIR": str(tmp_path)}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)"
    )

    first = _run(env, code)
    second = _run(env, code)

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_check_deploy_is_clean_with_production_values(tmp_path: Path) -> None:
    inherited = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "MADOGUCHI_TESTING"}}
    env = {**inherited, **PRODUCTION, "MADOGUCHI_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
