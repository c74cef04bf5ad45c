# FraudHub: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
export FRAUDHUB_DATA_DIR ?= $(CURDIR)/var
# PostgreSQL for the second test run: TEST_DATABASE_URL, else the local server when it answers.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/fraudhub

.PHONY: install install-test run test test-sqlite test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/fraudhub migrate --noinput -v 0
	$(BIN)/fraudhub demo
	@echo ""
	@echo "FraudHub: http://$(HOST):$(PORT)/  (console: http://$(HOST):$(PORT)/console/, admin: /admin/)"
	@echo "Demo mode: the second factor (TOTP) is turned off for these logins."
	FRAUDHUB_REQUIRE_2FA=0 FRAUDHUB_DEMO_BANNER=1 FRAUDHUB_BASE_URL=http://$(HOST):$(PORT) \
		$(BIN)/fraudhub serve --host $(HOST) --port $(PORT) --with-worker

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src tests bench

test-sqlite: install-test
	DATABASE_URL= $(BIN)/pytest -q

test-postgres: install-test
	@if $(BIN)/python scripts/db_answers.py "$(TEST_DATABASE_URL)"; then \
		echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -q; \
	else \
		echo "== no PostgreSQL answers at $(TEST_DATABASE_URL): PostgreSQL run skipped =="; \
	fi

test: lint test-sqlite test-postgres

bench: install-test
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
