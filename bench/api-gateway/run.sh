#!/usr/bin/env bash
# Benchmark of the gateway's hot path, in one run on this machine (see README.md):
#  1. wrk against a bare WebFlux endpoint that answers 202 (the ceiling), then against Spring Cloud
#     Gateway's RequestRateLimiter route (RedisRateLimiter) forwarding to that endpoint (the peer,
#     scg/), then against POST /v1/messages/sms on a real gateway (auth, Redis limiter, Kafka acks=all, accepted record),
#     then FixedRate.java at half the gateway's measured maximum (open model, latency from each
#     request's due time, so without coordinated omission);
#  2. the limiter alone through the gateway's Redis client, then redis-benchmark running a trivial
#     EVAL on the same Redis (the physical limit).
# Needs Redis on :6379 and PostgreSQL on :5432 (started the way ./dev/up starts them if they are
# not running); starts its own scratch Kafka broker on :19192 and uses its own database
# (relay_bench_gateway), so nothing it produces reaches a ./dev/up system. Other running services
# only compete for the CPU.
#
# Environment: BENCH_REDIS_DB (the gateway's Redis database, default 9, emptied), DURATION (s, default 20), CONNECTIONS (default 32), WRK_THREADS (default 1),
# WARMUP (s of load before each measured run, default 60), LIMITER_CONCURRENCY (default 64),
# GATEWAY_JAVA_OPTS, GATEWAY_JAR (a copy of another build, for A/B runs), FIXED_RATE_FRACTION (of the gateway's measured maximum, default 0.5),
# PROFILE=1 (JFR recording of the measured gateway run; summarise with jfr-hops.py; JFR_SETTINGS names
# another .jfc than "profile", e.g. a lighter one), LIMITER=0
# (skip part 2), SCG=0 (skip the Spring Cloud Gateway peer), BARE_RUN=0 (skip the bare endpoint and
# the peer: the gateway alone, for A/B runs). Each HTTP line also reports the server's CPU per request and the load average. The long warm-up matters: the gateway's request path keeps getting faster
# for about a minute of load while the JIT compiles it (1.8k -> 6.9k rps on the 422 path).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../../dev/lib/common.sh"
source "$HERE/../../dev/lib/kafka.sh"

DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-60}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_THREADS="${WRK_THREADS:-1}"
LIMITER_CONCURRENCY="${LIMITER_CONCURRENCY:-64}"
GATEWAY_PORT="${BENCH_GATEWAY_PORT:-18480}"
GATEWAY_MGMT="${BENCH_GATEWAY_MGMT_PORT:-18481}"
BARE_PORT="${BENCH_BARE_PORT:-18482}"
SCG_PORT="${BENCH_SCG_PORT:-18483}"
WORK="$RELAY_DEV_DIR/bench/api-gateway"
mkdir -p "$WORK"
RESULTS="$WORK/results-$(date -u +%Y%m%dT%H%M%SZ).txt"

command -v wrk >/dev/null || die "wrk is required (apt-get install -y wrk)"
command -v redis-benchmark >/dev/null || die "redis-benchmark is required (apt-get install -y redis-tools)"

ensure_postgres
ensure_database relay_bench_gateway
ensure_redis

JAR="${GATEWAY_JAR:-$(ls "$RELAY_ROOT"/api-gateway/target/*-exec.jar 2>/dev/null | head -1 || true)}"
if [[ -z "$JAR" ]]; then
  say "building the gateway"
  (cd "$RELAY_ROOT" && ./mvnw -q -B -ntp -pl api-gateway -am install -DskipTests)
  JAR="$(ls "$RELAY_ROOT"/api-gateway/target/*-exec.jar | head -1)"
