// Back-to-back reads of one small file, the way a worker reads its chunks' inputs one after
// another: HZZ (0.22 MB) read N times in a row by one process, every numeric branch, from the
// local file, over root:// and over http:// (a local XRootD server, no trace log), each way in
// its own process (so each runs monomorphic and warm, unlike the interleaved remote-read.js),
// rounds alternating the ways (and, with --base, this tree's and another built tree's reader).
// Printed: median ms and CPU (user+sys of the reading process) per read, requests per read, and
// remote/local ratios of throughput. For a small file the cost is round trips and writes per file
// (open, read, close), which this isolates.
//
// Run: npm run build && node dist/bench/remote-loop.js [ROUNDS=3] [READS=300] [--base DIR]
// Figures: bench/README.md.
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { sharedRootDir } from '../test/util/shared.js';
import { startXrootd } from '../test/util/xrootd.js';

const FILE = 'uproot-HZZ.root', TREE = 'events';
const args = process.argv.slice(2);

if (args[0] === '--child') await child(args[1]!, args[2]!, args[3]!, Number(args[4]));
else await parent();

/** One way, N reads, in this process: prints one JSON line. `dist`: the tree whose reader reads. */
async function child(dist: string, way: string, where: string, n: number): Promise<void> {
  const at = (m: string): string => pathToFileURL(join(dist, 'src', m)).href;
  const { openRootFile } = await import(at('root/read/index.js')) as typeof import('../src/root/read/index.js');
  const x = await import(at('io/xrootd/client.js')) as typeof import('../src/io/xrootd/client.js');
  const h = await import(at('io/http/request.js')) as typeof import('../src/io/http/request.js');
  const one = async (): Promise<number> => {
    const f = await openRootFile(where);
    const t = await f.tree(TREE);
    const names = t.branches.filter((b) => b.type !== null).map((b) => b.name);
    let v = 0;
    for await (const b of t.batches(names)) for (const k of names) v += b.columns[k]!.values.length;
    f.close();
    return v;
  };
  const values = await one();
  for (let i = 0; i < 10; i++) await one(); // warm-up
  const r0 = x.counters.requests + h.httpCounters.requests, c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < n; i++) if (await one() !== values) throw new Error(`${way}: values differ between reads`);
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ way, ms: (performance.now() - t0) / n, cpu: (c.user + c.system) / 1000 / n, requests: (x.counters.requests + h.httpCounters.requests - r0) / n, values }));
  await x.closeAll();
}

async function parent(): Promise<void> {
  const baseAt = args.indexOf('--base');
  const BASE = baseAt >= 0 ? resolve(args.splice(baseAt, 2)[1]!) : null;
  const ROUNDS = Number(args[0] ?? 3), READS = Number(args[1] ?? 300);
  const dir = sharedRootDir();
  const server = dir === null ? null : await startXrootd({ trace: false });
  if (dir === null || server === null) process.exit(0);
  copyFileSync(join(dir, FILE), join(server.data, FILE));
  const here = resolve(import.meta.dirname, '..');
  const trees = [{ tag: '', dist: here }, ...(BASE === null ? [] : [{ tag: 'base-', dist: join(BASE, 'dist') }])];
  const wheres: Record<string, string> = { local: join(server.data, FILE), root: server.rootUrl(FILE), http: server.httpUrl(FILE) };
  const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${FILE}: ${ROUNDS} rounds of ${READS} back-to-back reads by each way in its own process; load before: ${load()}${BASE === null ? '' : `; base: ${BASE}`}`);
  const got: Record<string, { ms: number; cpu: number; requests: number }[]> = {};
  const self = join(here, 'bench', 'remote-loop.js');
  for (let r = 0; r < ROUNDS; r++) {
    const runs = trees.flatMap((t) => Object.keys(wheres).map((w) => ({ name: t.tag + w, dist: t.dist, w })));
    for (let i = 0; i < runs.length; i++) {
      const run = runs[(i + r) % runs.length]!;
      const p = spawnSync(process.execPath, [self, '--child', run.dist, run.w, wheres[run.w]!, String(READS)], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`${run.name}: ${p.stderr}`);
      (got[run.name] ??= []).push(JSON.parse(p.stdout.trim().split('\n').pop()!) as { ms: number; cpu: number; requests: number });
    }
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const t of trees) {
    const local = med(got[`${t.tag}local`]!.map((x) => x.ms));
    for (const w of Object.keys(wheres)) {
      const xs = got[t.tag + w]!, ms = med(xs.map((x) => x.ms));
      const ratio = w === 'local' ? '' : `; vs local ${(local / ms).toFixed(2)}x`;
      const vsBase = t.tag === '' && BASE !== null && w !== 'local' ? `; vs base ${(med(got[`base-${w}`]!.map((x) => x.ms)) / ms).toFixed(2)}x` : '';
      console.log(`  ${(t.tag + w).padEnd(10)} ${ms.toFixed(2)} ms/read, CPU ${med(xs.map((x) => x.cpu)).toFixed(2)} ms/read, ${xs[0]!.requests.toFixed(1)} requests/read${ratio}${vsBase}`);
    }
  }
  console.log(`load after: ${load()}`);
  await server.dispose();
}
