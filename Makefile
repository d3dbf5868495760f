# Two commands for a new machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Debug, served from the source folders; cookies follow the portal URLs (http here).
DEV := DJANGO_DEBUG=true DJANGO_STATIC_MANIFEST=false

.PHONY: run test serve lint format clean screenshots bench load bench-hung-cache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: install, migrate, seed the demo data and serve the three portals and the directory (debug)
run: $(VENV)/.runtime
	$(DEV) $(BIN)/python manage.py migrate --no-input -v 0
	$(DEV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "  Defender portal: http://security.localhost:$(PORT)/"
	@echo "  Legacy portal:   http://portal.atp.localhost:$(PORT)/timeline"
	@echo "  Security Center: http://securitycenter.localhost:$(PORT)/alerts"
	@echo "  Directory:       http://login.localhost:$(PORT)/.well-known/openid-configuration"
	@echo "  Start page:      http://localhost:$(PORT)/"
	@echo "  Password for every demo account: $${DEMO_PASSWORD:-demo-password-1}"
	@echo
	$(DEV) DEFENDER_PORTAL_URL=$${DEFENDER_PORTAL_URL:-http://security.localhost:$(PORT)} \
	  LEGACY_PORTAL_URL=$${LEGACY_PORTAL_URL:-http://portal.atp.localhost:$(PORT)} \
	  ENDPOINT_PORTAL_URL=$${ENDPOINT_PORTAL_URL:-http://securitycenter.localhost:$(PORT)} \
	  IDENTITY_URL=$${IDENTITY_URL:-http://login.localhost:$(PORT)} \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install the dev tools and run the whole suite
test: $(VENV)/.dev
	$(BIN)/pytest

## serve: production-style server (gunicorn, debug off); needs DJANGO_SECRET_KEY
serve: $(VENV)/.runtime
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py migrate --no-input -v 0
	exec $(BIN)/gunicorn --config config/gunicorn.py config.wsgi

## screenshots: seed a throwaway database, serve it and save PNGs under docs/screenshots/
screenshots: $(VENV)/.dev
	$(BIN)/python -m scripts.screenshots

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis

## bench: the portals against a bare Django floor, pages, scale, propagation, load (~10 min;
## needs wrk, psql, PostgreSQL and Redis; installs nothing: apt-get install wrk postgresql-client)
bench: $(VENV)/.dev
	$(BIN)/python -m bench.run_bench

## load: 60 s of mixed traffic while the switch flips (PostgreSQL, Redis, wrk; ~2 min)
load: $(VENV)/.dev
	$(BIN)/python -m bench.run_load

## bench-hung-cache: signed-in latency with Redis healthy, hung without and with the circuit (~2 min)
bench-hung-cache: $(VENV)/.dev
	$(BIN)/python -m bench.hung_cache
