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

# The indicator code compiled with mypyc (src/fraudhub/indicators/native.py), rebuilt when one
# of its sources changes. Where it cannot be built (no C compiler), the plain Python code runs.
NATIVE := $(VENV)/fraudhub-native/manifest.json
NATIVE_SOURCES := $(wildcard src/fraudhub/indicators/types/*.py) \
	$(addprefix src/fraudhub/indicators/,native.py lookup.py scan.py extract.py extract_numbers.py extract_reader.py)

.PHONY: install install-test native run test test-sqlite test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) -e '.[test]'
	touch $@

$(VENV)/.installed-native: pyproject.toml $(VENV)/.installed
	$(PIP) -e '.[native]'
	touch $@

$(NATIVE): $(NATIVE_SOURCES) $(VENV)/.installed-native
	@echo "compiling the indicator code (mypyc, about 30 s) ..."
	@$(BIN)/python scripts/native.py build || \
		echo "WARNING: the compiled indicator code could not be built (see above); the plain Python code runs, slower."

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

native: $(NATIVE)

run: install native
	$(BIN)/fraudhub migrate --noinput -v 0
	$(BIN)/fraudhub demo
	@echo ""
	@echo "FraudHub: http://$(HOST):$(PORT)/  (console: http://$(HOST):$(PORT)/console/, admin: /admin/)"
	@echo "Demo mode: the second factor (TOTP) is turned off for these logins."
	FRAUDHUB_REQUIRE_2FA=0 FRAUDHUB_DEMO_BANNER=1 FRAUDHUB_BASE_URL=http://$(HOST):$(PORT) \
		$(BIN)/fraudhub serve --host $(HOST) --port $(PORT) --with-worker

lint: install-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy src tests bench scripts

test-sqlite: install-test native
	DATABASE_URL= $(BIN)/pytest -q
	@echo "== the indicator tests on the plain Python code (FRAUDHUB_NATIVE=0) =="
	FRAUDHUB_NATIVE=0 DATABASE_URL= $(BIN)/pytest -q tests/indicators tests/indicators_db tests/indicators_io

test-postgres: install-test native
	@if $(BIN)/python scripts/db_answers.py "$(TEST_DATABASE_URL)"; then \
		echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -q; \
	else \
		echo "== no PostgreSQL answers at $(TEST_DATABASE_URL): PostgreSQL run skipped =="; \
	fi

test: lint test-sqlite test-postgres

bench: install-test native
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
