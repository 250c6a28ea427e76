# Madoguchi: `make run` to try it, `make test` to check it. `make help` lists every target.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The first Python >= 3.12 on PATH or among pyenv's versions (Django 6.1 needs 3.12).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$p; break; }; done)

TEST_ENV := MADOGUCHI_TESTING=1 DJANGO_SETTINGS_MODULE=madoguchi.settings
PG_URL ?= postgres://postgres@127.0.0.1:5432/madoguchi
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: help run test test-pg test-unit e2e lint fmt sast arch messages check-deploy bench install clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	@if [ -z "$(PYTHON)" ]; then echo "error: Madoguchi needs Python 3.12 or newer (python3.12, python3.13 or a pyenv version); none was found." >&2; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

.env:
	@printf '# Development settings written by `make run`; see .env.example for every variable.\nDEBUG=1\n# Receive mail for requests over LMTP (manage.py serve starts the receiver).\nMADOGUCHI_LMTP_PORT=2424\n' > .env
	@echo "Wrote .env (DEBUG=1; the secret key is generated in var/secret_key)"

run: $(STAMP) .env ## install, migrate, load demo data, serve on http://127.0.0.1:8000 with the worker
	@set -a; source .env; set +a; \
	$(PY) manage.py migrate --no-input -v 0 && \
	$(PY) manage.py compilemessages --ignore '.venv' --ignore 'bench' -v 0 && \
	$(PY) manage.py demo >/dev/null && \
	exec $(PY) manage.py serve

test: $(STAMP) lint ## lint, then the whole suite on SQLite (browser tests included)
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' --ignore 'bench' -v 0
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

test-pg: $(STAMP) ## the whole suite on PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' --ignore 'bench' -v 0
	$(TEST_ENV) DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

e2e: $(STAMP) ## only the browser tests
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore '.venv' --ignore 'bench' -v 0
	$(TEST_ENV) $(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP) ## format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

SAST := $(VENV)/sast/.installed
$(SAST): $(VENV)/bin/python tools/semgrep/requirements.txt
	$(PY) -m venv $(VENV)/sast
	$(VENV)/sast/bin/pip install --quiet --disable-pip-version-check -r tools/semgrep/requirements.txt
	@touch $(SAST)

sast: $(SAST) ## our semgrep rules (unscoped queries in views, unsafe markup, SQL from strings)
	$(VENV)/sast/bin/semgrep --test --metrics=off --disable-version-check -q tools/semgrep/
	$(VENV)/sast/bin/semgrep scan --config tools/semgrep/portal.yml --metrics=off \
		--disable-version-check --no-git-ignore --error -q madoguchi

arch: $(STAMP) ## dependency direction between apps (import-linter)
	$(VENV)/bin/lint-imports

messages: $(STAMP) ## refresh the Japanese catalogue from the code and compile it
	DEBUG=1 $(PY) manage.py makemessages -l ja --no-obsolete --ignore '.venv' --ignore 'tests' --ignore 'bench' --ignore 'var'
	DEBUG=1 $(PY) manage.py compilemessages --ignore '.venv' --ignore 'bench'

check-deploy: $(STAMP) ## Django's deployment checklist with production-like settings
	SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9') \
	ALLOWED_HOSTS=portal.example.com SITE_URL=https://portal.example.com \
	EMAIL_HOST=smtp.example.com DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: $(STAMP) ## seed, serve as in production, load with wrk, print a table
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
	$(PY) bench/run.py $(BENCH_ARGS)

clean: ## remove the virtual environment and local data (var/)
	rm -rf $(VENV) var
