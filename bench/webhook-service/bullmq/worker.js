// The BullMQ peer's worker: takes webhook jobs from Redis and POSTs each, signed, to its URL.
//   node worker.js      (BULLMQ_CONCURRENCY, default 80; prints "ready" once it takes jobs)
import { Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { PREFIX, QUEUE, SECRET, redis, signature } from './webhooks.js';

// 80 jobs in flight: Relay's per-endpoint concurrency (8) times the bench's 10 endpoints. BullMQ
// has one bound for the whole worker, not one per endpoint.
const CONCURRENCY = Number(process.env.BULLMQ_CONCURRENCY ?? 80);

// Keep-alive connections, as many as jobs in flight; Relay's timeouts (connect 5 s, answer 15 s).
const agent = new Agent({
  connections: CONCURRENCY,
  keepAliveTimeout: 30_000,
  connect: { timeout: 5_000 },
  headersTimeout: 15_000,
  bodyTimeout: 15_000,
});

async function deliver(job) {
  const { id, url, body } = job.data;
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature(SECRET, id, timestamp, body),
    },
    body,
  });
  // Read at most 64 KiB of the answer, then drop the rest.
  await response.body.dump({ limit: 64 * 1024 });
  if (response.statusCode < 200 || response.statusCode > 299) {
    // A failed attempt: BullMQ retries it after the job's backoff.
    throw new Error(`endpoint answered ${response.statusCode}`);
  }
}

const worker = new Worker(QUEUE, deliver, { connection: redis(), prefix: PREFIX, concurrency: CONCURRENCY });
worker.on('failed', (job, err) => console.error(`job ${job?.id} attempt ${job?.attemptsMade} failed: ${err.message}`));
worker.on('error', (err) => console.error(`worker error: ${err.message}`));
await worker.waitUntilReady();
console.log(`ready: concurrency ${CONCURRENCY}, queue ${PREFIX}:${QUEUE}`);

async function stop() {
  await worker.close();
  await agent.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
