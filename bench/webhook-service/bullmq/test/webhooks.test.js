import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signature } from '../webhooks.js';

const here = fileURLToPath(new URL('..', import.meta.url));

test('signs like the Standard Webhooks specification test vector', () => {
  assert.equal(
    signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

// Against the local Redis, under a prefix of its own: 5 events x 2 endpoints, the first answer a 500.
test('delivers every job signed, and retries a failed answer with the same webhook-id', async (t) => {
  const env = { ...process.env, BULLMQ_PREFIX: `bench-bullmq-test-${process.pid}`, BULLMQ_BACKOFF_MS: '50' };
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(requests.length === 1 ? 500 : 204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const run = (script, ...args) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: here, env, stdio: ['ignore', 'pipe', 'inherit'] });
    return child;
  };
  const finished = async (child) => assert.equal((await once(child, 'exit'))[0], 0);
  await finished(run('admin.js', 'clean'));
  const worker = run('worker.js');
  t.after(async () => {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await finished(run('admin.js', 'clean'));
    server.close();
  });
  await once(worker.stdout, 'data');
  await finished(run('produce.js', '5', '0', '2', `http://127.0.0.1:${server.address().port}`));

  for (let i = 0; i < 200 && requests.length < 11; i++) await new Promise((r) => setTimeout(r, 50));

  assert.equal(requests.length, 11);
  const ids = new Set(requests.map((r) => r.headers['webhook-id']));
  assert.equal(ids.size, 10);
  assert.equal(requests.filter((r) => r.headers['webhook-id'] === requests[0].headers['webhook-id']).length, 2);
  assert.deepEqual(new Set(requests.map((r) => r.url)), new Set(['/ok/1', '/ok/2']));
  for (const r of requests) {
    const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig } = r.headers;
    assert.equal(sig, signature(process.env.WEBHOOK_SECRET ?? 'whsec_YmVuY2gtb25seS1idWxsbXEtcGVlci1zZWNyZXQ=', id, ts, r.body));
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    assert.match(JSON.parse(r.body).timestamp, /^\d{4}-\d\d-\d\dT.*Z$/);
  }
});
