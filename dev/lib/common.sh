# Shared by dev/up, dev/down and .ci/run. Sourced, not executed.
# Everything dev/up creates lives under $RELAY_DEV_DIR (ignored by git).

RELAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RELAY_DEV_DIR="${RELAY_DEV_DIR:-$RELAY_ROOT/.dev}"
PIDS="$RELAY_DEV_DIR/pids"
LOGS="$RELAY_DEV_DIR/logs"
KAFKA_HOME="$RELAY_DEV_DIR/kafka"
mkdir -p "$PIDS" "$LOGS"

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# is_running NAME: the process dev/up recorded under NAME is alive.
is_running() {
  local pid_file="$PIDS/$1.pid"
  [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || return 1
    sleep 1
  done
}

# ensure_redis: Redis on 127.0.0.1:6379, started (and recorded) if installed and down.
ensure_redis() {
  if redis_ping; then return 0; fi
  command -v redis-server >/dev/null || die "Redis is not running and not installed: apt-get install -y redis-server"
  say "starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
    --pidfile "$PIDS/redis.pid" --logfile "$LOGS/redis.log" --dir "$RELAY_DEV_DIR" >/dev/null
  touch "$PIDS/redis.started-by-dev-up"
  wait_for "Redis" 20 redis_ping || die "Redis did not start; see $LOGS/redis.log"
}

redis_ping() {
  if command -v redis-cli >/dev/null; then
    [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]
  else
    port_open 6379
  fi
}

# ensure_postgres: PostgreSQL on 127.0.0.1:5432, started if installed and down.
ensure_postgres() {
  if pg_ready; then return 0; fi
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  [[ -n "$version" ]] && command -v pg_ctlcluster >/dev/null \
    || die "PostgreSQL is not running and not installed: apt-get install -y postgresql"
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  touch "$PIDS/postgres.started-by-dev-up"
  wait_for "PostgreSQL" 30 pg_ready || die "PostgreSQL did not start"
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

# analyze_while_running DB SCHEMA: when this server runs without autovacuum (these machines' image
# turns it off), ANALYZEs SCHEMA's tables every 10 s in the background, as autovacuum would on any
# production server. Benchmarks start from empty tables: without statistics the planner reads a
# whole backlog of due rows per claim instead of walking the due-time index (33 ms vs 0.5 ms per
# claim at 50 000 pending rows). Sets ANALYZE_PID (empty when autovacuum is on).
analyze_while_running() {
  ANALYZE_PID=
  [[ "$(psql -h 127.0.0.1 -U postgres -tAc 'show autovacuum' 2>/dev/null)" == "off" ]] || return 0
  say "autovacuum is off on this PostgreSQL: analyzing $2.* every 10 s while the benchmark runs"
  ( while sleep 10; do
      psql -h 127.0.0.1 -U postgres -d "$1" -qAt -c "select format('analyze %I.%I;', schemaname, relname) from pg_stat_user_tables where schemaname = '$2'" 2>/dev/null \
        | psql -h 127.0.0.1 -U postgres -d "$1" -q >/dev/null 2>&1 || true
    done ) &
  ANALYZE_PID=$!
}

# ensure_database NAME: creates the database if missing (trust auth as postgres, as on these machines).
ensure_database() {
  local exists
  exists="$(psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname = '$1'" 2>/dev/null)" \
    || die "cannot connect to PostgreSQL at 127.0.0.1:5432 as postgres"
  if [[ "$exists" != "1" ]]; then
    say "creating database $1"
    psql -h 127.0.0.1 -U postgres -qc "create database $1" >/dev/null
  fi
}

# ensure_roles DB: the services' PostgreSQL roles (relay_gateway, relay_notification, relay_webhook),
# each owning its own schema of DB, from k8s/postgres/roles.sql (idempotent: it also hands over the
# tables of a database the services once migrated as postgres). Local-only passwords unless the
# caller set its own; db_password ROLE prints the one ROLE gets.
ensure_roles() {
  export RELAY_GATEWAY_DB_PASSWORD="${RELAY_GATEWAY_DB_PASSWORD:-dev-gateway-password}"
  export RELAY_NOTIFICATION_DB_PASSWORD="${RELAY_NOTIFICATION_DB_PASSWORD:-dev-notification-password}"
  export RELAY_WEBHOOK_DB_PASSWORD="${RELAY_WEBHOOK_DB_PASSWORD:-dev-webhook-password}"
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -U postgres -d "$1" -q \
    -f "$RELAY_ROOT/k8s/postgres/roles.sql" >/dev/null || die "could not create the services' roles (k8s/postgres/roles.sql, needs psql 15+)"
}

db_password() {
  local var="RELAY_${1#relay_}_DB_PASSWORD"
  var="${var^^}"
  printf '%s' "${!var}"
}
