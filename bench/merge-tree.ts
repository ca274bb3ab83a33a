// The incremental merge tree: one chunk changed in a component of 1,000 chunks (each writing a
// counter, a histogram file and a tree file) → how many merge nodes re-run with the default fan-in
// (16: target ≤ 3) and what the re-merge costs against a flat merge of the 1,000 chunks
// (--merge-fan-in 1000: one merge node). Two Outdirs, each with its own store and output cache so
// that both builds run the changed chunk; rounds alternate which goes first. Figures per build:
// the merge nodes' wall and CPU (their `done` events: merges run in the build's process), the whole
// build's wall and CPU (user+sys, from /usr/bin/time when present).
// Then every merge of the tree again with -j 1 and with -j 2 (merges of one level in parallel).
// Usage: node dist/bench/merge-tree.js [chunks=1000] [rounds=3] [fanIn=16]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { HEPPY, median, repo } from './build-setup.js';
import { RootFileWriter } from '../src/root/write/index.js';

const chunks = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const fanIn = Number(process.argv[4] ?? 16);
const dir = join(repo, '.bench-tmp', `merge-tree-${chunks}`);
const name = (i: number): string => join(dir, 'data', 'c0', `f${String(i).padStart(5, '0')}.root`);

async function writeInput(path: string, entries: number, offset: number): Promise<void> {
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }] });
  for (let k = 0; k < entries; k++) t.fill({ x: offset + k * 0.5 });
  await w.close();
}

async function setup(): Promise<void> {
  mkdirSync(join(dir, 'data', 'c0'), { recursive: true });
  for (let i = 0; i < chunks; i++) if (!existsSync(name(i))) await writeInput(name(i), 10, i % 50);
  writeFileSync(join(dir, 'heppyfile.ts'), `import { Analyzer, Component, Config, Sequence, fill1, type Event } from 'heppy';
class Keep extends Analyzer {
  static branches = ['x'];
  h: ReturnType<Analyzer['hist1']> | null = null;
  t: ReturnType<Analyzer['tree']> | null = null;
  override beginLoop(): void {
    this.counter('n').register('all');
    this.h = this.hist1('hx', 'x', 50, 0, 100);
    this.t = this.tree('sel', [{ name: 'x', type: 'f8' }]);
  }
  override process(e: Event): void {
    const x = e.scalar('x');
    this.counter('n').inc('all');
    fill1(this.h!, x);
    this.t!.fill({ x });
  }
}
export default new Config({
  components: [Object.assign(new Component('c0', { files: 'data/c0/*.root' }), { splitFactor: ${chunks} })],
  sequence: new Sequence(new Analyzer(Keep, {})),
});
`);
}

interface Run { code: number; wallMs: number; cpuMs: number | null; mergeMs: number; mergeCpuMs: number; merges: string[]; chunksRun: number; stderr: string }

function build(variant: 'tree' | 'flat', extra: string[] = [], jobs = 2): Run {
  const args = [HEPPY, 'build', '--json', '-j', String(jobs), '--outdir', `Out-${variant}`, '--cache-dir', `cache-${variant}`, '--merge-fan-in', variant === 'tree' ? String(fanIn) : String(Math.max(2, chunks)), ...extra];
  const timed = existsSync('/usr/bin/time');
  const t = performance.now();
  const r = timed ? spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t;
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  const done = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; id: string; kind: string; durationMs?: number; cpuMs?: number })
    .filter((e) => e.type === 'done');
  const merges = done.filter((e) => e.kind === 'hadd');
  return { code: r.status ?? -1, wallMs, cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : null, mergeMs: merges.reduce((s, e) => s + (e.durationMs ?? 0), 0), mergeCpuMs: merges.reduce((s, e) => s + (e.cpuMs ?? 0), 0),
    merges: merges.map((e) => e.id), chunksRun: done.length - merges.length, stderr: r.stderr ?? '' };
}

