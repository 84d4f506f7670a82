#!/usr/bin/env python3
"""Writes webhook CloudEvents as kcat input lines (key<TAB>value) at a steady rate.

usage: load.py TENANT COUNT RATE_PER_SECOND   (RATE 0 = as fast as possible)
The CloudEvent `time` is stamped when the line is written: the "accepted" instant the latency
figures are measured from, as the gateway stamps it on acceptance. Keys are event ids
(RecordKeys.forEvent).
"""
import datetime
import json
import sys
import time
import uuid

tenant, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
out = sys.stdout
start = time.monotonic()
for i in range(count):
    if rate > 0:
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            out.flush()
            time.sleep(delay)
    eid = "evt_" + uuid.uuid4().hex
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    data = {"eventType": "invoice.paid", "payload": {"invoice": f"in_{i}", "amount": 4200, "currency": "EUR"}}
    event = {"specversion": "1.0", "id": eid, "source": "/bench", "type": "relay.webhook.requested", "time": now,
             "datacontenttype": "application/json", "tenantid": tenant, "data": data}
    out.write(eid + "\t" + json.dumps(event, separators=(",", ":")) + "\n")
out.flush()
