# Casework: `make run` serves the app on SQLite, `make test` runs the suite. Both set up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app casework
CASEWORK_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export CASEWORK_TEST_DATABASE_URL

.PHONY: install migrate run test test-postgres lint audit lock api-fuzz screenshots bench-names bench load clean

$(BIN)/.installed: pyproject.toml
	@# WeasyPrint (the dossier PDF) needs Pango; install it only where it is missing.
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then \
	  if command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0; \
	  else echo "WeasyPrint needs Pango (libpango-1.0, libpangoft2-1.0): install it"; fi; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(FLASK) db upgrade
	$(FLASK) seed

run: migrate
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The whole suite on SQLite (a fresh database per run, built by the migrations).
test: install
	CASEWORK_TEST_DATABASE_URL= $(BIN)/pytest -q

# The same suite on PostgreSQL ($$CASEWORK_TEST_DATABASE_URL).
test-postgres: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check casework tests

# Security audit: bandit over the code, pip-audit over the hash-pinned lock file.
audit: install
	$(BIN)/pip install --quiet -e '.[audit]'
	$(BIN)/bandit --quiet --recursive casework migrations config.py
	$(BIN)/python .ci/audit_dependencies.py

# Re-pin the production dependencies (pyproject's [project] dependencies) with their hashes.
lock: install
	$(BIN)/pip install --quiet -e '.[audit]'
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

# schemathesis against /api/v1/openapi.json with a token of each role, on a seeded SQLite
# database served on a free local port: no server error, no answer outside the schemas.
$(BIN)/.fuzz-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,fuzz]'
	touch $@

api-fuzz: $(BIN)/.fuzz-installed
	$(BIN)/python -m tests.api_fuzz

# Screenshots of the main pages in headless Chromium (needs /usr/bin/chromium).
screenshots: install
	$(BIN)/pip install --quiet -e '.[browser]'
	$(BIN)/python -m tests.browser.screenshots

# Import of 10,000 rows and `people match` among 150,000 people. SQLite scratch file by default;
# BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL (its tables are dropped and rebuilt).
bench-names: install
	$(BIN)/python -m benchmarks.bench_names

# Pages under gunicorn (2 workers) at BENCH_SMALL (1000) and BENCH_CASES (100000) generated
# cases, on a SQLite scratch file and on BENCH_PG_URL (emptied and refilled): p50/p95,
# throughput, ratio to /healthz, statements per request, worker memory. JSON to BENCH_OUT.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench_casework
export BENCH_PG_URL
bench: install
	$(BIN)/python -m benchmarks.bench_pages

# 50 users for LOAD_MINUTES (3) against gunicorn over LOAD_PG_URL (emptied and refilled) with
# Redis rate limits; then checks: no failed request, one audit entry per write, no lost update.
LOAD_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench_casework_load
export LOAD_PG_URL
$(BIN)/.load-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,load]'
	touch $@

load: $(BIN)/.load-installed
	$(BIN)/python -m benchmarks.load

clean:
	rm -rf $(VENV) build dist *.egg-info
