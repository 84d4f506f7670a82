#!/usr/bin/env bash
# The fault suite's own infrastructure, on ports nothing else on a shared machine uses: a PostgreSQL
# cluster (relayfaults, :5433), a redis-server (:6390) and a single-node Kafka broker (:27092, the
# jars ./dev/up caches). The machine's own PostgreSQL (:5432) and Redis (:6379) are never touched,
# so other people's runs are not disturbed when a scenario stops one of these.
#
#   infra.sh up | down | pg-stop | pg-start | redis-stop | redis-start | kafka-stop | kafka-start
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# Everything the suite creates lives under .dev/faults (ignored by git).
export RELAY_DEV_DIR="$ROOT/.dev/faults"
source "$ROOT/dev/lib/common.sh"
source "$ROOT/dev/lib/kafka.sh"

PG_VERSION="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
PG_CLUSTER=relayfaults
PG_PORT="${FAULTS_PG_PORT:-5433}"
REDIS_PORT="${FAULTS_REDIS_PORT:-6390}"
KAFKA_PORT="${FAULTS_KAFKA_PORT:-27092}"
KAFKA_CONTROLLER_PORT="${FAULTS_KAFKA_CONTROLLER_PORT:-27093}"
BROKER_DIR="$RELAY_DEV_DIR/broker"

pg_up() {
  [[ -n "$PG_VERSION" ]] || die "PostgreSQL is not installed (apt-get install -y postgresql)"
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$PG_CLUSTER"; then
    say "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER on 127.0.0.1:$PG_PORT"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" -- --auth-local=trust --auth-host=trust >/dev/null
    cat >> "/etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
max_connections = 200
CONF
  fi
  pg_start
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname='relay'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database relay"
}
pg_start() {
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && return 0
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
  wait_for PostgreSQL 30 pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL :$PG_PORT did not start"
}
pg_stop() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop -m fast || true; }

redis_start() {
  [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && return 0
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --pidfile "$PIDS/redis.pid" --logfile "$LOGS/redis.log" --dir "$RELAY_DEV_DIR" >/dev/null
  wait_for Redis 20 bash -c "[[ \$(redis-cli -p $REDIS_PORT ping) == PONG ]]" || die "Redis :$REDIS_PORT did not start"
}
redis_stop() { redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; }

kafka_up() {
  kafka_install
  if [[ ! -f "$BROKER_DIR/data/meta.properties" ]]; then
    kafka_format "$BROKER_DIR" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$LOGS/kafka-format.log" "auto.create.topics.enable=false"
  fi
  kafka_start_suite
}
kafka_start_suite() {
  is_running kafka && return 0
  port_open "$KAFKA_PORT" && die "something else listens on 127.0.0.1:$KAFKA_PORT"
  nohup java -Xms128m -Xmx384m -XX:+UseSerialGC -cp "$KAFKA_LIB/*" \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
    kafka.Kafka "$BROKER_DIR/server.properties" >>"$LOGS/kafka.log" 2>&1 &
  echo $! > "$PIDS/kafka.pid"
  wait_for Kafka 90 port_open "$KAFKA_PORT" || die "Kafka :$KAFKA_PORT did not start; see $LOGS/kafka.log"
}
# Stops the broker the suite started (SIGTERM: a clean broker shutdown, as an operator would).
kafka_stop() {
  is_running kafka || return 0
  local pid; pid="$(cat "$PIDS/kafka.pid")"
  kill "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDS/kafka.pid"
}

case "${1:-}" in
  up) pg_up; redis_start; kafka_up ;;
  down) kafka_stop; redis_stop; pg_stop ;;
  reset) kafka_stop; rm -rf "$BROKER_DIR"; redis_stop; pg_start
         psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "drop database if exists relay" ;;
  pg-stop) pg_stop ;;
  pg-start) pg_start ;;
  redis-stop) redis_stop ;;
  redis-start) redis_start ;;
  kafka-stop) kafka_stop ;;
  kafka-start) kafka_start_suite ;;
  *) die "usage: infra.sh up|down|reset|pg-stop|pg-start|redis-stop|redis-start|kafka-stop|kafka-start" ;;
esac
