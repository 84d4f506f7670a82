// Enqueues webhook jobs for the BullMQ peer: COUNT events, each fanned out to ENDPOINTS endpoints.
//   node produce.js COUNT RATE ENDPOINTS BASE_URL [HANGING]
// RATE events/s (0 = as fast as possible); the first HANGING endpoints get BASE_URL/hang/<n>, the
// rest BASE_URL/ok/<n>. Prints "producer_cpu_ms <n>" (its own CPU) when done.
import { body, messageId, queue, redis } from './webhooks.js';

const [count, rate, endpoints] = process.argv.slice(2, 5).map(Number);
const base = process.argv[5];
const hanging = Number(process.argv[6] ?? 0);
if (!(count >= 0 && rate >= 0 && endpoints > 0 && base)) {
  console.error('usage: node produce.js COUNT RATE ENDPOINTS BASE_URL [HANGING]');
  process.exit(2);
}

// One event's jobs: the fan-out a BullMQ sender does when it enqueues.
function jobs(i) {
  const payload = body(i);
  return Array.from({ length: endpoints }, (_, e) => ({
    name: 'invoice.paid',
    data: { id: messageId(), url: `${base}/${e < hanging ? 'hang' : 'ok'}/${e + 1}`, body: payload },
  }));
}

const connection = redis();
const q = queue(connection);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const start = performance.now();
if (rate === 0) {
  // A backlog: 100 events (100 x ENDPOINTS jobs) per addBulk, one MULTI each.
  for (let i = 0; i < count; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(i + 100, count); j++) batch.push(...jobs(j));
    await q.addBulk(batch);
  }
}
else {
  // Event i is due at start + i/rate (like bench/load.py), stamped when it is enqueued.
  for (let i = 0; i < count; i++) {
    const delay = start + (i * 1000) / rate - performance.now();
    if (delay > 0) await sleep(delay);
    await q.addBulk(jobs(i));
  }
}
await q.close();
await connection.quit();
const cpu = process.cpuUsage();
console.log(`producer_cpu_ms ${Math.round((cpu.user + cpu.system) / 1000)}`);