await setup();
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
process.stdout.write(`merge tree bench: ${chunks} chunks, fan-in ${fanIn} vs flat; load ${load()}\n`);
for (const v of ['tree', 'flat'] as const) {
  const r = build(v);
  if (r.code !== 0) throw new Error(`initial ${v} build failed: ${r.stderr.slice(-2000)}`);
  process.stdout.write(`  initial ${v} build (0: already built): ${r.chunksRun} chunks, ${r.merges.length} merge nodes, merges ${(r.mergeMs / 1000).toFixed(2)} s\n`);
}
const per = { tree: [] as Run[], flat: [] as Run[] };
for (let k = 0; k < rounds; k++) {
  const i = (k * 397 + 123) % chunks;
  await writeInput(name(i), 10 + (k % 3), 7 + k); // one chunk's input changed (new content each round)
  const order = k % 2 === 0 ? (['tree', 'flat'] as const) : (['flat', 'tree'] as const);
  for (const v of order) {
    const r = build(v);
    if (r.code !== 0) throw new Error(`${v} build failed: ${r.stderr.slice(-2000)}`);
    per[v].push(r);
    process.stdout.write(`  round ${k + 1} ${v}: chunk ${i} changed → ${r.chunksRun} chunk run, ${r.merges.length} merge nodes re-run (${r.merges.join(' ')}); `
      + `merges ${r.mergeMs.toFixed(0)} ms wall, ${r.mergeCpuMs.toFixed(0)} ms CPU; build wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs === null ? '?' : r.cpuMs.toFixed(0)} ms; load ${load()}\n`);
  }
}
// median() takes the upper middle of an even count.
const med = (v: 'tree' | 'flat', f: (r: Run) => number | null): number => median(per[v].map((r) => f(r) ?? NaN));
const nodes = Math.max(...per.tree.map((r) => r.merges.length));
process.stdout.write(`merge nodes re-run per changed chunk: ${nodes} (target <= 3), flat: ${Math.max(...per.flat.map((r) => r.merges.length))}\n`);
process.stdout.write(`re-merge wall (median of ${rounds}): tree ${med('tree', (r) => r.mergeMs).toFixed(0)} ms, flat ${med('flat', (r) => r.mergeMs).toFixed(0)} ms, `
  + `ratio tree/flat ${(med('tree', (r) => r.mergeMs) / med('flat', (r) => r.mergeMs)).toFixed(3)}\n`);
process.stdout.write(`re-merge CPU (median of ${rounds}): tree ${med('tree', (r) => r.mergeCpuMs).toFixed(0)} ms, flat ${med('flat', (r) => r.mergeCpuMs).toFixed(0)} ms, `
  + `ratio tree/flat ${(med('tree', (r) => r.mergeCpuMs) / med('flat', (r) => r.mergeCpuMs)).toFixed(3)}\n`);
process.stdout.write(`whole build (plan + 1 chunk + merges): wall tree ${med('tree', (r) => r.wallMs).toFixed(0)} ms, flat ${med('flat', (r) => r.wallMs).toFixed(0)} ms; `
  + `CPU tree ${med('tree', (r) => r.cpuMs).toFixed(0)} ms, flat ${med('flat', (r) => r.cpuMs).toFixed(0)} ms, ratio ${(med('tree', (r) => r.cpuMs) / med('flat', (r) => r.cpuMs)).toFixed(3)}; load ${load()}\n`);

// Merges of one level in parallel: every merge of the tree run again (its directories removed, no
// cache; no chunk runs), with -j 1 (one merge at a time) and -j 2 (two at once), alternating.
const whole = { 1: [] as Run[], 2: [] as Run[] };
for (let k = 0; k < rounds; k++) {
  for (const j of (k % 2 === 0 ? [1, 2] : [2, 1]) as Array<1 | 2>) {
    rmSync(join(dir, 'Out-tree', '.heppy', 'merge'), { recursive: true, force: true });
    rmSync(join(dir, 'Out-tree', 'c0'), { recursive: true, force: true });
    const r = build('tree', ['--no-cache'], j);
    if (r.code !== 0 || r.chunksRun !== 0) throw new Error(`tree re-merge -j ${j} failed or ran chunks: ${r.stderr.slice(-2000)}`);
    whole[j].push(r);
    process.stdout.write(`  all ${r.merges.length} merges again, -j ${j}: build wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs === null ? '?' : r.cpuMs.toFixed(0)} ms; load ${load()}\n`);
  }
}
const wm = (j: 1 | 2, f: (r: Run) => number | null): number => median(whole[j].map((r) => f(r) ?? NaN));
process.stdout.write(`every merge of the tree (median of ${rounds}): wall -j 1 ${wm(1, (r) => r.wallMs).toFixed(0)} ms, -j 2 ${wm(2, (r) => r.wallMs).toFixed(0)} ms, `
  + `ratio ${(wm(2, (r) => r.wallMs) / wm(1, (r) => r.wallMs)).toFixed(3)}; CPU -j 1 ${wm(1, (r) => r.cpuMs).toFixed(0)} ms, -j 2 ${wm(2, (r) => r.cpuMs).toFixed(0)} ms; load ${load()}\n`);
