#!/usr/bin/env python3
"""Relay's fault and load suite: drives the running system with a bounded mixed stream of email,
SMS and webhook requests on loopback, injects one fault per scenario, and reconciles every
acknowledged id (each 202) against what the sinks received and what the status API and the
dead-letter topics say (Jepsen's habit). Python standard library only.

Run through bench/faults/run.sh, which starts the suite's own PostgreSQL, Redis and Kafka first.
"""
import argparse
import base64
import collections
import concurrent.futures
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import math
import os
import re
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEV = os.path.join(ROOT, ".dev", "faults")
LOGS = os.path.join(DEV, "logs")
INFRA = os.path.join(HERE, "infra.sh")

PG_PORT = int(os.environ.get("FAULTS_PG_PORT", 5433))
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", 6390))
KAFKA = "127.0.0.1:" + os.environ.get("FAULTS_KAFKA_PORT", "27092")
SMTP_PORT, TWILIO_PORT, HOOK_PORT = 27025, 27026, 27027
# The secondary SMTP sink of scenario 10 (provider failover).
SMTP2_PORT = 27028
GATEWAY_KAFKA_KEY = "ZGV2LW9ubHktZ2F0ZXdheS1rYWZrYS1rZXktMzJieXQ="
# Settings a scenario adds to a module's environment for its later (re)starts.
EXTRA_ENV = collections.defaultdict(dict)
ADMIN_TOKEN, INTERNAL_TOKEN = "faults-admin-token-of-at-least-32-chars", "faults-internal-token"
MODULES = {"api-gateway": 0, "notification-service": 1, "webhook-service": 2}
# A client waits this long for any answer; the gateway promises one within the producer's
# delivery timeout (8 s) plus a little, so anything near this is a hang.
CLIENT_TIMEOUT = 30.0
ANSWER_BOUND = 10.0


def http_port(module, instance):
    return 27100 + 10 * instance + MODULES[module]


def mgmt_port(module, instance):
    return 27200 + 10 * instance + MODULES[module]


def now():
    return time.monotonic()


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# ---------------------------------------------------------------------------------------------
# Sinks: every delivery recorded with its id and the monotonic time it arrived.
# ---------------------------------------------------------------------------------------------
class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.email = collections.defaultdict(list)    # X-Relay-Message-Id -> [t]
        self.sms = collections.defaultdict(list)      # nonce in the body -> [t]
        self.hooks = collections.defaultdict(list)    # (endpoint name, nonce) -> [(t, webhook-id)]
        self.hook_modes = {}                          # endpoint name -> ("ok"|"hang"|"fail", until)
        self.secrets = {}                             # endpoint name -> signing secret (whsec_...)
        self.bad_signatures = collections.Counter()   # endpoint name -> deliveries whose signature did not verify
        self.smtp_ports = collections.Counter()       # SMTP sink port -> emails it took

    def add(self, table, key, value):
        with self.lock:
            table[key].append(value)

    def mode(self, name):
        with self.lock:
            kind, until = self.hook_modes.get(name, ("ok", 0))
        return kind if now() < until else "ok"


REC = Recorder()


def signature_ok(secret, headers, body):
    """Standard Webhooks: one of the space-separated v1 signatures is the HMAC-SHA256 of
    "id.timestamp.body" under the secret's key, and the timestamp is within five minutes."""
    if not secret:
        return False
    wid, ts, sigs = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature") or ""
    if not wid or not ts or not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(s.startswith("v1,") and hmac.compare_digest(s[3:], expected) for s in sigs.split())
