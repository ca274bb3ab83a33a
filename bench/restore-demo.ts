// Issue 11, "option switched back" (target: 0 run, all 34 nodes of the demo restored, < 0.3 s):
// in the demo project (the repository root, as `npm run demo` leaves it), alternates
// `heppy build -o minLeptons=3` (restored: the other option's outputs) and `heppy build` (back to
// the default: every node restored), and next to it the no-op `heppy build` that follows (nothing
// to do, the floor of a process that plans the same graph). Wall (spawn to exit), CPU (user + sys
// through /usr/bin/time) and heppy's own figure (its summary line) per round; medians and the
// ratio restore / no-op. With `--base DIR` (another built checkout, e.g. the commit before), its
// restore is timed in the same rounds, alternating. Usage: node dist/bench/restore-demo.js [rounds=7] [--base DIR]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { HEPPY, median, repo } from './build-setup.js';

const argv = process.argv.slice(2);
const bi = argv.indexOf('--base');
const baseBin = bi >= 0 ? join(argv[bi + 1]!, 'bin', 'heppy.js') : null;
if (bi >= 0) argv.splice(bi, 2);
const rounds = Number(argv[0] ?? 7);

interface Run { wall: number; cpu: number; own: number; line: string }

function run(args: string[], bin = HEPPY): Run {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S', process.execPath, bin, ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`heppy ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-1000)}`);
  const m = /@@time (\S+) (\S+)/.exec(r.stderr);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, own: Number(/; ([\d.]+) s$/.exec(line)?.[1] ?? NaN) * 1000, line };
}

if (!existsSync(join(repo, 'Outdir', '.heppy', 'build.json'))) {
  process.stdout.write('the demo has not been built here: run `npm run demo` first\n');
  process.exit(2);
}
// Both configurations kept in the cache once (a build of each; the first restores hash racy files).
run(['build', '-o', 'minLeptons=3']);
run(['build']);
const restore: Run[] = [];
const noop: Run[] = [];
const base: Run[] = [];
const loads: number[] = [];
for (let i = 0; i < rounds; i++) {
  run(['build', '-o', 'minLeptons=3']);
  run(['build', '-o', 'minLeptons=3']); // up to date: the first may have re-bundled after the base
  loads.push(loadavg()[0]!);
  const r = run(['build']);
  if (!/ 0 run, 34 restored from cache/.test(r.line)) throw new Error(`not all restored: ${r.line}`);
  restore.push(r);
  const n = run(['build']);
  if (!/ 0 run, .*34 up to date/.test(n.line)) throw new Error(`no-op build did something: ${n.line}`);
  noop.push(n);
  if (baseBin !== null) {
    // Untimed, with the base itself: switching heppy binaries re-bundles the heppyfile (~3 s CPU).
    run(['build', '-o', 'minLeptons=3'], baseBin);
    const b = run(['build'], baseBin);
    if (!/ 0 run, 34 restored from cache/.test(b.line)) throw new Error(`base: not all restored: ${b.line}`);
    base.push(b);
  }
}
const fmt = (xs: number[]): string => `${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
const pick = (rs: Run[], k: keyof Omit<Run, 'line'>): number[] => rs.map((r) => r[k]);
process.stdout.write(`load average (1 min) during the rounds: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
process.stdout.write(`option switched back, 34 nodes restored: wall ${fmt(pick(restore, 'wall'))}, cpu ${fmt(pick(restore, 'cpu'))}, heppy's own ${fmt(pick(restore, 'own'))}\n`);
process.stdout.write(`no-op build, same graph:               wall ${fmt(pick(noop, 'wall'))}, cpu ${fmt(pick(noop, 'cpu'))}, heppy's own ${fmt(pick(noop, 'own'))}\n`);
const ratio = (of: Run[], k: 'wall' | 'cpu' | 'own'): string => median(restore.map((r, i) => r[k] / of[i]![k])).toFixed(2);
process.stdout.write(`restore / no-op (median of per-round ratios): wall ${ratio(noop, 'wall')}×, cpu ${ratio(noop, 'cpu')}× — target: restore < 300 ms\n`);
if (base.length > 0) {
  process.stdout.write(`base (${baseBin}) restore:  wall ${fmt(pick(base, 'wall'))}, cpu ${fmt(pick(base, 'cpu'))}, heppy's own ${fmt(pick(base, 'own'))}\n`);
  process.stdout.write(`restore / base (median of per-round ratios): wall ${ratio(base, 'wall')}×, cpu ${ratio(base, 'cpu')}×, own ${ratio(base, 'own')}×\n`);
}
