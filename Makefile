# egov — the two set-up commands are `make demo` and `make test`; everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest bench migrate clean constraints docs-config

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: install
	PORT=$(PORT) $(BIN)/egov demo

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

migrate: install
	$(BIN)/egov migrate

docs-config: install
	$(BIN)/egov config > docs/CONFIGURATION.md

# Refresh the pinned versions (no download addresses are recorded).
constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' | sed 's/ @ .*//' > constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
