# Ducha: `make run` starts the app on SQLite with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test test-sqlite test-postgres e2e lint format messages translations db seed worker clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations -D "messages admin" 2>&1 | grep -v '^compiling' || true

db: translations
	$(FLASK) db upgrade

run: db  ## serve on http://127.0.0.1:5000 with SQLite and demo data
	@$(FLASK) seed-demo --if-empty
	@echo "Ducha: http://$(HOST):$(PORT)/  (log in with a username and password above)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: db  ## gunicorn as in production (gunicorn.conf.py, GUNICORN_* settings) on 127.0.0.1:8000
	$(BIN)/gunicorn -c gunicorn.conf.py

test: translations  ## the suite on SQLite, then on PostgreSQL when TEST_POSTGRES_URL is set
	$(BIN)/python -m pytest -q -m "not e2e"
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/python -m pytest -q -m "not e2e"; \
	else echo "TEST_POSTGRES_URL is not set: PostgreSQL run skipped"; fi

e2e: translations  ## the office's month in headless Chromium (/usr/bin/chromium); screenshots in tests/screenshots/
	$(BIN)/python -m pytest -q -m e2e tests/e2e

worker: translations  ## production's background processes: an RQ worker and RQ's cron scheduler
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL (without it, jobs run inline)"; exit 1; }
	$(FLASK) cron & cron=$$!; trap 'kill $$cron 2>/dev/null' EXIT; $(FLASK) worker

lint: $(VENV)/.installed  ## ruff, and the import layers (.importlinter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.installed  ## extract new strings into the catalogue to translate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o translations/messages.pot --ignore-dirs=".venv migrations tests" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance/*.db*