fi
if [[ ! -s "$WORK/classpath.txt" || "$RELAY_ROOT/api-gateway/pom.xml" -nt "$WORK/classpath.txt" ]]; then
  (cd "$RELAY_ROOT" && ./mvnw -q -B -ntp -pl api-gateway dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt")
fi
CP="$(cat "$WORK/classpath.txt"):$RELAY_ROOT/api-gateway/target/classes"
SCG_JAR="$HERE/scg/target/scg-peer.jar"
if [[ "${SCG:-1}" != 0 ]] && { [[ ! -s "$SCG_JAR" ]] || [[ -n "$(find "$HERE/scg/pom.xml" "$HERE/scg/src" -newer "$SCG_JAR" -type f | head -1)" ]]; }; then
  say "building the Spring Cloud Gateway peer"
  (cd "$RELAY_ROOT" && ./mvnw -q -B -ntp -f bench/api-gateway/scg/pom.xml package)
fi

# The gateway keeps its Redis state (accepted records for 24 h, API keys, limits) in a logical
# database of its own, emptied before and after the run: a run leaves 300 000+ records, and after a
# day of runs the shared Redis held 19 million keys in 5 GB and answered each command at twice the
# CPU, which slowed every later run.
REDIS_DB="${BENCH_REDIS_DB:-9}"
PIDS_STARTED=()
cleanup() {
  for pid in "${PIDS_STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS_STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" FLUSHDB ASYNC >/dev/null 2>&1 || true
}
trap cleanup EXIT

for port in $GATEWAY_PORT $GATEWAY_MGMT $BARE_PORT $SCG_PORT; do
  port_open "$port" && die "port $port is taken"
done

report() { echo "$*" | tee -a "$RESULTS"; }
# CPU time (user + system) a process's threads have used, in clock ticks, leaving out the JIT's
# compiler threads: on a busy machine C2 is still compiling long after the warm-up, and its work
# is a one-off, not a cost per request (jit_ms in the reports shows it).
cpu_ticks() {
  local total=0 task comm rest
  for task in /proc/"$1"/task/*; do
    read -r rest < "$task/stat" 2>/dev/null || continue
    comm="${rest#*(}"; comm="${comm%)*}"
    [[ "$comm" == C[12]\ Compiler* ]] && continue
    rest="${rest##*) }"
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
# The compiler threads' share, in clock ticks.
jit_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" | { read -r all; echo $((all - $(cpu_ticks "$1"))); }; }
per_req() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN{printf "%.3f", t * 1000 / hz / n}'; }
# Busy CPU of the whole machine (user, nice, system, irq, softirq of every core), in clock ticks.
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
REDIS_PID="$(pgrep -x redis-server | head -1 || true)"
KAFKA_PID="" # the scratch broker, once started
wrk_run() { # label url pid [upstream pid]: reports throughput, latency and the server's CPU per request
  local out t0 t1 j0 j1 u0 u1 m0 m1 r0 r1 k0 k1 reqs upstream="" others
  t0="$(cpu_ticks "$3")"; j0="$(jit_ticks "$3")"; [[ -n "${4:-}" ]] && u0="$(cpu_ticks "$4")"
  m0="$(machine_ticks)"; r0="$(cpu_ticks "$REDIS_PID")"; [[ -n "$KAFKA_PID" ]] && k0="$(cpu_ticks "$KAFKA_PID")"
  out="$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/post-sms.lua" "$2")"
  t1="$(cpu_ticks "$3")"; j1="$(jit_ticks "$3")"; [[ -n "${4:-}" ]] && u1="$(cpu_ticks "$4")"
  m1="$(machine_ticks)"; r1="$(cpu_ticks "$REDIS_PID")"; [[ -n "$KAFKA_PID" ]] && k1="$(cpu_ticks "$KAFKA_PID")"
  echo "$out" >> "$RESULTS"
  reqs="$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')"
  # A proxy's upstream (the bare endpoint behind SCG) works for every forwarded request too.
  [[ -n "${4:-}" ]] && upstream=" upstream_cpu_ms_per_req=$(per_req $((u1 - u0)) "$reqs")"
  # Where the rest of the machine went: Redis, the broker, and everything else (wrk, the kernel's
  # loopback networking outside process context, idle services).
  others=" redis_cpu_ms_per_req=$(per_req $((r1 - r0)) "$reqs")"
  [[ -n "$KAFKA_PID" ]] && others+=" kafka_cpu_ms_per_req=$(per_req $((k1 - k0)) "$reqs")"
  report "$1: $(echo "$out" | grep '^p50_ms') cpu_ms_per_req=$(per_req $((t1 - t0)) "$reqs")$upstream$others machine_cpu_ms_per_req=$(per_req $((m1 - m0)) "$reqs") jit_cpu_s=$(((j1 - j0) / $(getconf CLK_TCK))) load=$(cut -d' ' -f1 /proc/loadavg)"
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

report "# api-gateway benchmark $(date -u +%FT%TZ) on $(nproc) cores; wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1a. the ceiling: bare WebFlux ---------------------------------------------------------------
BARE="" SCG_LINE=""
if [[ "${BARE_RUN:-1}" != 0 ]]; then
say "starting the bare WebFlux endpoint on :$BARE_PORT"
java -Xms256m -Xmx256m -cp "$CP" "$HERE/BareWebFlux.java" "$BARE_PORT" >"$WORK/bare.log" 2>&1 &
PIDS_STARTED+=($!)
wait_for "bare WebFlux" 60 port_open "$BARE_PORT"
wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$HERE/post-sms.lua" "http://127.0.0.1:$BARE_PORT/v1/messages/sms" >/dev/null # warm-up
wrk_run "bare WebFlux 202 " "http://127.0.0.1:$BARE_PORT/v1/messages/sms" "${PIDS_STARTED[-1]}"
BARE="$(tail -1 "$RESULTS")"
BARE_PID="${PIDS_STARTED[-1]}"

# --- 1b. the peer: Spring Cloud Gateway's RequestRateLimiter route in front of the bare endpoint -----
if [[ "${SCG:-1}" != 0 ]]; then
  say "starting Spring Cloud Gateway on :$SCG_PORT (RedisRateLimiter, forwarding to :$BARE_PORT)"
  # Same heap as the gateway; no actuator, no tracing: the limiter and the proxy alone.
  java ${SCG_JAVA_OPTS:--Xms512m -Xmx512m} -jar "$SCG_JAR" --server.port="$SCG_PORT" --BARE_PORT="$BARE_PORT" \
    --spring.data.redis.url=redis://127.0.0.1:6379 >"$WORK/scg.log" 2>&1 &
  PIDS_STARTED+=($!)
  SCG_PID=$!
  wait_for "Spring Cloud Gateway" 180 port_open "$SCG_PORT" || die "Spring Cloud Gateway did not start (see $WORK/scg.log)"
  # The limiter's key is the Authorization header (one key, like one tenant); SCG refuses requests without one.
  BENCH_API_KEY=scg-bench-key wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$HERE/post-sms.lua" "http://127.0.0.1:$SCG_PORT/v1/messages/sms" >/dev/null # warm-up
  BENCH_API_KEY=scg-bench-key wrk_run "SCG limiter route " "http://127.0.0.1:$SCG_PORT/v1/messages/sms" "$SCG_PID" "$BARE_PID"
  SCG_LINE="$(tail -1 "$RESULTS")"
  kill "$SCG_PID"; wait "$SCG_PID" 2>/dev/null || true
fi
kill "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true
fi

# --- 1c. the gateway --------------------------------------------------------------------------------
say "starting a scratch Kafka broker on :19192 (the ./dev/up broker never sees bench records)"
kafka_start_scratch "$WORK/kafka" 19192 19193 "$WORK/kafka.log"
PIDS_STARTED+=($SCRATCH_BROKER_PID)
KAFKA_PID="$SCRATCH_BROKER_PID"
say "starting the gateway on :$GATEWAY_PORT (Redis database $REDIS_DB, emptied first)"
redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" FLUSHDB >/dev/null
# env execs java, so $! is the JVM itself and the cleanup trap stops exactly it.
# PROFILE=1: JFR runs from start-up (a small rolling recording, never dumped), so the JIT compiles the
# warm-up with it on; starting JFR only for the measured run made the JVM recompile during it (10 s of
# JIT, a fifth of the throughput). The measured window is then a second recording (below).
JFR_OPTS=""
[[ "${PROFILE:-0}" == 1 ]] && JFR_OPTS="-XX:StartFlightRecording=name=startup,settings=${JFR_SETTINGS:-profile},maxage=30s"
env RELAY_ADMIN_TOKEN=bench-admin-token-of-at-least-32-chars RELAY_INTERNAL_TOKEN=bench-internal-token RELAY_KAFKA_PRODUCER_KEY=ZGV2LW9ubHktZ2F0ZXdheS1rYWZrYS1rZXktMzJieXQ= java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m} $JFR_OPTS -jar "$JAR" \
  --server.port=$GATEWAY_PORT --management.server.port=$GATEWAY_MGMT \
  --spring.kafka.bootstrap-servers=127.0.0.1:19192 --spring.data.redis.url="redis://127.0.0.1:6379/$REDIS_DB" \
  --spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:5432/relay_bench_gateway \
  --spring.flyway.url=jdbc:postgresql://127.0.0.1:5432/relay_bench_gateway >"$WORK/gateway.log" 2>&1 &
PIDS_STARTED+=($!)
gateway_healthy() { curl -fsS "http://127.0.0.1:$GATEWAY_MGMT/actuator/health" >/dev/null 2>&1; }
wait_for "gateway" 120 gateway_healthy
# A tenant whose limit never binds: this measures the cost of deciding, not of refusing.
export BENCH_API_KEY="$(curl -fsS -X POST "http://127.0.0.1:$GATEWAY_PORT/admin/v1/tenants" \
  -H "Authorization: Bearer bench-admin-token-of-at-least-32-chars" -H 'Content-Type: application/json' \
  -d '{"name":"bench","rateLimit":{"requestsPerSecond":1000000,"burst":1000000}}' | sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p')"
[[ -n "$BENCH_API_KEY" ]] || die "could not create the bench tenant"
wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$HERE/post-sms.lua" "http://127.0.0.1:$GATEWAY_PORT/v1/messages/sms" >/dev/null # warm-up
GATEWAY_PID="${PIDS_STARTED[-1]}"
# PROFILE=1: a JFR recording (profile settings) of the gateway during the measured run.
[[ "${PROFILE:-0}" == 1 ]] && jcmd "$GATEWAY_PID" JFR.start name=bench settings="${JFR_SETTINGS:-profile}" >/dev/null
# Bytes the gateway allocated (young generation, Micrometer's jvm.gc.memory.allocated): what drives
# its collections, and so its pauses and the tail latency.
allocated() { curl -fsS "http://127.0.0.1:$GATEWAY_MGMT/actuator/prometheus" | awk '/^jvm_gc_memory_allocated_bytes_total/{print $2}'; }
a0="$(allocated)"
wrk_run "gateway POST sms  " "http://127.0.0.1:$GATEWAY_PORT/v1/messages/sms" "$GATEWAY_PID"
a1="$(allocated)"
report "gateway allocation: $(awk -v a="$a0" -v b="$a1" -v n="$(field rps "$(tail -1 "$RESULTS")")" -v d="$DURATION" 'BEGIN{printf "%.1f KB per request", (b - a) / 1024 / (n * d)}') (young generation, measured between collections)"
if [[ "${PROFILE:-0}" == 1 ]]; then
  jcmd "$GATEWAY_PID" JFR.stop name=bench filename="${RESULTS%.txt}-gateway.jfr" >/dev/null
  report "JFR recording of the measured gateway run: ${RESULTS%.txt}-gateway.jfr"
fi
GATEWAY="$(grep '^gateway POST sms' "$RESULTS" | tail -1)"
# --- 1d. the gateway at a fixed 50 % of its maximum rate: latency without coordinated omission --------
HALF="$(awk -v g="$(field rps "$GATEWAY")" -v f="${FIXED_RATE_FRACTION:-0.5}" 'BEGIN{printf "%d", g * f}')"
# The client warms up for 15 s first (its own JIT and connections); the gateway's CPU counts from
# the line it prints when the measured run starts.
FIXED_OUT="$WORK/fixed-rate.out"
: >"$FIXED_OUT"
java -Xms256m -Xmx256m -cp "$CP" "$HERE/FixedRate.java" "http://127.0.0.1:$GATEWAY_PORT/v1/messages/sms" "$HALF" "$DURATION" 256 15 \
  >"$FIXED_OUT" 2>>"$WORK/fixed-rate.log" &
FIXED_PID=$!
until grep -q '^measuring' "$FIXED_OUT" || ! kill -0 "$FIXED_PID" 2>/dev/null; do sleep 0.1; done
t0="$(cpu_ticks "$GATEWAY_PID")"
wait "$FIXED_PID" || true
t1="$(cpu_ticks "$GATEWAY_PID")"
out="$(tail -1 "$FIXED_OUT")"
sent="$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")"
report "gateway at ${FIXED_RATE_FRACTION:-0.5} of max (fixed rate): $out cpu_ms_per_req=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="${sent:-1}" 'BEGIN{printf "%.3f", t * 1000 / hz / n}') load=$(cut -d' ' -f1 /proc/loadavg)"
kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
[[ -n "$BARE" ]] && report "gateway / bare throughput: $(ratio "$(field rps "$GATEWAY")" "$(field rps "$BARE")")"
# What Redis, the broker and wrk alone would allow if the gateway's own CPU were free: the machine's
# cores divided by the CPU per request spent outside the gateway JVM.
outside="$(awk -v m="$(field machine_cpu_ms_per_req "$GATEWAY")" -v g="$(field " cpu_ms_per_req" "$GATEWAY")" 'BEGIN{printf "%.4f", m - g}')"
report "outside the gateway JVM: ${outside} ms CPU per request; with a gateway that cost nothing the machine would top out at $(awk -v o="$outside" -v n="$(nproc)" 'BEGIN{printf "%d", n * 1000 / o}') rps${BARE:+, $(awk -v o="$outside" -v n="$(nproc)" -v b="$(field rps "$BARE")" 'BEGIN{printf "%.2f", n * 1000 / o / b}') of bare}"
if [[ -n "$SCG_LINE" ]]; then
  report "SCG / bare throughput: $(ratio "$(field rps "$SCG_LINE")" "$(field rps "$BARE")")"
  report "gateway / SCG throughput: $(ratio "$(field rps "$GATEWAY")" "$(field rps "$SCG_LINE")"); CPU per request gateway / SCG (own JVMs): $(ratio "$(field " cpu_ms_per_req" "$GATEWAY")" "$(field " cpu_ms_per_req" "$SCG_LINE")")"
fi

if [[ "${LIMITER:-1}" == 0 ]]; then # LIMITER=0: only the HTTP phases
  report "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
# --- 2. the limiter alone -----------------------------------------------------------------------------
say "limiter decisions through the gateway's Redis client"
for limits in 1 2; do
  out="$(java -Xms256m -Xmx256m -cp "$CP" "$HERE/LimiterBench.java" 6379 "$limits" "$LIMITER_CONCURRENCY" "$DURATION" 2>>"$WORK/limiter.log" | tail -1)"
  report "$out"
  [[ $limits == 1 ]] && LIMITER1="$out"
done
say "redis-benchmark: trivial EVAL, $LIMITER_CONCURRENCY connections"
RAW="$(redis-benchmark -h 127.0.0.1 -p 6379 -c "$LIMITER_CONCURRENCY" -n 400000 -q EVAL 'return 1' 0 | tr '\r' '\n' | grep -i 'requests per second' | tail -1)"
report "redis-benchmark EVAL 'return 1': $RAW"
# The physical limit of the rate-limit script itself (1 key, random tenants), for reference.
SHA="$(redis-cli -h 127.0.0.1 -p 6379 SCRIPT LOAD "$(cat "$RELAY_ROOT/common/src/main/resources/scripts/rate_limit.lua")")"
SCRIPTRAW="$(redis-benchmark -h 127.0.0.1 -p 6379 -c "$LIMITER_CONCURRENCY" -n 400000 -r 1000 -q EVALSHA "$SHA" 1 \
  'relay:rl:{bench-__rand_int__}:tenant:x' 1 '' '' 1 1000000 | tr '\r' '\n' | grep -i 'requests per second' | tail -1)"
report "redis-benchmark EVALSHA rate_limit.lua (1 limit): $SCRIPTRAW"
lim="$(sed -n 's/.*= \([0-9]*\) decisions.*/\1/p' <<<"$LIMITER1")"
raw="$(sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' <<<"$RAW")"
report "limiter (1 limit) / raw EVAL: $(awk -v l="$lim" -v r="$raw" 'BEGIN{printf "%.2f", l/r}')"
report "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "results in $RESULTS"
