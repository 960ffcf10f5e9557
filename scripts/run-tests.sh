#!/usr/bin/env bash
# Runs the smoke subset on SQLite (the embedded quick start), the whole suite on PostgreSQL in parallel workers
# (PYTEST_WORKERS, default one per core; tests sharing a process or Redis database are grouped onto one worker),
# then the production shape (gunicorn, celery worker and beat, DJANGO_DEBUG=false) end to end: production-smoke.sh.
# Benchmarks and the city seed are not part of it: `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-services.sh
echo "== 冒烟测试(SQLite)"
DATABASE_URL="sqlite:///$(mktemp -d)/smoke.sqlite3" .venv/bin/python -m pytest -m smoke -p no:cacheprovider -q
echo "== 全部测试(PostgreSQL: ${DATABASE_URL%%\?*})"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadgroup -p no:cacheprovider "$@"
bash scripts/production-smoke.sh
