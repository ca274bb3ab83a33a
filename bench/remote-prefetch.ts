// What reading replies during the decoding buys (src/root/read/readahead.ts, readAheadSettings):
// issue412 (2.29 MB) read over root:// and http:// from a local XRootD server (no trace log), with
// take() letting the event loop run every 0.5 ms while runs are in flight, and never (before
// session 18: a prefetched reply then crossed only as far as the socket buffers let it until the
// decoder ran dry), alternating read by read in one process (same connections, same JIT state), so
// load hits both alike. Printed per protocol and setting: medians of wall time per read, client CPU,
// and the time the read waited for baskets already requested (what the prefetch did not hide).
// Run: npm run build && node dist/bench/remote-prefetch.js [READS=30] [YIELD_MS,…=0.5,Infinity]
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../src/root/read/index.js';
import { readAheadSettings, readAheadStats } from '../src/root/read/readahead.js';
import { closeAll } from '../src/io/xrootd/client.js';
import { sharedRootDir } from '../test/util/shared.js';
import { startXrootd } from '../test/util/xrootd.js';

const READS = Number(process.argv[2] ?? 30);
/** yieldMs values compared (the last one is the reference of the ratios): default 0.5 against never. */
const SETTINGS = (process.argv[3] ?? '0.5,Infinity').split(',').map(Number)
  .map((yieldMs) => ({ name: Number.isFinite(yieldMs) ? `yield every ${yieldMs} ms` : 'never yield', yieldMs }));
const dir = sharedRootDir();
const server = dir === null ? null : await startXrootd({ trace: false });
if (dir === null || server === null) process.exit(0);
copyFileSync(join(dir, 'uproot-issue412.root'), join(server.data, 'f.root'));
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`issue412, ${READS} reads with each setting over each protocol, alternating; load before: ${load()}`);

interface Row { ms: number; cpu: number; wait: number }
async function readOnce(url: string): Promise<Row> {
  const c0 = process.cpuUsage(), t0 = performance.now(), w0 = readAheadStats.waitMs;
  const f = await openRootFile(url);
  const t = await f.tree('test');
  const names = t.branches.filter((b) => b.type !== null).map((b) => b.name);
  let values = 0;
  for await (const b of t.batches(names)) for (const n of names) values += b.columns[n]!.values.length;
  f.close();
  const c = process.cpuUsage(c0);
  if (values !== 2_000_000) throw new Error(`${values} values read, expected 2000000`);
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, wait: readAheadStats.waitMs - w0 };
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (const [proto, url] of [['root://', server.rootUrl('f.root')], ['http://', server.httpUrl('f.root')]] as const) {
  const rows = new Map<string, Row[]>(SETTINGS.map((s) => [s.name, []]));
  for (let i = 0; i < READS + 3; i++) {
    for (let k = 0; k < SETTINGS.length; k++) {
      const s = SETTINGS[(i + k) % SETTINGS.length]!;
      readAheadSettings.yieldMs = s.yieldMs;
      const r = await readOnce(url);
      if (i >= 3) rows.get(s.name)!.push(r);
    }
  }
  for (const s of SETTINGS) {
    const xs = rows.get(s.name)!;
    console.log(`${proto} ${s.name.padEnd(18)} ${med(xs.map((r) => r.ms)).toFixed(1)} ms/read, CPU ${med(xs.map((r) => r.cpu)).toFixed(1)} ms, waiting for requested baskets ${med(xs.map((r) => r.wait)).toFixed(2)} ms/read`);
  }
  const ref = rows.get(SETTINGS[SETTINGS.length - 1]!.name)!;
  for (const s of SETTINGS.slice(0, -1)) {
    const xs = rows.get(s.name)!;
    console.log(`${proto} ${s.name} vs ${SETTINGS[SETTINGS.length - 1]!.name}: ${med(xs.map((r, i) => ref[i]!.ms / r.ms)).toFixed(2)}x the throughput, CPU ${med(xs.map((r, i) => r.cpu / ref[i]!.cpu)).toFixed(3)}x (medians of per-pair ratios)`);
  }
}
readAheadSettings.yieldMs = 0.5;
console.log(`load after: ${load()}`);
await closeAll();
await server.dispose();
