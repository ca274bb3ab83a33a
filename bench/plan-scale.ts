// Planning at scale: a cold plan (no store: every input digested, every node "never built") of
// N chunks, and the coordinator's live heap per node after planning (HEPPY_TIMING=1 with
// `node --expose-gc`: a full collection before each figure). Next to it, for scale, xxhsum (C)
// over the same input files, alternated with heppy.
// Usage: node dist/bench/plan-scale.js [chunks=50000] [repeats=3]
// The inputs are copies of one tiny ROOT file (4 components, each file its own chunk); the bundle
// cache is kept between runs (the figure is planning, not bundling or type-checking).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HEPPY, median, repo, writeCountHeppyfile } from './build-setup.js';
import { RootFileWriter } from '../src/root/write/index.js';

const chunks = Number(process.argv[2] ?? 50000);
const repeats = Number(process.argv[3] ?? 3);
const comps = 4;
const files = Math.ceil(chunks / comps);
const dir = join(repo, '.bench-tmp', `plan-${comps}x${files}`);

async function makeProject(): Promise<string[]> {
  const template = join(dir, 'template.root');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(template)) {
    const w = RootFileWriter.create(template);
    const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }] });
    for (let k = 0; k < 10; k++) t.fill({ x: k });
    await w.close();
  }
  const all: string[] = [];
  for (let c = 0; c < comps; c++) {
    const d = join(dir, 'data', `c${c}`);
    mkdirSync(d, { recursive: true });
    const have = new Set(readdirSync(d));
    for (let i = 0; i < files; i++) {
      const name = `f${String(i).padStart(5, '0')}.root`;
      if (!have.has(name)) copyFileSync(template, join(d, name));
      all.push(join(d, name));
    }
  }
  writeCountHeppyfile(dir, comps, files);
  return all;
}

interface Run { wall: number; cpu: number; rssKiB: number; heapPerNode: number | null; nodes: number; timing: string }

/** One `heppy build --dry-run` under /usr/bin/time: wall, user+sys, peak RSS, heap per node. */
function plan(): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S %M', process.execPath, '--expose-gc', HEPPY, 'build', '--dry-run'],
    { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, HEPPY_TIMING: '1' } });
  if (r.status !== 0) throw new Error(`heppy build --dry-run failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const t = /@@time (\S+) (\S+) (\S+) (\d+)/.exec(r.stderr);
  const heaps = [...r.stderr.matchAll(/\[heap\] (.*): (\d+) bytes/g)];
  const before = heaps.find((h) => h[1] === 'before loading');
  // What the coordinator keeps while it runs the build (the records read for planning are gone).
  const after = heaps.find((h) => h[1]!.startsWith('kept while running'));
  const nodes = after ? Number(/running (\d+)/.exec(after[1]!)![1]) : 0;
  return { wall: Number(t![1]), cpu: Number(t![2]) + Number(t![3]), rssKiB: Number(t![4]),
    heapPerNode: before && after ? (Number(after[2]) - Number(before[2])) / nodes : null, nodes,
    timing: r.stderr.split('\n').filter((l) => l.startsWith('[timing]')).join('\n') };
}

function coldStore(): void {
  for (const f of ['data.mdb', 'lock.mdb', 'store-checked']) rmSync(join(dir, 'cache', f), { force: true });
}

/** xxhsum (C, xxh64) over the same files: reading and hashing them, for scale. */
function xxhsum(all: string[]): { wall: number; cpu: number } {
  const list = join(dir, 'files.txt');
  writeFileSync(list, all.join('\0') + '\0');
  const r = spawnSync('sh', ['-c', `/usr/bin/time -f '@@time %e %U %S' xargs -0 -n 5000 xxhsum -H1 < ${list} > /dev/null`], { encoding: 'utf8' });
  const t = /@@time (\S+) (\S+) (\S+)/.exec(r.stderr ?? '');
  return t ? { wall: Number(t[1]), cpu: Number(t[2]) + Number(t[3]) } : { wall: NaN, cpu: NaN };
}

const all = await makeProject();
process.stdout.write(`${all.length} input files under ${dir}\n`);
coldStore();
plan(); // bundles (and type-checks) the heppyfile once: not part of the figure
const cold: Run[] = [];
const warm: Run[] = [];
const xx: Array<{ wall: number; cpu: number }> = [];
for (let i = 0; i < repeats; i++) {
  coldStore();
  const c = plan();
  cold.push(c);
  const w = plan();
  warm.push(w);
  const x = xxhsum(all);
  xx.push(x);
  process.stdout.write(`round ${i + 1}: cold plan ${c.wall.toFixed(2)} s wall, ${c.cpu.toFixed(2)} s CPU, peak RSS ${(c.rssKiB / 1024).toFixed(0)} MiB, `
    + `heap ${c.heapPerNode?.toFixed(0)} B/node; warm (digests cached) ${w.wall.toFixed(2)} s, ${w.cpu.toFixed(2)} s CPU; `
    + `xxhsum ${x.wall.toFixed(2)} s, ${x.cpu.toFixed(2)} s CPU\n`);
}
const m = (xs: number[]): number => median(xs);
process.stdout.write(`\n${cold[0]!.timing}\n\n`);
process.stdout.write(`cold plan, ${cold[0]!.nodes} nodes: median ${m(cold.map((r) => r.wall)).toFixed(2)} s wall, ${m(cold.map((r) => r.cpu)).toFixed(2)} s CPU `
  + `(xxhsum over the same files ${m(xx.map((r) => r.wall)).toFixed(2)} s, ${m(xx.map((r) => r.cpu)).toFixed(2)} s CPU: ratio ${(m(cold.map((r) => r.wall)) / m(xx.map((r) => r.wall))).toFixed(1)}x wall)\n`);
process.stdout.write(`coordinator heap kept while running (dry run: no records): median ${m(cold.map((r) => r.heapPerNode ?? NaN)).toFixed(0)} B per node (cold), `
  + `${m(warm.map((r) => r.heapPerNode ?? NaN)).toFixed(0)} B per node (warm); peak RSS ${(m(cold.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB cold\n`);
process.stdout.write(`warm plan (every digest cached), ${warm[0]!.nodes} nodes: median ${m(warm.map((r) => r.wall)).toFixed(2)} s wall, ${m(warm.map((r) => r.cpu)).toFixed(2)} s CPU\n`);
process.stdout.write(`load average at the end: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