NONCE = re.compile(r"nonce-([0-9a-f]{32})")


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Jakarta Mail: EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 faults-sink ESMTP")
        data, headers_done, message_id = False, False, None
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if data:
                if line == ".":
                    data = False
                    if message_id:
                        REC.add(REC.email, message_id, now())
                        with REC.lock:
                            REC.smtp_ports[self.server.server_address[1]] += 1
                    self.reply("250 OK queued")
                elif not headers_done:
                    if line == "":
                        headers_done = True
                    elif line.lower().startswith("x-relay-message-id:"):
                        message_id = line.split(":", 1)[1].strip()
                continue
            verb = line[:4].upper()
            if verb == "EHLO":
                self.reply("250-faults-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                data, headers_done, message_id = True, False, None
                self.reply("354 go ahead")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class ThreadingTcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class SinkHttp(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path
        if path.startswith("/2010-04-01/Accounts/"):
            # Twilio's Messages API: form-encoded To, From, Body; answers 201 with a sid.
            form = urllib.parse.parse_qs(body.decode())
            match = NONCE.search(form.get("Body", [""])[0])
            if match:
                REC.add(REC.sms, match.group(1), now())
            sid = "SM" + uuid.uuid4().hex
            self.answer(201, json.dumps({"sid": sid, "status": "queued"}).encode())
            return
        if path.startswith("/hook/"):
            name = path[len("/hook/"):]
            mode = REC.mode(name)
            if mode == "hang":
                time.sleep(20)  # longer than the service's attempt timeout: the attempt times out
                self.answer(200, b"{}")
                return
            if mode == "fail":
                self.answer(500, b'{"error":"receiver failing on purpose"}')
                return
            if not signature_ok(REC.secrets.get(name), self.headers, body):
                with REC.lock:
                    REC.bad_signatures[name] += 1
            match = NONCE.search(body.decode("utf-8", "replace"))
            if match:
                REC.add(REC.hooks, (name, match.group(1)), (now(), self.headers.get("webhook-id")))
            self.answer(204)
            return
        self.answer(404)


class ThreadingHttp(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # A hung receiver's late answer meets a closed connection (the service gave up): expected.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class SmtpSink(ThreadingTcp):
    """An SMTP sink that can be stopped like a server going away: it stops listening and drops
    every open session (the service keeps pooled connections), then starts again on its port."""

    def __init__(self, port):
        super().__init__(("127.0.0.1", port), SmtpHandler)
        self.sessions = set()

    def process_request_thread(self, request, client_address):
        self.sessions.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.sessions.discard(request)

    def handle_error(self, request, client_address):
        pass  # a session dropped on purpose

    def stop(self):
        self.shutdown()
        self.server_close()
        for session in list(self.sessions):
            try:
                session.shutdown(2)
                session.close()
            except OSError:
                pass


SMTP_SINKS = {}


def start_smtp_sink(port):
    sink = SmtpSink(port)
    SMTP_SINKS[port] = sink
    threading.Thread(target=sink.serve_forever, daemon=True).start()


def start_sinks():
    start_smtp_sink(SMTP_PORT)
    for server in (ThreadingHttp(("127.0.0.1", TWILIO_PORT), SinkHttp),
                   ThreadingHttp(("127.0.0.1", HOOK_PORT), SinkHttp)):
        threading.Thread(target=server.serve_forever, daemon=True).start()


# ---------------------------------------------------------------------------------------------
# The services, started the way ./dev/up starts them, against the suite's infrastructure.
# ---------------------------------------------------------------------------------------------
def service_env(module, instance):
    env = dict(os.environ)
    env.update({
        "RELAY_ADMIN_TOKEN": ADMIN_TOKEN, "RELAY_INTERNAL_TOKEN": INTERNAL_TOKEN,
        "RELAY_WEBHOOKS_SECRETKEYID": "dev",
        "RELAY_WEBHOOKS_SECRETKEYS_DEV": "ZGV2LW9ubHktd2ViaG9vay1zZWNyZXQta2V5LTMyYnk=",
        "RELAY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
        # As production: the gateway signs with this key, the consumers accept it, unsigned records act
        # for no tenant (anonymous-tenants left at its default); scenario 9 adds a named producer.
        "RELAY_KAFKA_PRODUCER_KEY": GATEWAY_KAFKA_KEY, "RELAY_KAFKA_PRODUCERS_GATEWAY_KEY": GATEWAY_KAFKA_KEY,
        "SERVER_ADDRESS": "127.0.0.1", "MANAGEMENT_SERVER_ADDRESS": "127.0.0.1",
        "SERVER_PORT": str(http_port(module, instance)), "MANAGEMENT_SERVER_PORT": str(mgmt_port(module, instance)),
        "SPRING_R2DBC_URL": f"r2dbc:postgresql://127.0.0.1:{PG_PORT}/relay",
        "SPRING_FLYWAY_URL": f"jdbc:postgresql://127.0.0.1:{PG_PORT}/relay",
        "SPRING_DATA_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}",
        "SPRING_KAFKA_BOOTSTRAP_SERVERS": KAFKA,
        "RELAY_KAFKA_TOPICS_REPLICATION_FACTOR": "1", "RELAY_KAFKA_TOPICS_MIN_INSYNC_REPLICAS": "1",
        "RELAY_GATEWAY_SERVICES_NOTIFICATION_URL": f"http://127.0.0.1:{http_port('notification-service', 0)}",
        "RELAY_GATEWAY_SERVICES_WEBHOOK_URL": f"http://127.0.0.1:{http_port('webhook-service', 0)}",
        "RELAY_EMAIL_PROVIDER": "smtp", "SPRING_MAIL_HOST": "127.0.0.1", "SPRING_MAIL_PORT": str(SMTP_PORT),
        "RELAY_SMS_PROVIDER": "twilio", "RELAY_SMS_TWILIO_BASE_URL": f"http://127.0.0.1:{TWILIO_PORT}",
        "RELAY_SMS_TWILIO_ACCOUNT_SID": "ACfaults", "RELAY_SMS_TWILIO_AUTH_TOKEN": "faults",
        "RELAY_SMS_TWILIO_FROM": "+4930123456789",
        # The provider's own limit is not under test here.
        "RELAY_SMS_RATE_LIMIT_PER_SECOND": "1000", "RELAY_SMS_RATE_LIMIT_BURST": "1000",
        # One-second stages, so the stages run out while a fault lasts.
        "RELAY_EMAIL_RETRY_DELAYS": "1s,1s,1s", "RELAY_SMS_RETRY_DELAYS": "1s,1s,1s",
        "RELAY_WEBHOOKS_RETRY_DELAYS": "1s,1s,1s", "RELAY_WEBHOOKS_TIMEOUT": "5s",
        # Leases short enough that a killed instance's work is taken over within the settle time
        # (defaults 5m and 1m), still above what one send may take (3 x 10 s provider timeouts + 5 s).
        "RELAY_DELIVERY_CLAIM_LEASE": "60s", "RELAY_DELIVERY_MAX_RETRY_AFTER_IN_PROCESS": "5s",
        "RELAY_WEBHOOKS_DISPATCHER_LEASE": "10s",
    })
    env.update(EXTRA_ENV.get(module, {}))
    return env


class Services:
    def __init__(self):
        self.procs = {}

    def jar(self, module):
        target = os.path.join(ROOT, module, "target")
        jars = [f for f in os.listdir(target) if f.endswith("-exec.jar")]
        return os.path.join(target, jars[0])

    def start(self, module, instance=0):
        key = (module, instance)
        if key in self.procs and self.procs[key].poll() is None:
            return
        out = open(os.path.join(LOGS, f"{module}-{instance}.log"), "ab")
        opts = os.environ.get("RELAY_JAVA_OPTS", "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1").split()
        self.procs[key] = subprocess.Popen(["java", *opts, "-jar", self.jar(module)], env=service_env(module, instance),
                                           stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def healthy(self, module, instance=0):
        try:
            c = http.client.HTTPConnection("127.0.0.1", mgmt_port(module, instance), timeout=2)
            c.request("GET", "/actuator/health")
            return c.getresponse().status == 200
        except OSError:
            return False

    def await_healthy(self, module, instance=0, limit=240):
        deadline = now() + limit
        while now() < deadline:
            if self.healthy(module, instance):
                return True
            proc = self.procs.get((module, instance))
            if proc is not None and proc.poll() is not None:
                raise SystemExit(f"{module}-{instance} exited; see {LOGS}/{module}-{instance}.log")
            time.sleep(1)
        raise SystemExit(f"{module}-{instance} not healthy after {limit} s; see {LOGS}/{module}-{instance}.log")

    def kill9(self, module, instance=0):
        proc = self.procs.pop((module, instance))
        proc.kill()
        proc.wait()

    def stop(self, module, instance=0):
        proc = self.procs.pop((module, instance), None)
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def exited(self):
        """Processes the suite started that died without being told to (name and exit code)."""
        dead = [f"{m}-{i} exited ({p.returncode})" for (m, i), p in self.procs.items() if p.poll() is not None]
        for (m, i), p in list(self.procs.items()):
            if p.poll() is not None:
                del self.procs[(m, i)]
        return dead

    def stop_all(self):
        for key in list(self.procs):
            self.stop(*key)


SERVICES = Services()


def infra(action):
    subprocess.run([INFRA, action], check=True, stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------
_local = threading.local()


def call(port, method, path, body=None, token=None, raw=None, timeout=CLIENT_TIMEOUT):
    """(status or error name, seconds, parsed JSON or None). One keep-alive connection per thread and port."""
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    start = now()
    for attempt in (1, 2):
        conn = conns.get(port)
        if conn is None:
            conn = conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = None
            return response.status, now() - start, parsed
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as ex:
            conn.close()
            conns.pop(port, None)
            if attempt == 2 or now() - start > 1:
                return type(ex).__name__, now() - start, None
        except OSError as ex:  # refused, timed out
            conn.close()
            conns.pop(port, None)
            name = "timeout" if "timed out" in str(ex) else ("refused" if isinstance(ex, ConnectionRefusedError) else type(ex).__name__)
            return name, now() - start, None


def gw(instance=0):
    return http_port("api-gateway", instance)


def create_tenant(name, rps, burst):
    status, _, body = call(gw(), "POST", "/admin/v1/tenants", {"name": name, "rateLimit": {"requestsPerSecond": rps, "burst": burst}}, ADMIN_TOKEN)
    if status != 201:
        raise SystemExit(f"creating tenant {name}: {status} {body}")
    return body["apiKey"]


def create_endpoint(key, name):
    status, _, body = call(gw(), "POST", "/v1/endpoints",
                           {"url": f"http://127.0.0.1:{HOOK_PORT}/hook/{name}", "eventTypes": ["fault.test"]}, key)
    if status != 201:
        raise SystemExit(f"creating endpoint {name}: {status} {body}")
    REC.secrets[name] = body.get("secret")


class Run:
    """Everything one scenario sent and saw."""

    def __init__(self, name, key, endpoints):
        self.name, self.key, self.endpoints = name, key, endpoints
        self.lock = threading.Lock()
        self.results = []  # (t, channel, status, seconds, id, nonce)
        self.fault_start = self.fault_end = None
        self.notes = []

    def send(self, channel, port):
        nonce = uuid.uuid4().hex
        if channel == "email":
            path, body = "/v1/messages/email", {"to": [f"u{nonce[:8]}@example.com"], "subject": "fault test", "text": f"nonce-{nonce}"}
        elif channel == "sms":
            path, body = "/v1/messages/sms", {"to": "+49151" + str(10_000_000 + int(nonce[:6], 16) % 89_999_999), "body": f"nonce-{nonce}"}
        else:
            path, body = "/v1/events", {"eventType": "fault.test", "payload": {"nonce": f"nonce-{nonce}"}}
        t = now()
        status, seconds, parsed = call(port, "POST", path, body, self.key)
        rid = parsed.get("id") if status == 202 and isinstance(parsed, dict) else None
        with self.lock:
            self.results.append((t, channel, status, seconds, rid, nonce))
        return status


def load(run, rate, seconds, ports, channels=("email", "sms", "webhook"), pool=None, until=None):
    """A steady mixed stream: rate requests/s for seconds (or, given until, at least that long and
    until it says so), round-robin over channels and gateways."""
    own = pool is None
    pool = pool or concurrent.futures.ThreadPoolExecutor(max_workers=48)
    start, i = now(), 0
    total = int(rate * seconds)
    futures = []
    while i < total or (until is not None and not until()):
        delay = start + i / rate - now()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(run.send, channels[i % len(channels)], ports[i % len(ports)]))
        i += 1
    concurrent.futures.wait(futures)
    if own:
        pool.shutdown()


def in_background(fn, *args, **kwargs):
    thread = threading.Thread(target=fn, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


# ---------------------------------------------------------------------------------------------
# Reconciliation
# ---------------------------------------------------------------------------------------------
def dlt_records():
    """id -> reason, from every -dlt topic of the suite's broker."""
    reasons = {}
    for topic in ("relay.email.v1-dlt", "relay.sms.v1-dlt", "relay.webhook.v1-dlt"):
        try:
            # Header values may be binary (trace context, stack traces): decode leniently.
            # Headers carry multi-line stack traces (spring-kafka's kafka_exception-stacktrace), so
            # records are framed by markers, not lines.
            out = subprocess.run(["kcat", "-C", "-b", KAFKA, "-t", topic, "-e", "-q", "-f", "%s@@HEADERS@@%h@@END@@\n"],
                                 capture_output=True, timeout=30).stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            continue
        for record in out.split("@@END@@\n"):
            value, _, headers = record.partition("@@HEADERS@@")
            m = re.search(r'"id"\s*:\s*"([^"]+)"', value)
            reason = re.search(r"relay-dlt-reason=([^,]*)", headers)
            if m:
                reasons[m.group(1)] = (reason.group(1) if reason else "?")[:60]
    return reasons


def receipts(run, channel, rid, nonce):
    """{unit: [arrival times]}: one unit per message, or per endpoint for an event."""
    with REC.lock:
        if channel == "email":
            return {rid: list(REC.email.get(rid, []))}
        if channel == "sms":
            return {rid: list(REC.sms.get(nonce, []))}
        return {(rid, ep): [t for t, _ in REC.hooks.get((ep, nonce), [])] for ep in run.endpoints}


def webhook_ids_ok(run, nonce):
    """Every webhook-id an endpoint saw for this event is one id (a redelivery, not a new message)."""
    with REC.lock:
        return all(len({w for _, w in REC.hooks.get((ep, nonce), [])}) <= 1 for ep in run.endpoints)


def status_of(run, rid):
    status, _, body = call(gw(), "GET", f"/v1/messages/{rid}", token=run.key, timeout=10)
    return body if status == 200 and isinstance(body, dict) else {"status": f"http-{status}"}


def unit_status(body, channel, endpoint):
    """(status, reason) of one unit from the status API's answer."""
    if channel != "webhook":
        attempts = body.get("attempts") or []
        last = attempts[-1] if attempts else {}
        return body.get("status"), str(last.get("providerCode") or last.get("detail") or "")[:40]
    for d in body.get("deliveries") or []:
        if str(d.get("url", "")).endswith("/hook/" + endpoint):
            attempts = d.get("attempts") or []
            last = attempts[-1] if attempts else {}
            return d.get("status"), str(last.get("statusCode") or last.get("error") or last.get("providerCode") or "")[:40]
    return body.get("status"), "no delivery row"


TERMINAL = {"delivered", "failed", "dead_lettered", "disabled"}


def reconcile(run, settle_limit):
    accepted = [r for r in run.results if r[2] == 202 and r[4]]
    deadline = now() + settle_limit
    pending = {}
    while True:
        pending = {}
        for t, channel, _, _, rid, nonce in accepted:
            for unit, times in receipts(run, channel, rid, nonce).items():
                if not times:
                    pending[unit] = (channel, rid)
        if not pending or now() >= deadline:
            break
        # Anything the status API calls final without a receipt is settled too.
        checked, final = {}, 0
        for unit, (channel, rid) in list(pending.items())[:400]:
            body = checked.get(rid) or status_of(run, rid)
            checked[rid] = body
            status, _ = unit_status(body, channel, unit[1] if channel == "webhook" else None)
            final += status in ("failed", "dead_lettered", "disabled")
        if final == len(pending):
            break
        time.sleep(3)
    dlt = dlt_records()
    row = collections.OrderedDict()
    units = delivered = duplicates = 0
    failed, dead, lost = collections.Counter(), collections.Counter(), collections.Counter()
    last_receipt = 0  # of what was accepted before the fault ended: how long the backlog took
    wrong_ids = 0
    for t, channel, _, _, rid, nonce in accepted:
        if channel == "webhook" and not webhook_ids_ok(run, nonce):
            wrong_ids += 1
        for unit, times in receipts(run, channel, rid, nonce).items():
            units += 1
            if times:
                delivered += 1
                duplicates += len(times) - 1
                if run.fault_end is None or t < run.fault_end:
                    last_receipt = max(last_receipt, min(times))
                continue
            status, reason = unit_status(status_of(run, rid), channel, unit[1] if channel == "webhook" else None)
            if status == "dead_lettered" or rid in dlt:
                dead[f"{channel}:{dlt.get(rid) or reason}"] += 1
            elif status in ("failed", "disabled"):
                failed[f"{channel}:{reason}"] += 1
            else:
                lost[f"{channel}:{status}"] += 1
    statuses = collections.Counter(str(r[2]) for r in run.results)
    slowest = max((r[3] for r in run.results), default=0)
    ref = run.fault_end or (run.results[0][0] if run.results else now())
    back = [r[0] for r in run.results if r[2] == 202 and run.fault_end and r[0] >= run.fault_end]
    row["scenario"] = run.name
    row["accepted"] = f"{len(accepted)} ({units} deliveries)"
    row["delivered"] = delivered
    row["failed"] = fmt(failed)
    row["dead-lettered"] = fmt(dead)
    row["duplicates"] = f"{duplicates}" + (f" ({wrong_ids} events with >1 webhook-id)" if wrong_ids else " (same id)" if duplicates else "")
    row["lost"] = fmt(lost)
    row["clients saw"] = " ".join(f"{k}:{v}" for k, v in sorted(statuses.items())) + f"; slowest {slowest:.2f}s"
    if run.fault_end:
        row["recovery"] = (f"202 again +{max(0, min(back) - run.fault_end):.1f}s; " if back else "") + \
            (f"backlog drained +{max(0, last_receipt - run.fault_end):.1f}s" if not lost else f"{sum(lost.values())} never settled")
    else:
        row["recovery"] = "-"
    with REC.lock:
        bad = sum(REC.bad_signatures[ep] for ep in run.endpoints)
    if any(r[1] == "webhook" for r in accepted):
        run.notes.append(f"webhook signatures verified, {bad} bad" if bad else "every webhook signature verified")
    row["notes"] = "; ".join(run.notes)
    return row


def fmt(counter):
    total = sum(counter.values())
    return f"{total} ({', '.join(f'{k} x{v}' for k, v in counter.most_common(4))})" if total else "0"


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------
def new_run(name, endpoints=("ok",), rps=1000, burst=2000):
    key = create_tenant(f"faults-{name}-{uuid.uuid4().hex[:6]}", rps, burst)
    eps = []
    for ep in endpoints:
        ep_name = f"{ep}-{name}-{uuid.uuid4().hex[:6]}"
        create_endpoint(key, ep_name)
        eps.append(ep_name)
    return Run(name, key, eps)


def fault_during_load(run, rate, seconds, fault, at=10, tail=15):
    """Load from the start; the fault at `at` s; the load goes on at least `tail` s after the fault
    ended, so the table shows the clients' recovery as well as the backlog's."""
    def until():
        return run.fault_end is not None and now() >= run.fault_end + tail
    loader = in_background(load, run, rate, seconds, [gw()], until=until)
    time.sleep(at)
    run.fault_start = now()
    fault(run)
    run.fault_end = now()
    loader.join()


def s0_baseline(args):
    run = new_run("0-baseline")
    load(run, args.rate, args.seconds / 2, [gw()])
    return run


def s1_kill(args):
    run = new_run("1-kill-9")

    def fault(run):
        SERVICES.kill9("notification-service")
        time.sleep(5)
        SERVICES.start("notification-service")
        SERVICES.await_healthy("notification-service")
        SERVICES.kill9("webhook-service")
        time.sleep(5)
        SERVICES.start("webhook-service")
        SERVICES.await_healthy("webhook-service")
        run.notes.append(f"both back after {now() - run.fault_start:.0f}s")
    fault_during_load(run, args.rate, args.seconds, fault)
    return run


def s2_gateway(args):
    run = new_run("2-gateway-restart")

    def fault(run):
        SERVICES.stop("api-gateway")
        SERVICES.start("api-gateway")
        SERVICES.await_healthy("api-gateway")
        run.notes.append(f"gateway back after {now() - run.fault_start:.0f}s")
    fault_during_load(run, args.rate, args.seconds, fault)
    return run


def outage(stop, start, what):
    def fault(run):
        infra(stop)
        time.sleep(30)
        infra(start)
        run.notes.append(f"{what} down 30s")
    return fault


def s3_postgres(args):
    run = new_run("3-postgres-30s")
    fault_during_load(run, args.rate, max(args.seconds, 50), outage("pg-stop", "pg-start", "PostgreSQL"))
    return run


def s4_redis(args):
    run = new_run("4-redis-30s")
    fault_during_load(run, args.rate, max(args.seconds, 50), outage("redis-stop", "redis-start", "Redis"))
    return run


def s5_kafka(args):
    run = new_run("5-kafka-30s")
    fault_during_load(run, args.rate, max(args.seconds, 50), outage("kafka-stop", "kafka-start", "Kafka broker"))
    return run


def s6_receivers(args):
    run = new_run("6-hang-and-500", endpoints=("ok", "hang", "fail"))
    ok, hang, fail = run.endpoints

    def fault(run):
        with REC.lock:
            REC.hook_modes[hang] = ("hang", now() + 60)
            REC.hook_modes[fail] = ("fail", now() + 60)
        time.sleep(60)
        run.notes.append("one receiver hung, one answered 500, for 60s")
    fault_during_load(run, args.rate, max(args.seconds, 70), fault, at=5)
    # One slow or failing endpoint must not delay the healthy one.
    lat = sorted(min(REC.hooks[(ok, r[5])])[0] - r[0] for r in run.results
                 if r[1] == "webhook" and r[2] == 202 and REC.hooks.get((ok, r[5])))
    if lat:
        run.notes.append(f"healthy endpoint p99 {percentile(lat, 99):.2f}s during it")
    return run


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))] if values else float("nan")


def fallback_decisions(ports):
    """Rate-limit decisions the gateways made without Redis (fail-open local limiter), from their metrics."""
    total = 0.0
    for port in ports:
        instance = 0 if port == gw(0) else 1
        try:
            c = http.client.HTTPConnection("127.0.0.1", mgmt_port("api-gateway", instance), timeout=5)
            c.request("GET", "/actuator/prometheus")
            text = c.getresponse().read().decode()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("relay_gateway_rate_limit_decisions_total") and 'source="redis"' not in line:
                total += float(line.rsplit(" ", 1)[1])
    return total


def s7_scale(args):
    for module in MODULES:
        SERVICES.start(module, 1)
    for module in MODULES:
        SERVICES.await_healthy(module, 1)
    time.sleep(5)  # partitions reassigned
    ports = [gw(0), gw(1)]
    warm = new_run("7-warm-up")
    for i in range(60):  # a cold gateway's first Redis calls are slow; that is not what is measured here
        warm.send("email", ports[i % 2])
    fallback_before = fallback_decisions(ports)
    # Limits stay exact: a burst of 400 on one key (burst 200, 1/s) across two gateways.
    burst_run = new_run("7-burst", rps=1, burst=200)
    start = now()
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda i: burst_run.send("email", ports[i % 2]), range(400)))
    elapsed = now() - start
    admitted = statuses.count(202)
    bound = 200 + math.ceil(1 * elapsed)
    # Throughput: as fast as 16 clients go, through one gateway, then two.
    figures = []
    run = new_run("7-scale-out")
    for n in (1, 2):
        before = len(run.results)
        t0 = now()
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            deadline = t0 + 10
            def worker(i):
                c = 0
                while now() < deadline:
                    run.send(("email", "sms", "webhook")[c % 3], ports[(i % n)])
                    c += 1
            list(pool.map(worker, range(16)))
        figures.append((len(run.results) - before) / (now() - t0))
    fallback = fallback_decisions(ports) - fallback_before
    run.notes.append(f"burst of 400 on one key via 2 gateways admitted {admitted} (allowed 200..{bound} in {elapsed:.1f}s) "
                     + ("OK" if 200 <= admitted <= bound else "LIMIT BROKEN")
                     + (f", {fallback:.0f} decisions by the fail-open local limiter (Redis timed out)" if fallback else ""))
    run.notes.append(f"accepted/s with 1 gateway {figures[0]:.0f}, with 2 {figures[1]:.0f} (one 2-core machine)")
    run.results.extend(r for r in burst_run.results if r[2] != 202 and r[2] != 429)
    run.burst = burst_run
    for module in MODULES:
        SERVICES.stop(module, 1)
    return run


