# Two commands for a new user: `make conformance` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
WHEELHOUSE ?= build/wheelhouse
REPORT_DIR ?= reports/latest

.PHONY: setup conformance test lint typecheck unit schemas clean wheelhouse

# The runtime set (the project, editable, what it needs to run, and gmpy2: without it the SRP sign-ins
# double the default run's time) at the versions in constraints.txt: all `make conformance` installs. The dev set (linters, type checker, browser driver, moto, the
# independent clients the tests compare with) comes on top, for `make test`.
$(RUNTIME_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[speed]'
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Runs every case against the embedded default target (the in-process reference) and writes
# $(REPORT_DIR)/: results.json, junit.xml, index.html. TARGET=moto (or any target spec) to change it
# (moto needs `make setup`, or `.venv/bin/pip install -e '.[moto]'`).
TARGET ?= reference
conformance: $(RUNTIME_STAMP)
	$(BIN)/cognito-conformance run --target $(TARGET) --report-dir $(REPORT_DIR); \
	  code=$$?; \
	  echo "The command is $(BIN)/cognito-conformance: run it from here, or put it on PATH first:"; \
	  echo "  . $(BIN)/activate && cognito-conformance run --help"; \
	  exit $$code

# The newest boto3 and moto, and everything the suite's wheel needs with them (hatchling to build it),
# and the oldest botocore pyproject.toml admits with its boto3, downloaded once: tests/test_install.py
# installs from here with no index, so the tests need no network.
BOTOCORE_FLOOR := $(shell sed -n 's/.*"botocore>=\([0-9.]*\)".*/\1/p' pyproject.toml)
$(WHEELHOUSE)/.stamp: pyproject.toml
	mkdir -p $(WHEELHOUSE)
	$(BIN)/python -m pip download --quiet -d $(WHEELHOUSE) boto3 'moto[cognitoidp]' hatchling .
	$(BIN)/python -m pip download --quiet -d $(WHEELHOUSE) botocore==$(BOTOCORE_FLOOR) boto3==$(BOTOCORE_FLOOR)
	rm -f $(WHEELHOUSE)/cognito_conformance-* $(WHEELHOUSE)/cognito-conformance-*
	touch $@

wheelhouse: $(WHEELHOUSE)/.stamp

test: setup lint typecheck unit

lint: setup
	$(BIN)/ruff check conformance strategies tests
	$(BIN)/ruff format --check conformance strategies tests
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

unit: setup wheelhouse
	$(BIN)/pytest -q -p no:cacheprovider -n 2

schemas: setup
	$(BIN)/cognito-conformance schemas

clean:
	rm -rf $(VENV) build reports/latest .pytest_cache .mypy_cache .ruff_cache .hypothesis
