// No-op build of 10,000 chunks (4 components × 2,500 tiny files), everything up to date
// (target ≤ 0.4 s wall), next to GNU make and Snakemake over the same 10,000 input → output pairs.
// Usage: node dist/bench/noop-build.js [filesPerComponent=2500] [repeats=5]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HEPPY, heppy, makeBenchProject, median, repo, timeCmd } from './build-setup.js';

const files = Number(process.argv[2] ?? 2500);
const repeats = Number(process.argv[3] ?? 5);
const comps = 4;
const dir = join(repo, '.bench-tmp', `noop-${comps}x${files}`);
mkdirSync(dir, { recursive: true });
let t = performance.now();
await makeBenchProject(dir, comps, files);
process.stdout.write(`inputs ready (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
const first = heppy(dir, ['build', '-j', '2']);
if (first.code !== 0) throw new Error(`first build failed: ${first.stderr}\n${first.stdout.slice(-2000)}`);
process.stdout.write(`first build: ${(first.ms / 1000).toFixed(1)} s  ${first.stdout.trim().split('\n').pop()}\n`);

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
const h = spawnSync(process.execPath, ['--expose-gc', HEPPY, 'build'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, HEPPY_TIMING: '1' } });
const heapAt = (prefix: string): number => Number(new RegExp(`\\[heap\\] ${prefix}[^:]*: (\\d+) bytes`).exec(h.stderr)?.[1] ?? NaN);
// Chunks + merge nodes (the merge tree adds intermediate merges): the count the build printed.
const nodes = Number(/\[heap\] kept while running (\d+) nodes/.exec(h.stderr)?.[1] ?? NaN);
const base = heapAt('before loading');
process.stdout.write(`heppy no-op CPU (user+sys): median ${median(cpu).toFixed(2)} s (${cpu.map((x) => x.toFixed(2)).join(', ')}); `
  + `live heap per node: ${((heapAt('planned') - base) / nodes).toFixed(0)} B at the end of planning, ${((heapAt('kept while running') - base) / nodes).toFixed(0)} B kept while running\n`);

// The same graph for make and Snakemake: one output per input file, all up to date.
const names: string[] = [];
for (let c = 0; c < comps; c++) for (let i = 0; i < files; i++) names.push(`c${c}/f${String(i).padStart(5, '0')}`);
const mk = join(dir, 'make');
mkdirSync(mk, { recursive: true });
writeFileSync(join(mk, 'Makefile'), `all: ${names.map((n) => `out/${n}.txt`).join(' ')}\nout/%.txt: ../data/%.root\n\t@mkdir -p $(dir $@) && cp $< $@\n`);
timeCmd('make', ['-j', '2', '-s'], mk);
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
