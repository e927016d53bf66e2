# Signpost — the two commands: `make run` and `make test`. Both create .venv when missing.
# For the inner loop: `make unit` (no Rasa training, no browser), `make lint` (ruff, then mypy: `make types`).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.signpost-installed
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: run test unit unit-all lint types install train bench clean-models browser

install: $(STAMP)

# The lock pins every package; rasa and rasa-sdk declare Requires-Python <3.11 and go in with --no-deps only.
$(STAMP): requirements/lock.txt requirements/rasa.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q "pip==24.2"
	$(PIP) install -q -r requirements/lock.txt
	$(PIP) install --no-deps --ignore-requires-python -r requirements/rasa.txt
	$(PIP) install --no-deps -e .
	@touch $@

run: install
	$(VENV)/bin/signpost run

train: install
	$(VENV)/bin/signpost train

lint: install
	$(VENV)/bin/ruff check .
	$(PY) -m mypy

# Type checking; the per-package strictness is in pyproject.toml ([tool.mypy]).
types: install
	$(PY) -m mypy

# Browser tests drive Debian's Chromium (a test tool's own browser download cannot work offline).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	else echo "Chromium is missing: run 'sudo apt-get install -y chromium' (browser tests will skip)"; fi

test: install lint browser
	$(VENV)/bin/signpost train
	$(PY) -m pytest

# The quick loop: every test that needs no trained model, no running Rasa and no browser (tests/conftest.py marks
# the others `integration`), on SQLite, two workers (~2 min here). `unit-all` adds their PostgreSQL runs (~6 min).
unit: install
	$(PY) -m pytest -m "not integration and not postgres" -q -n 2

unit-all: install
	$(PY) -m pytest -m "not integration" -q -n 2

bench: install
	$(PY) bench/bench_turns.py

clean-models:
	rm -rf models
