// No-op build of 10,000 chunks (4 components × 2,500 tiny files), everything up to date
// (target ≤ 0.4 s wall), next to GNU make and Snakemake over the same 10,000 input → output pairs.
// Usage: node dist/bench/noop-build.js [filesPerComponent=2500] [repeats=5] [--base DIR] [--interleave R]
// With --base DIR (another checkout of heppy, built): its no-op over its own copy of the project
// (DIR/.bench-tmp/…, made and built the first time) alternates with this tree's, round by round,
// wall and CPU (user+sys) of each run and the load average printed, medians and ratios at the end.
// With --interleave R: R rounds, each running this tree's no-op, the same with HEPPY_OUTPUT_THREAD=1
// (heppy-thread: with the output-check thread, off by default since session 19), the base's (with
// --base) and make's over the same graph,
// in an order that rotates round by round; then medians, and the per-round
// ratios heppy/make and heppy/base with their quartiles (a ratio taken within one round shares that
// round's load), the heap per node, and nothing else (one command that settles the figure).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HEPPY, heppy, makeBenchProject, median, repo, timeCmd } from './build-setup.js';

const args = process.argv.slice(2);
const bi = args.indexOf('--base');
const baseDir = bi >= 0 ? args[bi + 1]! : null;
if (bi >= 0) args.splice(bi, 2);
const ii = args.indexOf('--interleave');
const interleave = ii >= 0 ? Number(args[ii + 1]) : 0;
if (ii >= 0) args.splice(ii, 2);
if (ii >= 0 && !(Number.isInteger(interleave) && interleave > 0)) throw new Error('--interleave needs a number of rounds');
const files = Number(args[0] ?? 2500);
const repeats = Number(args[1] ?? 5);
const comps = 4;
const dir = join(repo, '.bench-tmp', `noop-${comps}x${files}`);

