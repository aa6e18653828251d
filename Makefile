# Threadline — the two commands are `make run` and `make test`; the rest are helpers.
# With no environment set everything runs embedded (SQLite, local-memory cache, in-process tasks).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/threadline_bench

.PHONY: install run test test-smoke schema-check lint migrate seed worker beat web bench bench-architecture bench-contracts bench-deployments vendor clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Installs exactly what uv.lock pins (--inexact keeps uv itself in the venv).
install: $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	@mkdir -p var

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The login line comes last, once the server is listening (manage.py serve).
run: seed
	DEBUG=$${DEBUG:-1} HTTPS=$${HTTPS:-0} $(BIN)/python manage.py serve 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-smoke: install
	$(BIN)/pytest -m smoke $(PYTEST_ARGS)

# Schemathesis over /api/schema/ (tests/core/test_core_schemathesis.py); SCHEMA_CHECK_EXAMPLES=N for more.
schema-check: install
	SCHEMA_CHECK=1 $(BIN)/pytest tests/core/test_core_schemathesis.py -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Production-style processes (set DATABASE_URL and REDIS_URL first; see README).
web: install
	PORT=$(PORT) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

worker: install
	$(BIN)/celery -A config worker --loglevel INFO --concurrency 2

beat: install
	$(BIN)/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule

bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench_architecture.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench_contracts.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench_deployments.py

# One app's benchmark alone (each rewrites only its own section of docs/benchmarks.md).
bench-architecture: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench_architecture.py

bench-contracts: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench_contracts.py

bench-deployments: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python scripts/bench_deployments.py

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) var/staticfiles
