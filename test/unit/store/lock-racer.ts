// Child process of lock.test.ts: waits until the given epoch ms, tries the lock of an Outdir once,
// prints "won <pid>" or "lost <pid>", and keeps a won lock until the file `release` exists.
import { existsSync } from 'node:fs';
import { acquireLock } from '../../../src/store/lock.js';

const [outdir, startAt, release] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!];
while (Date.now() < startAt) { /* spin: start as close together as possible */ }
const l = acquireLock(outdir, 'build');
process.stdout.write(`${l.ok ? 'won' : 'lost'} ${process.pid} ${Date.now() - startAt}\n`);
if (l.ok) {
  const t = setInterval(() => {
    if (!existsSync(release)) return;
    clearInterval(t);
    l.value.release();
  }, 5);
}
