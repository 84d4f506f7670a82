#!/usr/bin/env bash
# Relay's fault and load suite (issue 10): the running system under kill -9, outages, restarts,
# hostile traffic and scale-out, every acknowledged id reconciled against the sinks, the status API
# and the dead-letter topics. Prints one table row per scenario. See bench/faults/README.md.
#
#   bench/faults/run.sh                 # every scenario (about 20 minutes)
#   bench/faults/run.sh 1 5             # a subset
#   bench/faults/run.sh --quick 3       # 20 requests/s for 30 s instead of 30/s for 40 s
#
# Runs on its OWN infrastructure (PostgreSQL cluster relayfaults on :5433, redis-server on :6390, a
# Kafka broker on :27092) and its own ports (services 27100-27112, management 27200-27212, sinks
# 27025-27027), so neither ./dev/up nor the machine's PostgreSQL and Redis are disturbed.
# Needs Java 17, python3 (stdlib only), kcat, PostgreSQL and redis-server installed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
for tool in java python3 kcat pg_createcluster redis-server; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

# Other benchmarks on this machine would distort every figure here, and ours theirs.
while pgrep -af 'bench/api-gateway|bench/notification-service/run|bench/webhook-service/run|[w]rk |[h]ey ' >/dev/null; do
  echo "another benchmark is running; waiting for it ($(cut -d' ' -f1-3 /proc/loadavg))"
  sleep 30
done

for module in api-gateway notification-service webhook-service; do
  if ! ls "$ROOT/$module"/target/*-exec.jar >/dev/null 2>&1; then
    (cd "$ROOT" && ./mvnw -q -B -ntp package -DskipTests)
    break
  fi
done

"$HERE/infra.sh" up
trap '"$HERE/infra.sh" down' EXIT
# A fresh run each time: nothing left in the topics or tables from an earlier one.
psql -h 127.0.0.1 -p "${FAULTS_PG_PORT:-5433}" -U postgres -qc "drop schema if exists gateway, notification, webhook cascade" relay 2>/dev/null || true
python3 "$HERE/faults.py" "$@"
