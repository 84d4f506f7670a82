#!/usr/bin/env python3
"""Writes CloudEvent request records as kcat input lines (key<TAB>value) at a steady rate.

usage: load.py email|sms|webhook TENANT COUNT RATE_PER_SECOND   (RATE 0 = as fast as possible)
The CloudEvent `time` is stamped when the line is written: the "accepted" instant the latency
figures are measured from, as the gateway stamps it on acceptance. Keys follow RecordKeys: the
message or event id, and tenant/recipient for SMS.
"""
import datetime
import json
import random
import sys
import time
import uuid


def request(channel, tenant, i):
    """(record key, id, CloudEvent type, data) of the i-th request on a channel."""
    if channel == "email":
        mid = "msg_" + uuid.uuid4().hex
        return mid, mid, "relay.email.requested", {
            "to": [f"user{i}@example.com"], "subject": f"Bench {i}", "text": "Hello from the benchmark.",
            "html": "<p>Hello from the benchmark.</p>"}
    if channel == "sms":
        to = "+49151" + str(10_000_000 + random.randrange(89_999_999))
        return tenant + "/" + to, "msg_" + uuid.uuid4().hex, "relay.sms.requested", {"to": to, "body": f"Bench {i}"}
    eid = "evt_" + uuid.uuid4().hex
    return eid, eid, "relay.webhook.requested", {
        "eventType": "invoice.paid", "payload": {"invoice": f"in_{i}", "amount": 4200, "currency": "EUR"}}


channel, tenant, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
if channel not in ("email", "sms", "webhook"):
    sys.exit("channel must be email, sms or webhook")
out = sys.stdout
start = time.monotonic()
for i in range(count):
    if rate > 0:
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            out.flush()
            time.sleep(delay)
    key, rid, ctype, data = request(channel, tenant, i)
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    event = {"specversion": "1.0", "id": rid, "source": "/bench", "type": ctype, "time": now,
             "datacontenttype": "application/json", "tenantid": tenant, "data": data}
    out.write(key + "\t" + json.dumps(event, separators=(",", ":")) + "\n")
out.flush()
