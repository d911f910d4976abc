# Casework: `make run` serves the app on SQLite, `make test` runs the suite. Both set up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app casework
CASEWORK_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export CASEWORK_TEST_DATABASE_URL

.PHONY: install translations messages migrate run serve worker scheduler test test-postgres test-multi lint audit lock api-fuzz screenshots bench-names bench-backup bench-serve bench-search bench load demo e2e clean

$(BIN)/.installed: pyproject.toml
	@# WeasyPrint (the dossier PDF) needs Pango and HarfBuzz's subsetter (without it WeasyPrint
	@# warns on every PDF, and the tests treat warnings as errors); install them only where missing.
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then \
	  if command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; \
	  else echo "WeasyPrint needs Pango and HarfBuzz (libpango-1.0, libpangoft2-1.0, libharfbuzz-subset): install them"; fi; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The interface's catalogues: .po files are committed, the .mo files are compiled from them here.
translations: install
	$(BIN)/pybabel -q compile --statistics -d casework/translations -D messages

# After marking new strings: extract them and merge them into every catalogue (then translate
# the new entries in casework/translations/<lang>/LC_MESSAGES/messages.po).
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ -k _l -k lazy_gettext --sort-by-file \
		--no-wrap -o casework/translations/messages.pot .
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching -i casework/translations/messages.pot \
		-d casework/translations -D messages
	rm casework/translations/messages.pot

migrate: translations
	$(FLASK) db upgrade
	$(FLASK) seed

run: migrate
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# A fresh database of fictional cases (instance/demo.db, rebuilt each time) with one account per
# role printed on the terminal, served like `make run`.
DEMO_ENV := CASEWORK_DATABASE_URL=sqlite:///$(CURDIR)/instance/demo.db \
	CASEWORK_UPLOAD_DIR=$(CURDIR)/instance/demo-uploads
demo: translations
	mkdir -p instance && rm -rf instance/demo.db instance/demo.db-wal instance/demo.db-shm instance/demo-uploads
	$(DEMO_ENV) $(FLASK) db upgrade
	$(DEMO_ENV) $(FLASK) demo load
	$(DEMO_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)
# Production: gunicorn (settings in casework/gunicorn_conf.py, CASEWORK_* from the environment),
# after the migrations. CASEWORK_ENV defaults to production here, so its start-up checks apply.
serve: translations
	CASEWORK_ENV=$${CASEWORK_ENV:-production} $(FLASK) db upgrade
	CASEWORK_ENV=$${CASEWORK_ENV:-production} $(FLASK) seed
	CASEWORK_ENV=$${CASEWORK_ENV:-production} $(BIN)/gunicorn -c python:casework.gunicorn_conf 'casework:create_app()'

# A background-job worker (RQ, on $$CASEWORK_REDIS_URL); run as many as needed, anywhere.
worker: install
	CASEWORK_ENV=$${CASEWORK_ENV:-production} $(FLASK) jobs worker

# The scheduler of periodic jobs (reminders, clean-up, backups): one is enough, more are safe.
scheduler: install
	CASEWORK_ENV=$${CASEWORK_ENV:-production} $(FLASK) jobs scheduler

# Tests run in TEST_WORKERS parallel processes (pytest-xdist; default one per core, at most 8),
# each on its own database, Redis database and port (tests/workers.py); TEST_WORKERS=0: one.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS) --maxprocesses 8

# The whole suite on SQLite (a fresh database per run and worker, built by the migrations).
test: translations
	CASEWORK_TEST_DATABASE_URL= $(PYTEST)

# The same suite on PostgreSQL ($$CASEWORK_TEST_DATABASE_URL; each worker on a database beside
# it, named after it and the worker, created when missing).
test-postgres: translations
	$(PYTEST)

# Two app servers on one PostgreSQL ($$CASEWORK_TEST_DATABASE_URL) and one Redis
# ($$CASEWORK_TEST_REDIS_URL, a database of its own: it is emptied): sessions, rate limits,
# edit conflicts and documents across servers. Fails (not skips) when either is missing.
CASEWORK_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
test-multi: install
	CASEWORK_TEST_REDIS_URL=$(CASEWORK_TEST_REDIS_URL) CASEWORK_REQUIRE_MULTI=1 \
		$(BIN)/pytest -q tests/test_two_servers.py

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

api-fuzz: $(BIN)/.fuzz-installed translations
	$(BIN)/python -m tests.api_fuzz

# End-to-end tests in Debian's Chromium (driven by Playwright; no browser download) with the
# axe-core accessibility checker from the npm registry (test-only, pinned in its lock file).
$(BIN)/.browser-installed: $(BIN)/.installed
	@if [ ! -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then \
	  if command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y --no-install-recommends chromium; \
	  else echo "The browser tests need Chromium at /usr/bin/chromium (or \$$CHROMIUM)"; exit 1; fi; fi
	$(BIN)/pip install --quiet -e '.[dev,browser]'
	touch $@

tests/e2e/node_modules/axe-core/axe.min.js: tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --silent
	touch $@

e2e: $(BIN)/.browser-installed translations tests/e2e/node_modules/axe-core/axe.min.js
	CASEWORK_E2E=1 CASEWORK_TEST_DATABASE_URL= $(BIN)/pytest -q -p no:logging tests/e2e

# Screenshots of the main pages in headless Chromium (needs /usr/bin/chromium).
screenshots: $(BIN)/.browser-installed translations
	$(BIN)/python -m tests.browser.screenshots

# Import of 10,000 rows and `people match` among 150,000 people. SQLite scratch file by default;
# BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL (its tables are dropped and rebuilt).
bench-names: install
	$(BIN)/python -m benchmarks.bench_names

# Backup create, verify and restore at BENCH_CASES cases (default 100000) and 500 files of
# 256 KiB. SQLite scratch file by default; BENCH_DATABASE_URL=postgresql+psycopg://... for
# PostgreSQL (its tables are dropped and rebuilt).
bench-backup: install
	$(BIN)/python -m benchmarks.bench_backup
# Requests per second of /healthz and of a case file: gunicorn (2 workers) against the
# development server, on a scratch SQLite database (BENCH_DATABASE_URL for PostgreSQL).
bench-serve: install
	$(BIN)/python -m benchmarks.bench_serve
# Full-text search at 10,000 cases: index build time and search latency (same databases).
bench-search: install
	$(BIN)/python -m benchmarks.bench_search

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
