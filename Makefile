# egov — the two set-up commands are `make demo` and `make test`; everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint typecheck pytest bench migrate clean constraints docs-config

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "egov needs Python 3.11 or newer (found: $$($(PYTHON) --version)); set PYTHON=python3.x"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "installing the Python venv module (Debian/Ubuntu: python3-venv)"; \
	  if command -v apt-get >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; \
	  else echo "please install the venv module of $(PYTHON)"; exit 1; fi; }
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
