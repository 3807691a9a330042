# Two commands for a new user: `make conformance` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
REPORT_DIR ?= reports/latest

.PHONY: setup conformance test lint typecheck unit schemas clean

# A virtual environment with the project (editable) and its dev tools, at the versions in constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Runs every case against the embedded default target (the in-process reference) and writes
# $(REPORT_DIR)/: results.json, junit.xml, index.html. TARGET=moto (or any target spec) to change it.
TARGET ?= reference
conformance: setup
	$(BIN)/cognito-conformance run --target $(TARGET) --report-dir $(REPORT_DIR)

test: setup lint typecheck unit

lint: setup
	$(BIN)/ruff check conformance strategies tests
	$(BIN)/ruff format --check conformance strategies tests
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q -p no:cacheprovider -n 2

schemas: setup
	$(BIN)/cognito-conformance schemas

clean:
	rm -rf $(VENV) reports/latest .pytest_cache .mypy_cache .ruff_cache .hypothesis
