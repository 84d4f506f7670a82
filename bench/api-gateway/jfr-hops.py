#!/usr/bin/env python3
"""Summarises a JFR recording of the gateway (bench/api-gateway/run.sh PROFILE=1): CPU samples per
thread group, per hop of the request path (the first matching frame, innermost first, names the
hop), the top self frames, and where threads parked or blocked (total time by waiting frame).
Usage: jfr-hops.py RECORDING.jfr [TOP]"""
import collections, json, re, subprocess, sys

rec, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15

# Innermost match wins, so specific hops come before the generic layers that call them.
HOPS = [
    ("ids (RelayIds/uuid)", r"com\.cloudgreet\.relay\.common\.id\.|com\.github\.f4b6a3"),
    ("auth", r"gateway\.auth\.|gateway\.tenant\.|com\.github\.benmanes\.caffeine"),
    ("limiter", r"gateway\.ratelimit\.|common\.ratelimit\."),
    ("idempotency", r"gateway\.idempotency\."),
    ("accepted record", r"gateway\.message\.AcceptedMessages|gateway\.message\.RedisRequestState"),
    ("validation (libphonenumber, payload records)", r"com\.google\.i18n\.phonenumbers|common\.message\.|jakarta\.validation|org\.hibernate\.validator"),
    ("JSON (Jackson)", r"tools\.jackson\.|com\.fasterxml\.jackson|common\.json\.|common\.event\."),
    ("Kafka send (producer, sender thread)", r"org\.apache\.kafka\.|org\.springframework\.kafka\."),
    ("Redis client (Lettuce, Spring Data Redis)", r"io\.lettuce\.|org\.springframework\.data\.redis\."),
    ("observation/tracing/metrics", r"io\.micrometer\.|io\.opentelemetry\.|org\.springframework\.boot\.micrometer|ServerHttpObservationFilter|io\.prometheus"),
    ("HTTP server and WebFlux (incl. response)", r"org\.springframework\.web\.|org\.springframework\.http\.|reactor\.netty\.http|gateway\.web\.|gateway\.problem\.|com\.cloudgreet\.relay\.common\.web\."),
    ("Netty I/O", r"io\.netty\."),
    ("Reactor operators", r"reactor\.core\."),
    ("GC/JIT/VM", r"^$"),
]
HOPS = [(name, re.compile(pat)) for name, pat in HOPS]

def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, rec], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]

def frames(ev):
    st = ev["values"].get("stackTrace") or {}
    return [f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}" for f in (st.get("frames") or []) if f.get("method")]

def thread(ev, key="sampledThread"):
    t = ev["values"].get(key) or ev["values"].get("eventThread") or {}
    name = t.get("javaName") or t.get("osName") or "?"
    return re.sub(r"[-_#]?\d+$", "", re.sub(r"-\d+-\d+$", "", name))

def hop(fs):
    for f in fs:
        for name, pat in HOPS[:-1]:
            if pat.search(f):
                return name
    return "other (JDK, Spring core)"

samples = events("jdk.ExecutionSample")
n = len(samples) or 1
print(f"{len(samples)} CPU samples")
by_thread, by_hop, by_self = collections.Counter(), collections.Counter(), collections.Counter()
for ev in samples:
    fs = frames(ev)
    by_thread[thread(ev)] += 1
    by_hop[hop(fs)] += 1
    if fs:
        by_self[fs[0]] += 1
for title, counter in (("threads", by_thread), ("hops", by_hop), ("top self frames", by_self)):
    print(f"\n## {title}")
    for k, v in counter.most_common(top):
        print(f"{100 * v / n:5.1f}%  {k}")

print("\n## waiting (ThreadPark + JavaMonitorEnter >= threshold), total ms by thread group and first non-JDK frame")
waits = collections.Counter()
for kind in ("jdk.ThreadPark", "jdk.JavaMonitorEnter"):
    for ev in events(kind):
        d = ev["values"].get("duration", "0")
        ms = float(re.sub(r"[^0-9.]", "", d) or 0) * (1000 if d.endswith(" s") else 1e-3 if d.endswith("us") else 1e-6 if d.endswith("ns") else 1)
        fs = [f for f in frames(ev) if not re.match(r"(java|jdk|sun)\.", f)]
        waits[(thread(ev, "eventThread"), fs[0] if fs else "?")] += ms
for (t, f), ms in waits.most_common(top):
    print(f"{ms:9.1f} ms  {t:32s} {f}")
