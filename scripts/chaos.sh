#!/usr/bin/env bash
# `make chaos`: the fault-injection run (docs/reliability.md). Starts PostgreSQL, Redis and the broker if
# they are not running, stops only what it started, and always brings PostgreSQL back if the run stopped it.
#
#   make chaos                                   the full run: 50,000 events, 10 kill -9 of the consumer and
#                                                of the relay, PostgreSQL stopped 20 s, Redis flushed twice
#   make chaos ARGS="--events 2000 --kills 3 --postgres lockout --outage-seconds 4 --warm --spares 3"
#                                                the short form (tests/pipeline/test_chaos_short.py)
#   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9593 make chaos   on a broker of its own (started here if none answers)
#
# --postgres stop (the default) stops the whole local cluster for --outage-seconds: everyone on the
# machine loses the database meanwhile. --postgres lockout takes only the chaos database away.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh

PG_MARKER="$VAR/chaos/postgres-stopped-by-chaos"  # written by benchmarks/chaos.py while the cluster is down
restore_postgres() {
  if [ -f "$PG_MARKER" ]; then
    local version cluster
    read -r version cluster <"$PG_MARKER"
    log "the chaos run left PostgreSQL $version/$cluster stopped: starting it again"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
    rm -f "$PG_MARKER"
  fi
}
cleanup() {
  restore_postgres
  stop_started_services
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_postgres
ensure_redis
ensure_kafka

.venv/bin/python benchmarks/chaos.py "$@"