def s8_hostile(args):
    flooder = new_run("8-flooder", rps=10, burst=10)
    run = new_run("8-hostile")
    # The normal tenant alone first: its baseline.
    load(run, 10, 10, [gw()])
    base = [r[3] for r in run.results if r[2] == 202]
    junk = collections.Counter()

    def junk_stream(seconds):
        end = now() + seconds
        big = b'{"to":["a@example.com"],"subject":"x","text":"' + b"x" * 1_200_000 + b'"}'
        i = 0
        while now() < end:
            i += 1
            if i % 10 == 0:
                status = call(gw(), "POST", "/v1/messages/email", raw=big, token=flooder.key)[0]
                junk[f"oversized:{status}"] += 1
            elif i % 2:
                status = call(gw(), "POST", "/v1/messages/email", raw=b'{"to": [', token=flooder.key)[0]
                junk[f"malformed:{status}"] += 1
            else:
                status = call(gw(), "POST", "/v1/messages/sms", {"to": "+1", "body": "x"}, token="rk_not_a_key")[0]
                junk[f"bad-key:{status}"] += 1
            time.sleep(0.05)

    start = len(run.results)
    threads = [in_background(load, flooder, 100, 30, [gw()], ("email",)), in_background(junk_stream, 30)]
    load(run, 10, 30, [gw()])
    for t in threads:
        t.join()
    during = [r[3] for r in run.results[start:] if r[2] == 202]
    fl = collections.Counter(str(r[2]) for r in flooder.results)
    p99 = percentile(during, 99)
    run.notes.append(f"flooder (10/s limit) sent 100/s: {dict(fl)}; junk: {dict(junk)}")
    run.notes.append(f"normal tenant p99 {percentile(base, 99) * 1000:.0f}ms alone, {p99 * 1000:.0f}ms under flood "
                     f"(bound 1000ms: {'OK' if p99 <= 1.0 else 'EXCEEDED'})")
    run.flooder = flooder
    return run


