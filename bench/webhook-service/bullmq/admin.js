// node admin.js clean   removes every key of the peer's queue (before a run)
// node admin.js counts  prints the jobs left in each state (after a run)
import { queue, redis } from './webhooks.js';

const connection = redis();
const q = queue(connection);
if (process.argv[2] === 'clean') {
  await q.obliterate({ force: true });
}
else if (process.argv[2] === 'counts') {
  const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  console.log(Object.entries(counts).map(([state, n]) => `${state} ${n}`).join(', '));
}
else {
  console.error('usage: node admin.js clean|counts');
  process.exitCode = 2;
}
await q.close();
await connection.quit();
