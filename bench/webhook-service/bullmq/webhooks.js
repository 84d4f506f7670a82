// What the producer, the worker and the tests share: the queue, its Redis connection, the
// payload Relay sends, and Standard Webhooks signing.
import { createHmac, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

export const QUEUE = 'webhooks';

// Its own key prefix, so a clean never touches another user of the shared Redis.
export const PREFIX = process.env.BULLMQ_PREFIX ?? 'bench-bullmq';

// One secret for every endpoint (Relay looks up and decrypts each endpoint's own).
export const SECRET = process.env.WEBHOOK_SECRET ?? 'whsec_YmVuY2gtb25seS1idWxsbXEtcGVlci1zZWNyZXQ=';

// Retries like a webhook sender's: a few attempts with growing, jittered pauses. The failed set
// keeps what exhausted its attempts (the dead letters); completed jobs are removed at once.
// BULLMQ_BACKOFF_MS (first pause, default 5 s) is there for the tests.
export const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: Number(process.env.BULLMQ_BACKOFF_MS ?? 5_000), jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
};

// BullMQ in native ESM needs a client instance (it cannot require ioredis itself);
// maxRetriesPerRequest null is what BullMQ asks of the connections its workers block on.
export function redis() {
  return new Redis({
    host: process.env.REDIS_HOST ?? '127.0.0.1',
    port: Number(process.env.REDIS_PORT ?? 6379),
    maxRetriesPerRequest: null,
  });
}

export function queue(connection) {
  return new Queue(QUEUE, { connection, prefix: PREFIX, defaultJobOptions: JOB_OPTIONS });
}

/** A new webhook-id, stable across the retries of one delivery (it lives in the job). */
export function messageId() {
  return 'msg_' + randomUUID().replaceAll('-', '');
}

/**
 * The body Relay's FanOut renders (type, timestamp, eventId, data): the receiver measures
 * accepted -> received from its "timestamp", stamped here when the event is produced.
 */
export function body(i, now = new Date()) {
  return JSON.stringify({
    type: 'invoice.paid',
    timestamp: now.toISOString(),
    eventId: 'evt_' + randomUUID().replaceAll('-', ''),
    data: { invoice: `in_${i}`, amount: 4200, currency: 'EUR' },
  });
}

/** Standard Webhooks: v1,<base64 HMAC-SHA256 over "id.timestamp.body"> keyed by the whsec_ secret's bytes. */
export function signature(secret, id, timestampSeconds, payload) {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestampSeconds}.${payload}`).digest('base64');
}
