# Earshot. `make demo` and `make test` need only Python 3.11 on the machine.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The PostgreSQL and Redis that `make test-services` and `make bench` use.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/14

.PHONY: demo test test-services lint bench serve worker beat clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py loaddemo
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	$(VENV)/bin/pytest

# The same suite against real PostgreSQL and Redis, with real Celery worker processes.
test-services: $(VENV)/.installed
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) \
	EARSHOT_REQUIRE_SERVICES=1 $(VENV)/bin/pytest

# ruff, then bandit: no high-severity security finding may land (medium ones are
# reviewed by hand: table names formatted into SQL come from model metadata, not input).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r sentiment collectors dashboards -x '*/migrations/*' --severity-level high

bench: $(VENV)/.installed
	$(PY) bench/pipeline.py

serve: $(VENV)/.installed
	$(PY) manage.py runserver 127.0.0.1:8000

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A sentiment worker --loglevel INFO

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A sentiment beat --loglevel INFO

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache
