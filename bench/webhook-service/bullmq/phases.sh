# The BullMQ peer's phases, sourced by ../run.sh once Relay's phases are done and its service and
# broker are stopped. Same receiver (reset before each phase), same ENDPOINTS, BACKLOG, RATE,
# DURATION and PHASES; uses run.sh's helpers (run_phase, stat, await_received, report, cpu_ms,
# profile) and appends to its $OUT/results.txt. Redis: 127.0.0.1:6379, keys under bench-bullmq:.
PEER_DIR="$HERE/bullmq"
RECEIVER="http://127.0.0.1:$RECEIVER_PORT"
command -v node >/dev/null || { echo "node is required for PEERS=bullmq (node 20)"; exit 1; }
[[ -d "$PEER_DIR/node_modules" ]] || (cd "$PEER_DIR" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$PEER_DIR" && node admin.js clean)
REDIS_PID=$(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | sed -n 's/^process_id://p')

node "$PEER_DIR/worker.js" >"$OUT/bullmq-worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=($WORKER_PID)
for _ in $(seq 1 60); do
  grep -q '^ready' "$OUT/bullmq-worker.log" && break
  sleep 0.5
done
grep -q '^ready' "$OUT/bullmq-worker.log" || { echo "bullmq worker not ready; see $OUT/bullmq-worker.log"; exit 1; }

peer_produce() { # events rate endpoints [hanging]: enqueues; sets PRODUCER_MS (the producer's own CPU)
  PRODUCER_MS=$(cd "$PEER_DIR" && node produce.js "$1" "$2" "$3" "$RECEIVER" "${4:-0}" | sed -n 's/^producer_cpu_ms //p')
}

peer_cpu_line() { # label deliveries worker_cpu_before redis_cpu_before
  local worker=$(( $(cpu_ms "$WORKER_PID") - $3 )) redis=$(( $(cpu_ms "$REDIS_PID") - $4 ))
  local rss; rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$WORKER_PID/status")
  echo "bullmq $1: worker CPU $worker ms for $2 deliveries = $(( worker * 1000 / $2 )) us/delivery;" \
    "redis CPU $redis ms = $(( redis * 1000 / $2 )) us/delivery; producer CPU $PRODUCER_MS ms;" \
    "all three $(( (worker + redis + PRODUCER_MS) * 1000 / $2 )) us/delivery; worker RSS $rss MiB" | tee -a "$OUT/bullmq-cpu.txt"
}
: >"$OUT/bullmq-cpu.txt"

# Warm-up, like Relay's: the worker's first jobs (JIT, connections), not counted.
curl -fsS -X POST "$RECEIVER/reset"
peer_produce 100 0 1
await_received 100

if run_phase backlog; then
curl -fsS -X POST "$RECEIVER/reset"
profile "bullmq backlog" &
w0=$(cpu_ms "$WORKER_PID"); r0=$(cpu_ms "$REDIS_PID")
peer_produce "$BACKLOG" 0 "$ENDPOINTS"
await_received $((BACKLOG * ENDPOINTS))
peer_cpu_line backlog $((BACKLOG * ENDPOINTS)) "$w0" "$r0"
report "bullmq:backlog=$BACKLOG $ENDPOINTS" | tee -a "$OUT/results.txt"
fi

if run_phase steady; then
curl -fsS -X POST "$RECEIVER/reset"
profile "bullmq steady" &
w0=$(cpu_ms "$WORKER_PID"); r0=$(cpu_ms "$REDIS_PID")
peer_produce $((RATE * DURATION)) "$RATE" "$ENDPOINTS"
await_received $((RATE * DURATION * ENDPOINTS))
peer_cpu_line steady $((RATE * DURATION * ENDPOINTS)) "$w0" "$r0"
report "bullmq:rate=$RATE/s $ENDPOINTS" | tee -a "$OUT/results.txt"
fi

# One bound on jobs in flight for the whole worker: hanging endpoints can take every slot.
if run_phase hanging; then
HANGING=$(( (ENDPOINTS + 9) / 10 ))
curl -fsS -X POST "$RECEIVER/reset"
peer_produce $((RATE * DURATION)) "$RATE" "$ENDPOINTS" "$HANGING"
await_received $((RATE * DURATION * (ENDPOINTS - HANGING)))
report "bullmq:rate=$RATE/s,hanging=$HANGING $ENDPOINTS" | tee -a "$OUT/results.txt"
fi

cat "$OUT/bullmq-cpu.txt" >>"$OUT/results.txt"
echo "bullmq jobs left: $(cd "$PEER_DIR" && node admin.js counts)" | tee -a "$OUT/results.txt"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee -a "$OUT/results.txt"
kill "$WORKER_PID" 2>/dev/null || true
