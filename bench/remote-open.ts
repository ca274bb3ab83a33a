// What the 576 kB head of EdgeCache (src/io/edge-cache.ts) buys over root://: issue412 read over a
// local XRootD server (no trace log) with the head at 64 kB (before session 17) and at 576 kB,
// alternating read by read in one process (same connection, same JIT state), so load hits both
// alike. Printed: medians of wall time per read, client CPU, time from the open to the first batch
// of values (the round trips before decoding starts), and requests per read.
// Run: npm run build && node dist/bench/remote-open.js [READS=50]
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../src/root/read/index.js';
import { edgeSettings } from '../src/io/edge-cache.js';
import { closeAll, counters } from '../src/io/xrootd/client.js';
import { sharedRootDir } from '../test/util/shared.js';
import { startXrootd } from '../test/util/xrootd.js';

const READS = Number(process.argv[2] ?? 50);
const HEADS = [64 << 10, 576 << 10];
const dir = sharedRootDir();
const server = dir === null ? null : await startXrootd({ trace: false });
if (dir === null || server === null) process.exit(0);
copyFileSync(join(dir, 'uproot-issue412.root'), join(server.data, 'f.root'));
const url = server.rootUrl('f.root');
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${READS} reads with each head, alternating; load before: ${load()}`);

const rows = new Map<number, { ms: number; cpu: number; first: number; requests: number }[]>(HEADS.map((h) => [h, []]));
for (let i = 0; i < READS + 3; i++) {
  for (const head of i % 2 === 0 ? HEADS : [...HEADS].reverse()) {
    edgeSettings.head = head;
    const c0 = process.cpuUsage(), t0 = performance.now(), r0 = counters.requests;
    const f = await openRootFile(url);
    const t = await f.tree('test');
    const names = t.branches.filter((b) => b.type !== null).map((b) => b.name);
    let first = 0, values = 0;
    for await (const b of t.batches(names)) {
      if (first === 0) first = performance.now() - t0;
      for (const n of names) values += b.columns[n]!.values.length;
    }
    f.close();
    const c = process.cpuUsage(c0);
    if (values !== 2_000_000) throw new Error(`${values} values read, expected 2000000`);
    if (i >= 3) rows.get(head)!.push({ ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, first, requests: counters.requests - r0 });
  }
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const m = (head: number, k: 'ms' | 'cpu' | 'first' | 'requests'): number => med(rows.get(head)!.map((r) => r[k]));
for (const h of HEADS) {
  console.log(`head ${h >> 10} kB: ${m(h, 'ms').toFixed(1)} ms/read, CPU ${m(h, 'cpu').toFixed(1)} ms, first batch after ${m(h, 'first').toFixed(1)} ms, ${m(h, 'requests')} requests/read`);
}
const ratio = rows.get(HEADS[0]!)!.map((r, i) => r.ms / rows.get(HEADS[1]!)![i]!.ms);
console.log(`576 kB vs 64 kB: ${med(ratio).toFixed(2)}x the throughput (median of per-pair ratios); load after: ${load()}`);
await closeAll();
await server.dispose();
