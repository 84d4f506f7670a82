#!/usr/bin/env bash
# Benchmark of webhook-service against a fast loopback receiver (Receiver.java).
#
# Needs PostgreSQL, Redis, kcat and python3. Starts its OWN single-node Kafka broker on
# 127.0.0.1:19192 (fresh data every run, the jars ./dev/up caches), its own instance on
# :18082 / :19082 and its own database (relay_bench_webhook), so it neither disturbs nor is
# disturbed by a ./dev/up stack. BENCH_JAVA_OPTS replaces the instance's JVM options (e.g. add
# -XX:StartFlightRecording=filename=...,settings=profile for a JFR profile).
#
#   bench/webhook-service/run.sh
#   ENDPOINTS=10 BACKLOG=2000 RATE=50 DURATION=30 bench/webhook-service/run.sh
#   PHASES=backlog SPRING_R2DBC_POOL_MAX_SIZE=20 bench/webhook-service/run.sh   (service settings via env)
#
# Every event fans out to all ENDPOINTS endpoints of the bench tenant.
# Phase 1 (throughput): BACKLOG events produced as fast as possible, then drained;
#   deliveries/s = deliveries / (first received -> last received).
# Phase 2 (latency): RATE events/s for DURATION s; accepted (CloudEvent time, stamped when
#   produced) -> received by the receiver, p50/p99.
# Phase 3: as phase 2 with 10 % of the endpoints hanging (no answer for 30 s); figures are for
#   the healthy endpoints.
# PEERS="bullmq" (the default; PEERS= skips it): after Relay's phases, Relay's service and broker
#   are stopped and the same phases run against the same receiver with a BullMQ worker on the
#   local Redis (bench/webhook-service/bullmq, see phases.sh there); its lines are labelled bullmq:.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/out"
mkdir -p "$OUT"

ENDPOINTS="${ENDPOINTS:-10}"
BACKLOG="${BACKLOG:-2000}"
RATE="${RATE:-50}"
DURATION="${DURATION:-30}"
RECEIVER_PORT="${RECEIVER_PORT:-18090}"
PHASES="${PHASES:-backlog steady hanging}"
PORT=18082
MGMT=19082
TOKEN=bench-internal-token
DB=relay_bench_webhook
PSQL=(psql -h 127.0.0.1 -U postgres -d "$DB" -qAt)

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

command -v kcat >/dev/null || { echo "kcat is required (apt-get install -y kcat)"; exit 1; }
BROKER=127.0.0.1:19192
source "$ROOT/dev/lib/common.sh"
source "$ROOT/dev/lib/kafka.sh"
kafka_start_scratch "$ROOT/.dev/bench/webhook-service/kafka" 19192 19193 "$OUT/kafka.log"
BROKER_PID=$SCRATCH_BROKER_PID
PIDS+=($BROKER_PID)
psql -h 127.0.0.1 -U postgres -qAt -c "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -q -c "create database $DB"
# A fresh store per run: earlier runs' endpoints must not receive anything.
"${PSQL[@]}" -c "drop schema if exists webhook cascade"
analyze_while_running "$DB" webhook
[[ -n "$ANALYZE_PID" ]] && PIDS+=($ANALYZE_PID)

JAR="$(ls "$ROOT"/webhook-service/target/*-exec.jar 2>/dev/null | head -1 || true)"
if [[ -z "$JAR" || -n "$(find "$ROOT/webhook-service/src/main" "$ROOT/delivery-engine/src/main" "$ROOT/common/src/main" -newer "$JAR" -print -quit)" ]]; then
  (cd "$ROOT" && ./mvnw -q -B -ntp -pl webhook-service -am install -DskipTests)
  JAR="$(ls "$ROOT"/webhook-service/target/*-exec.jar | head -1)"
fi

java "$HERE/Receiver.java" "$RECEIVER_PORT" >"$OUT/receiver.log" 2>&1 &
PIDS+=($!)

