#!/usr/bin/env bash
# `make bench`: the benchmarks under benchmarks/ against real services on loopback, one summary table,
# figures written to docs/performance.md (benchmarks/run_all.py does the running and the writing).
# Starts what is not running and stops only what it started, like scripts/test.sh.
#
#   make bench                              every benchmark, full size (hours on 2 vCPU)
#   make bench ARGS="score_api session"     a subset (scripts/bench.sh --list for the names)
#   make bench ARGS="--quick"               small histories and short steps: a smoke run, docs untouched
#
# Isolation from the other runs on the machine: databases lakay_bench_* (one per benchmark), Redis prefix
# "bench" (BENCH_REDIS_PREFIX), and a broker of its own on 127.0.0.1:9692 (BENCH_KAFKA_BOOTSTRAP_SERVERS),
# never the 9092 broker of `make run` / `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "${1:-}" = "--list" ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  exec .venv/bin/python benchmarks/run_all.py "$@"
fi

export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lakay_bench}
export BENCH_DATABASE_SERVER=${DATABASE_URL%/*}
export REDIS_KEY_PREFIX=${BENCH_REDIS_PREFIX:-bench}
export KAFKA_BOOTSTRAP_SERVERS=${BENCH_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9692}
export KAFKA_TOPIC_PREFIX="bench-$(date +%s)-"
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
unset PROMETHEUS_MULTIPROC_DIR

# Validate the selection before starting anything.
needs_kafka=$(.venv/bin/python benchmarks/run_all.py --needs-kafka "$@")

# shellcheck source=scripts/services.sh
source scripts/services.sh
trap stop_started_services EXIT

ensure_postgres
ensure_redis
if [ "$needs_kafka" = yes ]; then
  ensure_kafka
fi

.venv/bin/python benchmarks/run_all.py "$@"
