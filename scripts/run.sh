#!/usr/bin/env bash
# `make run`: services up, schema migrated, topics created, demo officer, then every process (Procfile).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_started_services EXIT

ensure_postgres
ensure_redis
ensure_kafka

export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$VAR/prometheus}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR" "$VAR/mlflow" "$VAR/lake"
export LIVE_WEBSOCKET_PORT=${LIVE_WEBSOCKET_PORT:-${WS_PORT:-8001}}
export LOG_FORMAT=${LOG_FORMAT:-console}

M=".venv/bin/python manage.py"
$M migrate --no-input -v0
$M kafka_topics --create >/dev/null
$M collectstatic --no-input -v0
$M sync_schedules
$M bootstrap_demo

echo "Lakay Intelligence: http://127.0.0.1:${PORT:-8000}/admin/  (API docs: /api/v1/docs/, websockets on :$LIVE_WEBSOCKET_PORT)"
# honcho runs every process of the Procfile and stops them all on Ctrl-C.
# honcho numbers ports from -p (web is the first process), so the web answers where we print it.
.venv/bin/honcho -f Procfile start -p "${PORT:-8000}"
