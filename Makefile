# Waypoint's two commands (see README.md):
#   make run   set everything up on a fresh machine and start the web server with the scheduler
#   make test  set up the test tools and run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
GOVUK := node_modules/govuk-frontend/dist/govuk
STATIC := app/static/govuk
# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: run test setup setup-dev assets lint clean

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) dev --host $${HOST:-127.0.0.1} --port $${PORT:-5000}

test: setup-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .

setup: $(BIN)/.runtime assets

setup-dev: $(BIN)/.dev assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(BIN)/.runtime

# GOV.UK Frontend (and axe-core, for the browser tests) come from the npm registry at the versions package-lock.json pins,
# never from a CDN; the stylesheet is compiled with Waypoint's own settings (no GDS Transport).
assets: $(STATIC)/app.css $(STATIC)/govuk-frontend.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(STATIC)/app.css: app/static/scss/app.scss node_modules/.package-lock.json
	mkdir -p $(STATIC)
	npm run --silent build:css

$(STATIC)/govuk-frontend.min.js: node_modules/.package-lock.json
	mkdir -p $(STATIC)/assets
	cp $(GOVUK)/govuk-frontend.min.js $@
	cp -r $(GOVUK)/assets/images $(STATIC)/assets/

clean:
	rm -rf $(VENV) node_modules $(STATIC) .pytest_cache
