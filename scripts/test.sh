#!/usr/bin/env bash
# `make test`: lint, then the whole suite against real PostgreSQL, Redis, tansu, moto S3 and MLflow
# (sqlite store). Starts what is not running and stops only what it started.
#
#   make test                      everything (what CI runs)
#   make test ARGS="tests/pipeline -k outbox"   a subset, passed to pytest
#   LAKAY_SKIP_LINT=1 make test    skip the lint step while iterating
#   LAKAY_TEST_ID=alice make test  isolate concurrent runs on one machine (own database, topics, keys)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_started_services EXIT

run_id=${LAKAY_TEST_ID:-main}
if [ "$run_id" != "main" ]; then
  # Concurrent runs on one machine get their own broker and S3 server, so one run stopping what it
  # started never pulls the floor from under another.
  offset=$(( $(printf '%s' "$run_id" | cksum | cut -d' ' -f1) % 400 ))
  export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$((9400 + offset))}
  export MOTO_PORT=${MOTO_PORT:-$((9800 + offset))}
fi

ensure_postgres
ensure_redis
ensure_kafka
ensure_moto
ensure_chromium
ensure_compose_client

if [ -z "${LAKAY_SKIP_LINT:-}" ] && [ $# -eq 0 ]; then
  scripts/lint.sh
fi

export LAKAY_TEST_ID=$run_id
export DATABASE_TEST_NAME=${DATABASE_TEST_NAME:-test_lakay_$run_id}
export KAFKA_TOPIC_PREFIX="test-$run_id-$(date +%s)-"
export REDIS_KEY_PREFIX="test-$run_id"
export TEST_S3_ENDPOINT="http://127.0.0.1:${MOTO_PORT:-9300}"
export LAKAY_VAR_DIR="$VAR/test/$run_id"
rm -rf "$LAKAY_VAR_DIR" && mkdir -p "$LAKAY_VAR_DIR"
export MLFLOW_TRACKING_URI="sqlite:///$LAKAY_VAR_DIR/mlflow.db"
export PROMETHEUS_MULTIPROC_DIR="$LAKAY_VAR_DIR/prometheus"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

# CI (a clean checkout) builds the test database from scratch; local runs reuse it.
db_flag=--reuse-db
[ -n "${CI:-}" ] && db_flag=--create-db

.venv/bin/python -m pytest "$db_flag" "$@"
