# The two commands of the quick start: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test setup lint bench

$(PY):
	$(PYTHON) -m venv $(VENV)

setup: $(PY)
	bash scripts/install-system-packages.sh
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# The quick start runs in development mode (production settings are the default of partybuild/settings.py).
run: setup
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py seed_demo --if-empty
	@echo "党建督考已启动：http://127.0.0.1:8000/ (演示账号见上方，密码 pb-demo-2026)"
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: setup
	bash scripts/run-tests.sh

lint: setup
	$(PY) -m ruff check .
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Benchmarks (gunicorn + wrk, bench_* commands, printing their figures) and the city seed: not in `make test`.
bench: setup
	bash -c 'source scripts/ensure-services.sh && $(PY) -m pytest -m bench -p no:cacheprovider -q -s'