SPRING_KAFKA_BOOTSTRAP_SERVERS="$BROKER" SPRING_R2DBC_URL="r2dbc:postgresql://127.0.0.1:5432/$DB" SPRING_FLYWAY_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
SPRING_KAFKA_CONSUMER_GROUP_ID="webhook-service-bench-$(date +%s)" SPRING_KAFKA_CONSUMER_AUTO_OFFSET_RESET=latest \
SERVER_PORT=$PORT MANAGEMENT_SERVER_PORT=$MGMT RELAY_INTERNAL_TOKEN=$TOKEN \
RELAY_WEBHOOKS_SECRETKEYID=bench RELAY_WEBHOOKS_SECRETKEYS_BENCH=YmVuY2gtb25seS13ZWJob29rLXNlY3JldC1rZXktMzI= \
RELAY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true LOGGING_LEVEL_COM_CLOUDGREET_RELAY=WARN \
RELAY_KAFKA_PRODUCERS_GATEWAY_KEY=ZGV2LW9ubHktZ2F0ZXdheS1rYWZrYS1rZXktMzJieXQ= RELAY_KAFKA_ANONYMOUSTENANTS="*" \
RELAY_KAFKA_TOPICS_REPLICATION_FACTOR=1 RELAY_KAFKA_TOPICS_MIN_INSYNC_REPLICAS=1 \
  java ${BENCH_JAVA_OPTS:--Xms256m -Xmx512m} -jar "$JAR" >"$OUT/service.log" 2>&1 &
SERVICE_PID=$!
PIDS+=($SERVICE_PID)

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$MGMT/actuator/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$MGMT/actuator/health" >/dev/null || { echo "service not healthy; see $OUT/service.log"; exit 1; }
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$RECEIVER_PORT/stats" >/dev/null 2>&1 && break
  sleep 0.5
done

api() { # method path [body] (tenant in $TENANT)
  curl -fsS -X "$1" "http://127.0.0.1:$PORT$2" -H "X-Relay-Internal-Token: $TOKEN" -H "X-Relay-Tenant-Id: $TENANT" \
    -H 'Content-Type: application/json' ${3:+-d "$3"}
}

new_tenant() { # hanging-count
  TENANT="ten_$(python3 -c 'import uuid; print(uuid.uuid4().hex)')"
  for i in $(seq 1 "$ENDPOINTS"); do
    local path=ok
    [[ "$i" -le "$1" ]] && path=hang
    api POST /internal/v1/endpoints "{\"url\":\"http://127.0.0.1:$RECEIVER_PORT/$path/$i\",\"eventTypes\":[\"invoice.paid\"]}" >/dev/null
  done
}

produce() { # count rate
  python3 "$HERE/../load.py" webhook "$TENANT" "$1" "$2" \
    | kcat -b "$BROKER" -t relay.webhook.v1 -P -K $'\t' -H content-type=application/cloudevents+json -X linger.ms=5
}

