// hadd -j: `heppy root merge -j N` against -j 1, for a plain merge (baskets copied) and for a merge
// that recompresses every basket (inputs zlib, output zstd 5: -f505), on F copies of one input.
// Rounds alternate -j 1 and -j N for each kind; wall and user+sys CPU through /usr/bin/time.
// Usage: node dist/bench/merge-jobs.js [entries per file=1000000] [files=8] [jobs=2] [rounds=3]
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RootFileWriter } from '../src/root/write/index.js';

const entries = Number(process.argv[2] ?? 1_000_000);
const files = Number(process.argv[3] ?? 8);
const jobs = Number(process.argv[4] ?? 2);
const rounds = Number(process.argv[5] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'heppy-bench-merge-jobs-'));
const heppy = fileURLToPath(new URL('../../bin/heppy.js', import.meta.url));
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

function timed(args: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, heppy, 'root', 'merge', '-f', ...args], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (c.status !== 0) throw new Error(`root merge ${args.join(' ')}: exit ${c.status}: ${c.stderr}`);
  const [u, s] = (c.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { wall, cpu: u! + s! };
}

try {
  const ins = Array.from({ length: files }, (_, i) => join(dir, `in${i}.root`));
  const w = RootFileWriter.create(ins[0]!, { compression: { algorithm: 'zlib' } });
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } }] });
  const a = new Float32Array([1.5, 2.5, 3.5]);
  for (let i = 0; i < entries; i++) t.fill({ x: ((i * 13) % 10000) * 0.001, n: i % 4, pt: a.subarray(0, i % 4) });
  await w.close();
  for (const p of ins.slice(1)) copyFileSync(ins[0]!, p);
  const mb = (files * statSync(ins[0]!).size) / 1e6;
  const out = join(dir, 'out.root');
  const loads: number[] = [];
  const res: Record<string, { wall: number[]; cpu: number[] }> = {};
  const add = (k: string, r: { wall: number; cpu: number }): void => { (res[k] ??= { wall: [], cpu: [] }).wall.push(r.wall); res[k]!.cpu.push(r.cpu); };
  for (let k = 0; k < rounds; k++) {
    loads.push(loadavg()[0]!);
    add('copy -j 1', timed([out, ...ins]));
    add(`copy -j ${jobs}`, timed(['-j', String(jobs), out, ...ins]));
    add('recompress -j 1', timed(['-f505', out, ...ins]));
    add(`recompress -j ${jobs}`, timed(['-f505', '-j', String(jobs), out, ...ins]));
  }
  console.log(`root merge of ${files} × ${entries} entries (zlib, ${mb.toFixed(1)} MB), medians of ${rounds} rounds, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}:`);
  for (const kind of ['copy', 'recompress']) {
    const one = res[`${kind} -j 1`]!, n = res[`${kind} -j ${jobs}`]!;
    const [w1, c1, wn, cn] = [median(one.wall), median(one.cpu), median(n.wall), median(n.cpu)];
    console.log(`  ${kind.padEnd(10)} -j 1 ${w1.toFixed(2)} s (cpu ${c1.toFixed(2)} s), -j ${jobs} ${wn.toFixed(2)} s (cpu ${cn.toFixed(2)} s): -j ${jobs} is ${(w1 / wn).toFixed(2)}× as fast (wall)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
