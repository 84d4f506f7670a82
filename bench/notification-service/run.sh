#!/usr/bin/env bash
# Benchmark of notification-service against loopback sinks (SMTP and a Twilio-like HTTP API).
#
# Needs Redis, PostgreSQL, kcat and python3. Starts its OWN single-node Kafka broker on
# 127.0.0.1:19092 (fresh data every run, the jars ./dev/up caches) and uses its own database
# (relay_bench), so it neither disturbs nor is disturbed by a running ./dev/up stack.
#
#   bench/notification-service/run.sh                 # 1 and 2 instances, default sizes
#   BACKLOG=3000 RATE=100 DURATION=30 INSTANCES="1 2" bench/notification-service/run.sh
#
# Phase 1 (throughput): BACKLOG emails and BACKLOG texts are produced as fast as possible, then
#   drained; deliveries/s = messages / (last delivered - first picked up).
# Phase 2 (latency): RATE emails/s and RATE texts/s for DURATION seconds; accepted (CloudEvent
#   time, stamped when produced) -> delivered (status row updated) p50/p99.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/out"
mkdir -p "$OUT"

BACKLOG="${BACKLOG:-3000}"
RATE="${RATE:-100}"
DURATION="${DURATION:-30}"
INSTANCES="${INSTANCES:-1 2}"
SMTP_PORT="${SMTP_PORT:-12525}"
HTTP_PORT="${HTTP_PORT:-18089}"
DB=relay_bench
PSQL=(psql -h 127.0.0.1 -U postgres -d "$DB" -qAt)

