#!/usr/bin/env python3
"""Summarises a JFR recording of a delivery service (notification- or webhook-service, recorded with
BENCH_JAVA_OPTS="... -XX:StartFlightRecording=filename=X.jfr,settings=profile" on either bench):
CPU samples per hop of the delivery path (the innermost matching frame names the hop), the top
self frames, and the share of samples with a frame of each cost centre anywhere on the stack.
Usage: jfr-delivery-hops.py RECORDING.jfr [TOP]"""
import collections, json, re, subprocess, sys

rec, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15

# Innermost match wins, so specific hops come before the generic layers that call them.
HOPS = [
    ("engine (delivery-engine)", r"com\.cloudgreet\.relay\.delivery\."),
    ("webhook signing (HMAC)", r"webhook\.signing\.|javax\.crypto\.|sun\.security\.|com\.sun\.crypto"),
    ("SMTP (Jakarta Mail, Angus)", r"jakarta\.mail\.|org\.eclipse\.angus\.|jakarta\.activation\."),
    ("JSON (Jackson)", r"tools\.jackson\.|com\.fasterxml\.jackson|common\.json\.|common\.event\."),
    ("Kafka (consumer, producer)", r"org\.apache\.kafka\.|org\.springframework\.kafka\."),
    ("R2DBC / PostgreSQL driver", r"io\.r2dbc\.|org\.springframework\.r2dbc\.|org\.springframework\.data\.r2dbc\."),
    ("Redis client (Lettuce)", r"io\.lettuce\.|org\.springframework\.data\.redis\."),
    ("context propagation (ContextSnapshot)", r"io\.micrometer\.context\."),
    ("observation/tracing/metrics", r"io\.micrometer\.|io\.opentelemetry\.|org\.springframework\.boot\.micrometer|io\.prometheus"),
    ("logging", r"ch\.qos\.logback|org\.slf4j\.|org\.apache\.logging"),
    ("HTTP client (WebClient, reactor-netty http)", r"org\.springframework\.web\.|org\.springframework\.http\.|reactor\.netty\.http"),
    ("service code (other)", r"com\.cloudgreet\.relay\."),
    ("Netty I/O", r"io\.netty\.|reactor\.netty\."),
    ("Reactor operators", r"reactor\.core\.|reactor\.util\."),
    ("JDK / other", r"."),
    ("GC/JIT/VM (no Java frame)", r"^$"),
]
HOPS = [(name, re.compile(pat)) for name, pat in HOPS]

def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, rec],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]

def frames(ev):
    st = ev["values"].get("stackTrace") or {}
    return [f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}"
            for f in (st.get("frames") or []) if f.get("method")]

# Start-up (Spring context, class loading under *Application.main) is not the delivery path.
samples = [fs for fs in (frames(e) for e in events("jdk.ExecutionSample"))
           if not any(re.search(r"Application\.main$", f) for f in fs)]
n = len(samples) or 1
hops, selfs, anywhere = collections.Counter(), collections.Counter(), collections.Counter()
for fs in samples:
    selfs[fs[0] if fs else "(no Java frame)"] += 1
    hop = HOPS[-2][0] if fs else HOPS[-1][0]
    for f in fs:  # innermost first
        m = next((name for name, pat in HOPS[:-2] if pat.search(f)), None)
        if m:
            hop = m
            break
    hops[hop] += 1
    for name, pat in HOPS[:-2]:
        if any(pat.search(f) for f in fs):
            anywhere[name] += 1
print(f"{len(samples)} CPU samples after start-up")
print("\n## hop (innermost matching frame)")
for name, c in hops.most_common():
    print(f"{100 * c / n:5.1f} %  {name}")
print("\n## a frame of it anywhere on the stack")
for name, c in anywhere.most_common():
    print(f"{100 * c / n:5.1f} %  {name}")
print(f"\n## top {top} self frames")
for name, c in selfs.most_common(top):
    print(f"{100 * c / n:5.1f} %  {name}")
