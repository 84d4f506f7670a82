#!/usr/bin/env python3
"""Writes CloudEvent request records as kcat input lines (key<TAB>value) at a steady rate.

usage: load.py email|sms COUNT RATE_PER_SECOND   (RATE 0 = as fast as possible)
The CloudEvent `time` is stamped when the line is written: the "accepted" instant the latency
figures are measured from, as a gateway would stamp it on acceptance.
"""
import json, sys, time, uuid, datetime, random

channel, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
tenant = "ten_bench"
out = sys.stdout
start = time.monotonic()
for i in range(count):
    if rate > 0:
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            out.flush()
            time.sleep(delay)
    mid = "msg_" + uuid.uuid4().hex
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if channel == "email":
        data = {"to": [f"user{i}@example.com"], "subject": f"Bench {i}", "text": "Hello from the benchmark.",
                "html": "<p>Hello from the benchmark.</p>"}
        key = mid
        ctype = "relay.email.requested"
    else:
        to = "+49151" + str(10_000_000 + random.randrange(89_999_999))
        data = {"to": to, "body": f"Bench {i}"}
        key = tenant + "/" + to
        ctype = "relay.sms.requested"
    event = {"specversion": "1.0", "id": mid, "source": "/bench", "type": ctype, "time": now,
             "datacontenttype": "application/json", "tenantid": tenant, "data": data}
    out.write(key + "\t" + json.dumps(event, separators=(",", ":")) + "\n")
out.flush()