BENCH_PIDS=()
cleanup() { for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

command -v kcat >/dev/null || { echo "kcat is required (apt-get install -y kcat)"; exit 1; }
BROKER=127.0.0.1:19092
source "$ROOT/dev/lib/common.sh"
source "$ROOT/dev/lib/kafka.sh"
kafka_start_scratch "$ROOT/.dev/bench/notification-service/kafka" 19092 19093 "$OUT/kafka.log"
BROKER_PID=$SCRATCH_BROKER_PID
BENCH_PIDS+=($BROKER_PID)
psql -h 127.0.0.1 -U postgres -qAt -c "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -q -c "create database $DB"
analyze_while_running "$DB" notification
[[ -n "$ANALYZE_PID" ]] && BENCH_PIDS+=($ANALYZE_PID)

JAR="$(ls "$ROOT"/notification-service/target/*-exec.jar 2>/dev/null | head -1 || true)"
if [[ -z "$JAR" || -n "$(find "$ROOT/notification-service/src/main" "$ROOT/delivery-engine/src/main" -newer "$JAR" -print -quit)" ]]; then
  (cd "$ROOT" && ./mvnw -q -B -ntp -pl notification-service -am install -DskipTests)
  JAR="$(ls "$ROOT"/notification-service/target/*-exec.jar | head -1)"
fi

java "$HERE/Sinks.java" "$SMTP_PORT" "$HTTP_PORT" >"$OUT/sinks.log" 2>&1 &
BENCH_PIDS+=($!)

start_instance() { # n
  local n="$1"
  SPRING_KAFKA_BOOTSTRAP_SERVERS="$BROKER" SPRING_R2DBC_URL="r2dbc:postgresql://127.0.0.1:5432/$DB" SPRING_FLYWAY_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
  SERVER_PORT=$((18180 + n)) MANAGEMENT_SERVER_PORT=$((19180 + n)) \
  RELAY_EMAIL_PROVIDER=smtp SPRING_MAIL_HOST=127.0.0.1 SPRING_MAIL_PORT="$SMTP_PORT" \
  RELAY_SMS_PROVIDER=twilio RELAY_SMS_TWILIO_BASE_URL="http://127.0.0.1:$HTTP_PORT" \
  RELAY_SMS_TWILIO_ACCOUNT_SID=ACbench RELAY_SMS_TWILIO_AUTH_TOKEN=bench RELAY_SMS_TWILIO_FROM=+4930123456789 \
  RELAY_SMS_RATE_LIMIT_PER_SECOND=100000 RELAY_SMS_RATE_LIMIT_BURST=100000 \
  LOGGING_LEVEL_COM_CLOUDGREET_RELAY=WARN RELAY_INTERNAL_TOKEN=bench-internal-token \
  RELAY_KAFKA_PRODUCERS_GATEWAY_KEY=ZGV2LW9ubHktZ2F0ZXdheS1rYWZrYS1rZXktMzJieXQ= RELAY_KAFKA_ANONYMOUSTENANTS="*" \
    java ${BENCH_JAVA_OPTS:--Xms256m -Xmx512m} -jar "$JAR" >"$OUT/instance-$n.log" 2>&1 &
  BENCH_PIDS+=($!)
  INSTANCE_PIDS+=($!)
}

wait_healthy() { # n
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$((19180 + $1))/actuator/health" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "instance $1 did not become healthy; see $OUT/instance-$1.log"; exit 1
}

delivered() { "${PSQL[@]}" -c "select count(*) from notification.message where status='delivered' and channel='$1' and tenant_id='ten_bench'"; }

await_delivered() { # channel count
  for _ in $(seq 1 600); do
    [[ "$(delivered "$1")" -ge "$2" ]] && return 0
    sleep 1
  done
  echo "timed out waiting for $2 $1 deliveries (have $(delivered "$1"))"
}

produce() { # channel count rate
  local topic="relay.$1.v1"
  python3 "$HERE/../load.py" "$1" ten_bench "$2" "$3" | tee "$OUT/produced-$1.tsv" \
    | kcat -b "$BROKER" -t "$topic" -P -K $'\t' -H content-type=application/cloudevents+json -X linger.ms=5
}

# The accepted instant of every produced message (its CloudEvent time), kept beside the service's
# tables: the service clears a delivered message's body, so the latency is measured from this copy.
record_accepted() { # channel...
  "${PSQL[@]}" -c "create table if not exists public.bench_accepted (id text primary key, at timestamptz not null)"
  for channel in "$@"; do
    python3 -c 'import json,sys
for line in sys.stdin:
    event = json.loads(line.split("\t", 1)[1]); print(event["id"] + "," + event["time"])' <"$OUT/produced-$channel.tsv" \
      | "${PSQL[@]}" -c "\\copy public.bench_accepted from stdin with (format csv)"
  done
}

cpu_ms() { # pid...: CPU time (user+system) of the processes so far, in ms
  local total=0 pid ticks
  for pid in "$@"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo $((total * 1000 / $(getconf CLK_TCK)))
}

heap() { # instance n: heap in use now
  curl -fsS "http://127.0.0.1:$((19180 + $1))/actuator/metrics/jvm.memory.used?tag=area:heap" 2>/dev/null \
    | python3 -c "import json,sys; print(round(json.load(sys.stdin)['measurements'][0]['value']/1048576), 'MiB')" 2>/dev/null || echo '?'
}

report() { # label channel
  "${PSQL[@]}" -F ' ' -c "
    select '$1 $2', count(*),
      round(count(*) / greatest(extract(epoch from max(updated_at) - min(created_at)), 0.001)::numeric, 1) as per_second,
      round((percentile_cont(0.5) within group (order by extract(epoch from updated_at - a.at)) * 1000)::numeric) as p50_ms,
      round((percentile_cont(0.99) within group (order by extract(epoch from updated_at - a.at)) * 1000)::numeric) as p99_ms,
      (select count(*) from notification.attempt a join notification.message m2 on m2.id = a.message_id where m2.channel='$2') as attempts,
      round((avg(extract(epoch from created_at - a.at)) * 1000)::numeric) as pickup_avg_ms,
      (select round(avg(a.latency_ms)) from notification.attempt a join notification.message m2 on m2.id = a.message_id where m2.channel='$2') as provider_avg_ms
    from notification.message m join public.bench_accepted a on a.id = m.id
    where m.channel='$2' and m.status='delivered' and m.tenant_id='ten_bench'"
}

echo "label channel delivered deliveries/s p50_ms p99_ms attempts pickup_avg_ms provider_avg_ms" | tee "$OUT/results.txt"
for n in $INSTANCES; do
  INSTANCE_PIDS=()
  "${PSQL[@]}" -c "do \$\$ begin if to_regclass('notification.message') is not null then truncate notification.message cascade; end if; end \$\$" || true
  "${PSQL[@]}" -c "drop table if exists public.bench_accepted"
  for i in $(seq 1 "$n"); do start_instance "$i"; done
  for i in $(seq 1 "$n"); do wait_healthy "$i"; done
  sleep 5 # let the group settle (partition assignment)

  # Phase 1: throughput on a backlog.
  cpu_before=$(cpu_ms "${INSTANCE_PIDS[@]}"); broker_before=$(cpu_ms "$BROKER_PID")
  produce email "$BACKLOG" 0 & p1=$!; produce sms "$BACKLOG" 0 & p2=$!; wait "$p1" "$p2"
  await_delivered email "$BACKLOG"; await_delivered sms "$BACKLOG"
  cpu_used=$(( $(cpu_ms "${INSTANCE_PIDS[@]}") - cpu_before )); broker_used=$(( $(cpu_ms "$BROKER_PID") - broker_before ))
  record_accepted email sms
  echo "instances=$n backlog: service CPU $cpu_used ms for $((2 * BACKLOG)) deliveries = $(( cpu_used * 1000 / (2 * BACKLOG) )) us/delivery; broker CPU $broker_used ms; instance 1 heap used $(heap 1)" | tee -a "$OUT/results.txt"
  report "instances=$n backlog" email | tee -a "$OUT/results.txt"
  report "instances=$n backlog" sms | tee -a "$OUT/results.txt"

  # Phase 2: latency at a steady rate.
  "${PSQL[@]}" -c "truncate notification.message cascade; truncate public.bench_accepted"
  total=$((RATE * DURATION))
  cpu_before=$(cpu_ms "${INSTANCE_PIDS[@]}")
  produce email "$total" "$RATE" & p1=$!; produce sms "$total" "$RATE" & p2=$!; wait "$p1" "$p2"
  await_delivered email "$total"; await_delivered sms "$total"
  cpu_used=$(( $(cpu_ms "${INSTANCE_PIDS[@]}") - cpu_before ))
  record_accepted email sms
  echo "instances=$n rate=$RATE/s: service CPU $cpu_used ms for $((2 * total)) deliveries = $(( cpu_used * 1000 / (2 * total) )) us/delivery (warm JVM); instance 1 heap used $(heap 1)" | tee -a "$OUT/results.txt"
  report "instances=$n rate=$RATE/s" email | tee -a "$OUT/results.txt"
  report "instances=$n rate=$RATE/s" sms | tee -a "$OUT/results.txt"

  for pid in "${INSTANCE_PIDS[@]}"; do kill "$pid"; done
  for pid in "${INSTANCE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee -a "$OUT/results.txt"
