#!/usr/bin/env bash
# Runs the smoke subset on SQLite (the embedded quick start), the whole suite on PostgreSQL in parallel workers
# (PYTEST_WORKERS, default one per core) and then, alone, the tests that start a Celery worker process (-m serial),
# then the production shape (gunicorn, celery worker and beat, DJANGO_DEBUG=false) end to end: production-smoke.sh.
# Benchmarks and the city seed are not part of it: `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-services.sh
echo "== 冒烟测试(SQLite)"
DATABASE_URL="sqlite:///$(mktemp -d)/smoke.sqlite3" .venv/bin/python -m pytest -m smoke -p no:cacheprovider -q
echo "== 全部测试(PostgreSQL: ${DATABASE_URL%%\?*})"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" -p no:cacheprovider -m "not bench and not serial" "$@"
.venv/bin/python -m pytest -p no:cacheprovider -p no:xdist -m serial "$@"
bash scripts/production-smoke.sh
