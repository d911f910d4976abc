# Casework: `make run` serves the app on SQLite, `make test` runs the suite. Both set up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app casework
CASEWORK_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export CASEWORK_TEST_DATABASE_URL

.PHONY: install migrate run test test-postgres lint screenshots clean

$(BIN)/.installed: pyproject.toml
	@# WeasyPrint (the dossier PDF) needs Pango; install it only where it is missing.
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then \
	  if command -v apt-get >/dev/null; then apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0; \
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

# Screenshots of the main pages in headless Chromium (needs /usr/bin/chromium).
screenshots: install
	$(BIN)/pip install --quiet -e '.[browser]'
	$(BIN)/python -m tests.browser.screenshots

clean:
	rm -rf $(VENV) build dist *.egg-info