stat() { curl -fsS "http://127.0.0.1:$RECEIVER_PORT/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

await_received() { # count
  for _ in $(seq 1 900); do
    [[ "$(stat count)" -ge "$1" ]] && return 0
    sleep 1
  done
  echo "timed out waiting for $1 deliveries (have $(stat count))"
}

cpu_ms() { # pid: CPU time (user+system) of the process so far, in ms
  echo $(( $(awk '{print $14 + $15}' "/proc/$1/stat") * 1000 / $(getconf CLK_TCK) ))
}

cpu_line() { # label deliveries cpu_before broker_before
  local used=$(( $(cpu_ms "$SERVICE_PID") - $3 )) broker=$(( $(cpu_ms "$BROKER_PID") - $4 ))
  echo "$1: service CPU $used ms for $2 deliveries = $(( used * 1000 / $2 )) us/delivery; broker CPU $broker ms; heap $(heap)" | tee -a "$OUT/cpu.txt"
}

heap() { curl -fsS "http://127.0.0.1:$MGMT/actuator/metrics/jvm.memory.used?tag=area:heap" 2>/dev/null \
  | python3 -c "import json,sys; print(round(json.load(sys.stdin)['measurements'][0]['value']/1048576), 'MiB used')" 2>/dev/null || echo '?'; }

report() { # label
  curl -fsS "http://127.0.0.1:$RECEIVER_PORT/stats" | python3 -c "
import json, sys
s = json.load(sys.stdin)
span = max(s['lastMs'] - s['firstMs'], 1) / 1000
print('$1', s['count'], round(s['count'] / span, 1), s['p50'], s['p99'], s['max'], s['count'] - s['distinctIds'], s['hung'])"
}

# Warm-up: a new consumer group starts at the end of the topic (earlier events are not ours), so
# produce until one event arrives: then partitions are assigned and the JIT has seen the path.
ENDPOINTS_SAVED=$ENDPOINTS; ENDPOINTS=1; new_tenant 0; ENDPOINTS=$ENDPOINTS_SAVED
for _ in $(seq 1 60); do
  produce 20 0
  sleep 2
  [[ "$(stat count)" -gt 0 ]] && break
done
[[ "$(stat count)" -gt 0 ]] || { echo "warm-up event never arrived; see $OUT/service.log"; exit 1; }

# CPU by process while a phase runs: where the time goes.
profile() { # label
  sleep 4
  { echo "== $1"; top -b -n 1 -o %CPU -w 200 | sed -n '7,16p'; } >>"$OUT/top.txt"
}
: >"$OUT/top.txt"; : >"$OUT/cpu.txt"

echo "phase endpoints delivered deliveries/s p50_ms p99_ms max_ms duplicates hanging_requests" | tee "$OUT/results.txt"

run_phase() { [[ " $PHASES " == *" $1 "* ]]; }

# Phase 1: throughput on a backlog.
if run_phase backlog; then
new_tenant 0
curl -fsS -X POST "http://127.0.0.1:$RECEIVER_PORT/reset"
profile backlog &
c0=$(cpu_ms "$SERVICE_PID"); b0=$(cpu_ms "$BROKER_PID")
produce "$BACKLOG" 0
await_received $((BACKLOG * ENDPOINTS))
cpu_line backlog $((BACKLOG * ENDPOINTS)) "$c0" "$b0"
report "backlog=$BACKLOG $ENDPOINTS" | tee -a "$OUT/results.txt"
fi

# Phase 2: latency at a steady rate.
if run_phase steady; then
new_tenant 0
curl -fsS -X POST "http://127.0.0.1:$RECEIVER_PORT/reset"
profile steady &
c0=$(cpu_ms "$SERVICE_PID"); b0=$(cpu_ms "$BROKER_PID")
produce $((RATE * DURATION)) "$RATE"
await_received $((RATE * DURATION * ENDPOINTS))
cpu_line steady $((RATE * DURATION * ENDPOINTS)) "$c0" "$b0"
report "rate=$RATE/s $ENDPOINTS" | tee -a "$OUT/results.txt"
fi

# Phase 3: the same with 10 % of the endpoints hanging.
if run_phase hanging; then
HANGING=$(( (ENDPOINTS + 9) / 10 ))
new_tenant "$HANGING"
curl -fsS -X POST "http://127.0.0.1:$RECEIVER_PORT/reset"
produce $((RATE * DURATION)) "$RATE"
await_received $((RATE * DURATION * (ENDPOINTS - HANGING)))
report "rate=$RATE/s,hanging=$HANGING $ENDPOINTS" | tee -a "$OUT/results.txt"
fi

cat "$OUT/cpu.txt" >>"$OUT/results.txt"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee -a "$OUT/results.txt"
"${PSQL[@]}" -c "select status, count(*) from webhook.delivery group by status order by 1" | tee -a "$OUT/results.txt"

# ---- Peers (PEERS, default bullmq): the same phases against the same receiver, Relay stopped ----
PEERS="${PEERS-bullmq}"
if [[ " $PEERS " == *" bullmq "* ]]; then
  kill "$SERVICE_PID" "$BROKER_PID" 2>/dev/null || true
  wait "$SERVICE_PID" "$BROKER_PID" 2>/dev/null || true
  source "$HERE/bullmq/phases.sh"
  echo "== side by side (Relay, then peers)"
  # (grep finds no CPU lines when only the hanging phase ran: not an error)
  { grep -E '^(phase |backlog=|rate=|bullmq:)' "$OUT/results.txt"; grep -E ' CPU ' "$OUT/results.txt" || true; } \
    | tee "$OUT/side-by-side.txt"
fi
# ---- end of peers ----