def produce(topic, record_key, value, headers):
    """One record straight to Kafka with kcat, as a system outside Relay would write it."""
    cmd = ["kcat", "-P", "-b", KAFKA, "-t", topic, "-k", record_key, "-H", "content-type=application/cloudevents+json"]
    for name, val in headers.items():
        cmd += ["-H", f"{name}={val}"]
    subprocess.run(cmd, input=value, check=True, timeout=30)


def producer_signature(key_b64, topic, record_key, value):
    """relay-producer-signature: HMAC-SHA256 over topic LF key LF value (docs/kafka-contract.md, "Who may write to Kafka")."""
    mac = hmac.new(base64.b64decode(key_b64), topic.encode() + b"\n" + record_key.encode() + b"\n" + value, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def hostile_record(channel, tenant, sender=None):
    """(topic, record key, value bytes, id, nonce) of one request as a direct producer writes it."""
    nonce = uuid.uuid4().hex
    if channel == "email":
        rid, topic, kind = "msg_" + uuid.uuid4().hex, "relay.email.v1", "relay.email.requested"
        data = {"to": [f"h{nonce[:8]}@example.com"], "subject": "hostile", "text": f"nonce-{nonce}"}
        if sender:
            data["from"] = sender
        key = rid
    elif channel == "sms":
        rid, topic, kind = "msg_" + uuid.uuid4().hex, "relay.sms.v1", "relay.sms.requested"
        to = "+49151" + str(10_000_000 + int(nonce[:6], 16) % 89_999_999)
        data, key = {"to": to, "body": f"nonce-{nonce}"}, f"{tenant}/{to}"
    else:
        rid, topic, kind = "evt_" + uuid.uuid4().hex, "relay.webhook.v1", "relay.webhook.requested"
        data, key = {"eventType": "fault.test", "payload": {"nonce": f"nonce-{nonce}"}}, rid
    event = {"specversion": "1.0", "id": rid, "source": "/faults/hostile", "type": kind, "tenantid": tenant,
             "time": datetime.datetime.now(datetime.timezone.utc).isoformat(), "data": data}
    return topic, key, json.dumps(event).encode(), rid, nonce


def ever_received(rid, nonce):
    with REC.lock:
        return bool(REC.email.get(rid) or REC.sms.get(nonce) or any(n == nonce for _, n in REC.hooks))


def s9_hostile_producer(args):
    """A producer straight to Kafka that tries to act for another tenant, unsigned and forged records,
    and a refused sender that is then retried and replayed, under the normal stream: nothing of
    them may reach a sink, the partner's own records must, and the normal stream loses nothing."""
    def tenant(name, senders=None):
        body = {"name": f"faults-{name}-{uuid.uuid4().hex[:6]}", "rateLimit": {"requestsPerSecond": 1000, "burst": 2000}}
        if senders:
            body["senders"] = senders
        status, _, created = call(gw(), "POST", "/admin/v1/tenants", body, ADMIN_TOKEN)
        if status != 201:
            raise SystemExit(f"creating tenant {name}: {status} {created}")
        return created["id"], created["apiKey"]

    # The victim: the run's tenant, with its normal stream through the gateway and one endpoint.
    victim, victim_key = tenant("9-victim")
    endpoint = f"ok-9-{uuid.uuid4().hex[:6]}"
    create_endpoint(victim_key, endpoint)
    run = Run("9-producer", victim_key, [endpoint])
    # The partner: a tenant of its own, whose system produces straight to Kafka.
    partner_tenant, partner_key = tenant("9-partner", {"email": ["partner.example"]})
    # The consumers learn of producer "partner", allowed to act for the partner tenant only.
    key_b64 = base64.b64encode(os.urandom(32)).decode()
    for module in ("notification-service", "webhook-service"):
        EXTRA_ENV[module].update({"RELAY_KAFKA_PRODUCERS_PARTNER_KEY": key_b64,
                                  "RELAY_KAFKA_PRODUCERS_PARTNER_TENANTS": partner_tenant})
        SERVICES.stop(module)
        SERVICES.start(module)
    for module in ("notification-service", "webhook-service"):
        SERVICES.await_healthy(module)

    hostile, control, outcome = [], [], collections.Counter()

    def attacks():
        for i in range(8):
            for channel in ("email", "sms", "webhook"):
                # The partner acting for the victim.
                topic, key, value, rid, nonce = hostile_record(channel, victim)
                produce(topic, key, value, {"relay-producer": "partner",
                                            "relay-producer-signature": producer_signature(key_b64, topic, key, value)})
                hostile.append(("other tenant", rid, nonce))
                # Unsigned, and signed as the gateway with a key that is not the gateway's.
                topic, key, value, rid, nonce = hostile_record(channel, victim)
                produce(topic, key, value, {})
                hostile.append(("unsigned", rid, nonce))
                topic, key, value, rid, nonce = hostile_record(channel, victim)
                forged = base64.b64encode(os.urandom(32)).decode()
                produce(topic, key, value, {"relay-producer": "gateway",
                                            "relay-producer-signature": producer_signature(forged, topic, key, value)})
                hostile.append(("forged", rid, nonce))
            # The partner for its own tenant: from an allowed sender (delivered), and from one its
            # allowlist refuses (dead-lettered at intake; a retry and a replay must not send it).
            for sender, bucket in (("news@partner.example", control), ("ceo@victim.example", hostile)):
                topic, key, value, rid, nonce = hostile_record("email", partner_tenant, sender)
                produce(topic, key, value, {"relay-producer": "partner",
                                            "relay-producer-signature": producer_signature(key_b64, topic, key, value)})
                (bucket.append(("allowed sender", rid, nonce)) if bucket is control
                 else bucket.append(("refused sender", rid, nonce)))
            time.sleep(1)

    started = now()
    attacker = in_background(attacks)
    load(run, args.rate, args.seconds / 2, [gw()])
    attacker.join()

    # Once the refused-sender records are dead-lettered (their status says so), retry each and replay them.
    refused = [rid for kind, rid, _ in hostile if kind == "refused sender"]
    deadline = now() + 60
    while now() < deadline and any(call(gw(), "GET", f"/v1/messages/{rid}", token=partner_key)[2].get("status") != "dead_lettered"
                                   for rid in refused[-1:]):
        time.sleep(1)
    for rid in refused:
        outcome[f"retry:{call(gw(), 'POST', f'/v1/messages/{rid}/retry', token=partner_key)[0]}"] += 1
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=now() - started + 60)
    status, _, replay = call(gw(), "POST", "/admin/v1/replays",
                             {"tenantId": partner_tenant, "channel": "email", "from": since.isoformat(),
                              "to": datetime.datetime.now(datetime.timezone.utc).isoformat()}, ADMIN_TOKEN)
    outcome[f"replay:{status}"] += 1
    # The victim's view: none of the records written in its name exists for it.
    for kind, rid, _ in hostile:
        if kind != "refused sender":
            outcome[f"victim GET:{call(gw(), 'GET', f'/v1/messages/{rid}', token=run.key)[0]}"] += 1
    # Give any wrongly accepted record the time a delivery takes before counting sinks.
    deadline = now() + 30
    while now() < deadline and not all(ever_received(rid, nonce) for _, rid, nonce in control):
        time.sleep(1)
    time.sleep(5)
    sent_wrongly = collections.Counter(kind for kind, rid, nonce in hostile if ever_received(rid, nonce))
    dlt = dlt_records()
    reasons = collections.Counter(f"{kind}: {dlt.get(rid, 'NOT ON DLT')[:45]}" for kind, rid, _ in hostile)
    delivered_control = sum(ever_received(rid, nonce) for _, rid, nonce in control)
    run.notes.append(f"hostile records {len(hostile)}, sent {sum(sent_wrongly.values())}"
                     + (f" ({dict(sent_wrongly)})" if sent_wrongly else "") + f"; on the DLT: {dict(reasons)}")
    run.notes.append(f"partner's own allowed records delivered {delivered_control} of {len(control)}; "
                     f"{dict(outcome)}; replay answer {json.dumps(replay)[:200]}")
    return run


