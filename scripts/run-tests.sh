#!/usr/bin/env bash
# Runs the smoke subset on SQLite (the embedded quick start), the whole suite on PostgreSQL in parallel workers
# (PYTEST_WORKERS, default one per core and one more), then one at a time the tests that start a Celery worker
# process (-m serial) with, beside them, the production shape (gunicorn, celery worker and beat,
# DJANGO_DEBUG=false) end to end: production-smoke.sh.
# Benchmarks and the city seed are not part of it: `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-services.sh
echo "== 冒烟测试(SQLite)"
DATABASE_URL="sqlite:///$(mktemp -d)/smoke.sqlite3" .venv/bin/python -m pytest -m smoke -p no:cacheprovider -q
echo "== 全部测试(PostgreSQL: ${DATABASE_URL%%\?*})"
# one worker more than cores: the live-server and browser tests leave a core idle while they wait on their round
# trips (a third worker took the parallel part from 10 min 16 s to 9 min 18 s on 2 cores)
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-$(($(nproc) + 1))}" -p no:cacheprovider -m "not bench and not serial" "$@"
# The production smoke runs beside the serial tests (its own database and Redis database): both wait on the
# processes they start more than they compute.
smoke_log=$(mktemp)
bash scripts/production-smoke.sh >"$smoke_log" 2>&1 &
smoke=$!
serial_status=0
.venv/bin/python -m pytest -p no:cacheprovider -p no:xdist -m serial "$@" || serial_status=$?
smoke_status=0
wait "$smoke" || smoke_status=$?
echo "== 生产形态冒烟"
cat "$smoke_log"
exit $((serial_status || smoke_status))