/** A bench project for `bin` (a heppy launcher) in `where`: inputs written, first build done. */
async function ready(bin: string, where: string, label: string): Promise<void> {
  mkdirSync(where, { recursive: true });
  const t = performance.now();
  await makeBenchProject(where, comps, files);
  process.stdout.write(`${label}: inputs ready (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
  const t1 = performance.now();
  const first = spawnSync(process.execPath, [bin, 'build', '-j', '2'], { cwd: where, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (first.status !== 0) throw new Error(`${label}: first build failed: ${first.stderr}\n${first.stdout.slice(-2000)}`);
  process.stdout.write(`${label}: first build ${((performance.now() - t1) / 1000).toFixed(1)} s  ${first.stdout.trim().split('\n').pop()}\n`);
}

/** One timed run of `cmd` (wall ms, CPU s: user+sys by /usr/bin/time); `ok` judges its output. */
function timed(cmd: string, argv: string[], cwd: string, ok: (stdout: string) => boolean): { ms: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S', cmd, ...argv], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  const m = /@@time (\S+) (\S+)/.exec(r.stderr);
  if (r.status !== 0 || !m || !ok(r.stdout)) throw new Error(`${cmd} ${argv.join(' ')} in ${cwd} did something: ${r.stdout.slice(-500)} ${r.stderr}`);
  return { ms, cpu: Number(m[1]) + Number(m[2]) };
}

const NAMES: string[] = [];
for (let c = 0; c < comps; c++) for (let i = 0; i < files; i++) NAMES.push(`c${c}/f${String(i).padStart(5, '0')}`);

const noopOk = (out: string): boolean => /0 run, 10?\d* up to date/.test(out);
/** One no-op build: wall (ms) and CPU (user+sys of heppy and its threads, s). */
const noop = (bin: string, where: string): { ms: number; cpu: number } => timed(process.execPath, [bin, 'build'], where, noopOk);
/** The same with HEPPY_OUTPUT_THREAD=1: the output stats shared with the output-check thread (off by default). */
const noopThread = (bin: string, where: string): { ms: number; cpu: number } => timed('/usr/bin/env', ['HEPPY_OUTPUT_THREAD=1', process.execPath, bin, 'build'], where, noopOk);

/** The same graph for make (one output per input file) in `dir`/make, built once: its directory. */
function makeProject(): string {
  const mk = join(dir, 'make');
  mkdirSync(mk, { recursive: true });
  writeFileSync(join(mk, 'Makefile'), `all: ${NAMES.map((n) => `out/${n}.txt`).join(' ')}\nout/%.txt: ../data/%.root\n\t@mkdir -p $(dir $@) && cp $< $@\n`);
  timeCmd('make', ['-j', '2', '-s'], mk);
  return mk;
}

/** The quartiles (nearest rank) of xs: [q1, median, q3]. */
function quartiles(xs: number[]): [number, number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
  return [at(0.25), at(0.5), at(0.75)];
}

/** The coordinator's live heap per node of one no-op (node --expose-gc, HEPPY_TIMING=1): a line. */
function heapPerNode(): string {
  // After a full collection, at the end of planning with the task records in use, and kept while
  // running the build, both above the heap before loading.
  const h = spawnSync(process.execPath, ['--expose-gc', HEPPY, 'build'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, HEPPY_TIMING: '1' } });
  const heapAt = (prefix: string): number => Number(new RegExp(`\\[heap\\] ${prefix}[^:]*: (\\d+) bytes`).exec(h.stderr)?.[1] ?? NaN);
  // Chunks + merge nodes (the merge tree adds intermediate merges): the count the build printed.
  const nodes = Number(/\[heap\] kept while running (\d+) nodes/.exec(h.stderr)?.[1] ?? NaN);
  const base = heapAt('before loading');
  return `live heap per node: ${((heapAt('planned') - base) / nodes).toFixed(0)} B at the end of planning, ${((heapAt('kept while running') - base) / nodes).toFixed(0)} B kept while running (${nodes} nodes)`;
}

/** The no-op of this tree, the base's and make's in every round; medians and per-round ratios. */
async function interleaved(rounds: number): Promise<void> {
  const baseBin = baseDir === null ? null : join(baseDir, 'bin', 'heppy.js');
  const baseProject = baseDir === null ? null : join(baseDir, '.bench-tmp', `noop-${comps}x${files}`);
  if (baseBin !== null) await ready(baseBin, baseProject!, `base ${baseDir}`);
  const mk = makeProject();
  type Way = { name: string; run: () => { ms: number; cpu: number }; got: Array<{ ms: number; cpu: number }> };
  const ways: Way[] = [
    { name: 'heppy', run: () => noop(HEPPY, dir), got: [] },
    { name: 'heppy-thread', run: () => noopThread(HEPPY, dir), got: [] },
    ...(baseBin === null ? [] : [{ name: 'base', run: () => noop(baseBin, baseProject!), got: [] }]),
    { name: 'make', run: () => timed('make', ['-s'], mk, () => true), got: [] },
  ];
  for (const w of ways) w.run();   // warm-up: each tree's first no-op may re-bundle; page cache
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (let k = 0; k < ways.length; k++) {
      const w = ways[(r + k) % ways.length]!;
      const x = w.run();
      w.got.push(x);
    }
    loads.push(loadavg()[0]!);
    for (const w of ways) line.push(`${w.name} ${w.got[r]!.ms.toFixed(0)} ms ${w.got[r]!.cpu.toFixed(2)} s`);
    process.stdout.write(`round ${r + 1} (load ${loads[r]!.toFixed(1)}): ${line.join(', ')}\n`);
  }
  const fmt = (q: [number, number, number], d = 3): string => `${q[1].toFixed(d)} (quartiles ${q[0].toFixed(d)}–${q[2].toFixed(d)})`;
  for (const w of ways) {
    process.stdout.write(`${w.name}: median ${median(w.got.map((x) => x.ms)).toFixed(0)} ms wall, ${median(w.got.map((x) => x.cpu)).toFixed(2)} s CPU (user+sys)\n`);
  }
  const [h, b, m] = [ways[0]!, ways.find((w) => w.name === 'base'), ways[ways.length - 1]!];
  const per = (num: Way, den: Way, f: 'ms' | 'cpu'): [number, number, number] => quartiles(num.got.map((x, i) => x[f] / den.got[i]![f]));
  const one = ways[1]!;
  process.stdout.write(`per-round heppy/make: wall ${fmt(per(h, m, 'ms'))}, CPU ${fmt(per(h, m, 'cpu'))}\n`);
  process.stdout.write(`per-round heppy-thread/heppy: wall ${fmt(per(one, h, 'ms'), 2)}, CPU ${fmt(per(one, h, 'cpu'), 2)}; heppy-thread/make: wall ${fmt(per(one, m, 'ms'))}\n`);
  if (b !== undefined) {
    process.stdout.write(`per-round heppy/base: wall ${fmt(per(h, b, 'ms'), 2)}, CPU ${fmt(per(h, b, 'cpu'), 2)}; base/make: wall ${fmt(per(b, m, 'ms'))}\n`);
  }
  process.stdout.write(`heppy ${heapPerNode()}\n`);
  process.stdout.write(`${rounds} rounds of ${NAMES.length} chunks, load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n`);
}

await ready(HEPPY, dir, 'this tree');
if (interleave > 0) {
  await interleaved(interleave);
  process.exit(0);
}
if (baseDir !== null) {
  const baseBin = join(baseDir, 'bin', 'heppy.js');
  const baseProject = join(baseDir, '.bench-tmp', `noop-${comps}x${files}`);
  await ready(baseBin, baseProject, `base ${baseDir}`);
  // Warm-up: each tree's first no-op may re-bundle or type-check.
  noop(baseBin, baseProject);
  noop(HEPPY, dir);
  const mine: Array<{ ms: number; cpu: number }> = [];
  const base: Array<{ ms: number; cpu: number }> = [];
  for (let i = 0; i < repeats; i++) {
    const b = noop(baseBin, baseProject);
    const m = noop(HEPPY, dir);
    base.push(b);
    mine.push(m);
    process.stdout.write(`round ${i + 1} (load ${loadavg()[0]!.toFixed(1)}): base ${b.ms.toFixed(0)} ms ${b.cpu.toFixed(2)} s CPU, this tree ${m.ms.toFixed(0)} ms ${m.cpu.toFixed(2)} s CPU\n`);
  }
  const mw = median(mine.map((x) => x.ms)), bw = median(base.map((x) => x.ms));
  const mc = median(mine.map((x) => x.cpu)), bc = median(base.map((x) => x.cpu));
  process.stdout.write(`no-op medians: this tree ${mw.toFixed(0)} ms wall, ${mc.toFixed(2)} s CPU; base ${bw.toFixed(0)} ms, ${bc.toFixed(2)} s CPU; `
    + `ratio ${(mw / bw).toFixed(2)}× wall, ${(mc / bc).toFixed(2)}× CPU (load ${loadavg()[0]!.toFixed(1)})\n`);
}

const times: number[] = [];
for (let i = 0; i < repeats; i++) {
  const r = heppy(dir, ['build']);
  if (r.code !== 0 || !/0 run, 10?\d* up to date/.test(r.stdout)) throw new Error(`no-op build did something: ${r.stdout.slice(-500)} ${r.stderr}`);
  times.push(r.ms);
}
process.stdout.write(`heppy no-op build, ${comps * files} chunks and their merges: median ${median(times).toFixed(0)} ms (${times.map((x) => x.toFixed(0)).join(', ')})\n`);

// CPU (user+sys, /usr/bin/time) of the same no-op, and the coordinator's live heap per node
// (node --expose-gc, HEPPY_TIMING=1: after a full collection, at the end of planning with the task
// records in use, and kept while running the build), both above the heap before loading.
const cpu: number[] = [];
for (let i = 0; i < repeats; i++) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S', process.execPath, HEPPY, 'build'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /@@time (\S+) (\S+)/.exec(r.stderr);
  if (r.status === 0 && m) cpu.push(Number(m[1]) + Number(m[2]));
}
const heap = heapPerNode();
process.stdout.write(`heppy no-op CPU (user+sys): median ${median(cpu).toFixed(2)} s (${cpu.map((x) => x.toFixed(2)).join(', ')}); ${heap}\n`);

// The same graph for make and Snakemake: one output per input file, all up to date.
const names = NAMES;
const mk = makeProject();
const mt: number[] = [];
for (let i = 0; i < repeats; i++) mt.push(timeCmd('make', ['-s'], mk).ms);
process.stdout.write(`make no-op, ${names.length} targets: median ${median(mt).toFixed(0)} ms\n`);

const snake = '/usr/bin/snakemake';
if (existsSync(snake)) {
  const sm = join(dir, 'snake');
  mkdirSync(sm, { recursive: true });
  writeFileSync(join(sm, 'Snakefile'), `NAMES = [l.strip() for l in open('names.txt')]
rule all:
    input: expand('out/{n}.txt', n=NAMES)
rule one:
    input: '../data/{n}.root'
    output: 'out/{n}.txt'
    shell: 'cp {input} {output}'
`);
  writeFileSync(join(sm, 'names.txt'), names.join('\n') + '\n');
  const full = timeCmd(snake, ['-c', '2', '-q', '--nolock', '--rerun-incomplete'], sm);
  if (full.code !== 0) process.stdout.write(`snakemake full build failed: ${full.out.slice(-500)}\n`);
  const st: number[] = [];
  for (let i = 0; i < Math.min(repeats, 3); i++) st.push(timeCmd(snake, ['-c', '2', '-q', '--nolock', '--rerun-incomplete'], sm).ms);
  process.stdout.write(`snakemake no-op, ${names.length} targets: median ${median(st).toFixed(0)} ms\n`);
} else {
  process.stdout.write('snakemake not installed (apt-get install -y snakemake): skipped\n');
}
