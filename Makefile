# egov — the two set-up commands are `make demo` and `make test`; everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NODE_STAMP := node_modules/.egov-installed
DIST_CSS := src/egov/core/static/dist/egov.css
ASSET_SOURCES := $(shell find assets -type f 2>/dev/null)


.PHONY: screenshots pdftools fonts
.PHONY: install demo test lint lint-migrations typecheck pytest bench migrate clean constraints docs-config openapi \
	node assets messages browser

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

# Front-end assets: npm packages are fetched at build time, never committed.
node:
	@command -v npm >/dev/null || { \
	  echo "installing Node.js and npm (Debian/Ubuntu: nodejs npm)"; \
	  if command -v apt-get >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; \
	  else echo "please install Node.js 18+ and npm"; exit 1; fi; }
	@node -e 'process.exit(parseInt(process.versions.node, 10) < 18 ? 1 : 0)' || \
	  { echo "egov needs Node.js 18 or newer (found: $$(node --version))"; exit 1; }

$(NODE_STAMP): package-lock.json package.json | node
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $(NODE_STAMP)

$(DIST_CSS): $(NODE_STAMP) package-lock.json $(ASSET_SOURCES)
	npm run build --silent

assets: $(DIST_CSS)

# Compile the gettext catalogues (*.po -> *.mo; the .mo files are not committed).
messages: install
	@command -v msgfmt >/dev/null || { \
	  echo "installing gettext (msgfmt)"; \
	  if command -v apt-get >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq gettext; \
	  else echo "please install GNU gettext"; exit 1; fi; }
	@$(BIN)/egov compilemessages --ignore=.venv --ignore=node_modules --ignore=var >/dev/null

# Chromium for the browser (accessibility) tests; EGOV_CHROMIUM=/path overrides.
browser:
	@if [ -n "$$EGOV_CHROMIUM" ]; then \
	  [ -x "$$EGOV_CHROMIUM" ] || { echo "EGOV_CHROMIUM=$$EGOV_CHROMIUM is not an executable"; exit 1; }; \
	elif [ ! -x /usr/bin/chromium ]; then \
	  if grep -qiE '^ID(_LIKE)?=.*ubuntu' /etc/os-release 2>/dev/null; then \
	    echo "Chromium is needed for the browser tests. On Ubuntu the apt package is only a snap shim:"; \
	    echo "install Chromium (e.g. 'sudo snap install chromium') and run again with"; \
	    echo "EGOV_CHROMIUM=/path/to/chromium (e.g. /snap/bin/chromium). The browser tests are skipped until then."; \
	  elif command -v apt-get >/dev/null; then \
	    echo "installing Chromium (Debian: chromium)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; \
	  else echo "Chromium not found: the browser tests are skipped; install it and set EGOV_CHROMIUM=/path"; fi; \
	fi

demo: install assets messages fonts
	PORT=$(PORT) $(BIN)/egov demo

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# The migration linter alone (PostgreSQL); `make test` runs it with the other tests.
lint-migrations: install
	$(BIN)/python -m pytest tests/core/test_migration_safety.py -q

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: install assets messages browser pdftools fonts lint typecheck pytest

# poppler's pdfsig: a second, independent validator of the PAdES signatures in the tests.
pdftools:
	@command -v pdfsig >/dev/null || { \
	  if command -v apt-get >/dev/null; then echo "installing poppler-utils (pdfsig)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq poppler-utils; \
	  else echo "pdfsig not found: its checks are skipped (install poppler-utils)"; fi; }

# A Unicode font for PDF results and forms (DejaVu; or set EGOV_PDF_FONT_DIR to a folder with Times New Roman).
fonts:
	@ls /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf >/dev/null 2>&1 || [ -n "$$EGOV_PDF_FONT_DIR" ] || { \
	  if command -v apt-get >/dev/null; then echo "installing fonts-dejavu-core (fonts for PDF results)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-dejavu-core fonts-dejavu-extra; \
	  else echo "no DejaVu fonts found: install them or set EGOV_PDF_FONT_DIR (PDF results need a Unicode font)"; fi; }

# Refresh docs/screenshots/ from the browser tests (Vietnamese pages, 1280 px wide).
screenshots: install assets messages browser
	rm -rf docs/screenshots && EGOV_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/e2e -q

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

migrate: install
	$(BIN)/egov migrate

docs-config: install
	$(BIN)/egov config > docs/CONFIGURATION.md

# The committed OpenAPI document; tests/core/test_contracts.py fails when it differs from the code.
# Integer bounds follow the database backend: the document describes PostgreSQL, production's
# (the URL only picks the backend; no connection is made).
OPENAPI_DATABASE_URL := postgres://postgres@127.0.0.1:5432/egov
openapi: install
	EGOV_DATABASE_URL=$(OPENAPI_DATABASE_URL) $(BIN)/egov spectacular --validate --fail-on-warn --file docs/openapi.yaml

# Refresh the pinned versions (no download addresses are recorded).
constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' | sed 's/ @ .*//' > constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules src/egov/core/static/dist