def s10_failover(args):
    """Provider failover: notification-service restarted with a second SMTP relay (a sink of its
    own); the primary sink stops mid-stream for 20 s (sessions dropped, port closed) and comes back.
    Email must go on through the secondary, return to the primary once its breaker's half-open
    probes pass, and lose and duplicate nothing."""
    start_smtp_sink(SMTP2_PORT)
    EXTRA_ENV["notification-service"].update({
        "RELAY_EMAIL_PROVIDERS_0_NAME": "secondary", "RELAY_EMAIL_PROVIDERS_0_HOST": "127.0.0.1",
        "RELAY_EMAIL_PROVIDERS_0_PORT": str(SMTP2_PORT),
        # Back to the primary within the scenario: probes 5 s after the breaker opened.
        "RELAY_FAILOVER_CIRCUITBREAKER_WAITINOPENSTATE": "5s"})
    SERVICES.stop("notification-service")
    SERVICES.start("notification-service")
    SERVICES.await_healthy("notification-service")
    run = new_run("10-smtp-failover")
    counts = {}

    def fault(run):
        with REC.lock:
            counts["before"] = dict(REC.smtp_ports)
        SMTP_SINKS.pop(SMTP_PORT).stop()
        time.sleep(20)
        start_smtp_sink(SMTP_PORT)
        with REC.lock:
            counts["during"] = dict(REC.smtp_ports)
        run.notes.append("primary SMTP sink down 20s")

    fault_during_load(run, args.rate, args.seconds, fault, tail=20)
    with REC.lock:
        counts["after"] = dict(REC.smtp_ports)

    def delta(a, b, port):
        return counts[b].get(port, 0) - counts[a].get(port, 0)
    run.notes.append(f"emails primary/secondary: before {counts['before'].get(SMTP_PORT, 0)}/"
                     f"{counts['before'].get(SMTP2_PORT, 0)}, while down {delta('before', 'during', SMTP_PORT)}/"
                     f"{delta('before', 'during', SMTP2_PORT)}, after {delta('during', 'after', SMTP_PORT)}/"
                     f"{delta('during', 'after', SMTP2_PORT)}")
    return run


