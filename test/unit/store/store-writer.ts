// Child process of health.test.ts and open.test.ts: opens the store of a cache directory through
// openStore (so it registers as a user), commits `n` small batches as fast as it can, printing
// "open" once open, and closes it. With `hold`, keeps the store open until the file `hold` exists.
import { existsSync } from 'node:fs';
import { openStore } from '../../../src/store/open.js';

const [cache, n, hold] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]];
const r = openStore(cache, '/tmp/heppy-store-writer-out', false);
if (!r.ok) {
  process.stdout.write(`failed ${r.error.reason}\n`);
  process.exit(1);
}
const s = r.value.store;
process.stdout.write('open\n');
for (let i = 0; i < n; i++) {
  // Values of varied sizes (some on overflow pages) so that the file grows commit after commit.
  await s.putDigestSet(`list${i}`, 'p'.repeat(100 + (i % 5) * 3000), ['a']);
}
while (hold !== undefined && !existsSync(hold)) await new Promise((res) => setTimeout(res, 10));
await s.close();
process.stdout.write('closed\n');