SCENARIOS = {"0": s0_baseline, "1": s1_kill, "2": s2_gateway, "3": s3_postgres, "4": s4_redis, "5": s5_kafka,
             "6": s6_receivers, "7": s7_scale, "8": s8_hostile,
             "9": s9_hostile_producer, "10": s10_failover}


def print_table(rows, out):
    cols = list(rows[0].keys())
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]).replace("|", "/") for c in cols) + " |")
    text = "\n".join(lines)
    print(text, flush=True)
    with open(out, "a") as f:
        f.write(text + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="20 requests/s for 30 s per scenario (default 30/s for 40 s)")
    parser.add_argument("--settle", type=float, default=120, help="longest wait for the backlog after a scenario")
    args = parser.parse_args()
    args.rate, args.seconds = (20, 30) if args.quick else (30, 40)
    os.makedirs(LOGS, exist_ok=True)
    start_sinks()
    try:
        for module in MODULES:
            SERVICES.start(module)
        for module in MODULES:
            SERVICES.await_healthy(module)
        log("system up")
        rows = []
        results = os.path.join(DEV, "results.md")
        with open(results, "a") as f:
            f.write(f"\n## run {datetime.datetime.now().isoformat(timespec='seconds')} scenarios {' '.join(args.scenarios)}"
                    f"{' --quick' if args.quick else ''}\n")
        for s in args.scenarios:
            for module in MODULES:  # a scenario starts with everything up
                SERVICES.start(module)
            for module in MODULES:
                SERVICES.await_healthy(module)
            load_before = os.getloadavg()[0]
            log(f"scenario {s}: {SCENARIOS[s].__name__} (load {load_before:.1f})")
            try:
                run = SCENARIOS[s](args)
                run.notes.extend(SERVICES.exited())
                row = reconcile(run, args.settle)
            except Exception as ex:  # one broken scenario must not cost the others' rows
                log(f"scenario {s} broke: {ex!r}")
                row = collections.OrderedDict(scenario=s, accepted="?", delivered="?", failed="?", **{"dead-lettered": "?"},
                                              duplicates="?", lost="?", **{"clients saw": "?"}, recovery="?", notes=f"suite error: {ex!r}")
                run = None
            row["notes"] = (row["notes"] + "; " if row["notes"] else "") + f"load avg {load_before:.1f}"
            log(json.dumps(row))
            rows.append(row)
            if run is not None and hasattr(run, "flooder"):
                rows.append(reconcile(run.flooder, args.settle))
        print()
        print_table(rows, results)
        print(f"\nload average now {os.getloadavg()} on {os.cpu_count()} cores; logs in {LOGS}; table appended to {results}")
    finally:
        SERVICES.stop_all()


if __name__ == "__main__":
    main()
