// Issue 11, "option switched back" (target: 0 run, all 34 nodes of the demo restored, < 0.3 s):
// in the demo project (the repository root, as `npm run demo` leaves it), alternates
// `heppy build -o minLeptons=3` and `heppy build` (back to the default: every node restored), and
// next to it the no-op `heppy build` that follows (nothing to do, the floor of a process that plans
// the same graph). Two kinds of restore per round:
// - the FIRST restore of entries just kept (the user's case: build, build -o, build): the cache is
//   emptied (`heppy cache prune --max-size 0`), both configurations are run and kept (untimed), then
//   both are restored (timed: "first restore");
// - a later restore of the same entries ("again").
// Wall (spawn to exit), CPU (user + sys through /usr/bin/time) and heppy's own figure (its summary
// line) per round; medians and the ratios restore / no-op. With `--base DIR` (another built
// checkout, e.g. the commit before), the same round with its heppy follows, alternating (its own
// keeps: the cache is emptied and both configurations are run again with it).
// Usage: node dist/bench/restore-demo.js [rounds=3] [--base DIR]   (each round runs the demo 2×, 4× with --base)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { HEPPY, median, repo } from './build-setup.js';

const argv = process.argv.slice(2);
const bi = argv.indexOf('--base');
const baseBin = bi >= 0 ? join(argv[bi + 1]!, 'bin', 'heppy.js') : null;
if (bi >= 0) argv.splice(bi, 2);
const rounds = Number(argv[0] ?? 3);

interface Run { wall: number; cpu: number; own: number; line: string }

// The base keeps its own store and output cache: a cache of another format version is not its to read
// (49af3f1 stops on the `.format-2` marker of today's cache).
const BASE_CACHE = ['--cache-dir', 'cache-base'];

function run(args: string[], bin = HEPPY): Run {
  if (bin !== HEPPY) args = [...args, ...BASE_CACHE];
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
interface Round { first: Run[]; again: Run[]; noop: Run }

/** One round with `bin`: both configurations run and kept afresh, restored (first), restored again. */
function round(bin: string): Round {
  run(['build'], bin); // the default configuration in place, whatever the last round left
  run(['cache', 'prune', '--max-size', '0'], bin);
  for (const args of [['build', '-o', 'minLeptons=3'], ['build']]) {
    const r = run(args, bin);
    if (!/ 34 run, /.test(r.line)) throw new Error(`expected the demo to run: ${r.line}`);
  }
  const restored = (args: string[]): Run => {
    const r = run(args, bin);
    if (!/ 0 run, 34 restored from cache/.test(r.line)) throw new Error(`not all restored: ${r.line}`);
    return r;
  };
  const first = [restored(['build', '-o', 'minLeptons=3']), restored(['build'])];
  const noop = run(['build'], bin);
  if (!/ 0 run, .*34 up to date/.test(noop.line)) throw new Error(`no-op build did something: ${noop.line}`);
  const again = [restored(['build', '-o', 'minLeptons=3']), restored(['build'])];
  return { first, again, noop };
}

const mine: Round[] = [];
const base: Round[] = [];
const loads: number[] = [];
for (let i = 0; i < rounds; i++) {
  loads.push(loadavg()[0]!);
  mine.push(round(HEPPY));
  if (baseBin !== null) base.push(round(baseBin));
}
const fmt = (xs: number[]): string => `${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
type K = 'wall' | 'cpu' | 'own';
const all = (rs: Round[], which: 'first' | 'again'): Run[] => rs.flatMap((r) => r[which]);
const line = (label: string, rs: Run[]): string =>
  `${label.padEnd(34)} wall ${fmt(rs.map((r) => r.wall))}, cpu ${fmt(rs.map((r) => r.cpu))}, heppy's own ${fmt(rs.map((r) => r.own))}\n`;
const ratio = (a: Run[], b: Run[], k: K): string => median(a.map((r, i) => r[k] / b[i]![k])).toFixed(2);
process.stdout.write(`load average (1 min) at the rounds' starts: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
const report = (name: string, rs: Round[]): void => {
  process.stdout.write(line(`${name} first restore after a keep`, all(rs, 'first')));
  process.stdout.write(line(`${name} restore again`, all(rs, 'again')));
  process.stdout.write(line(`${name} no-op build, same graph`, rs.map((r) => r.noop)));
  const noop2 = rs.flatMap((r) => [r.noop, r.noop]);
  process.stdout.write(`${name} first restore / no-op (median of per-run ratios): wall ${ratio(all(rs, 'first'), noop2, 'wall')}×, cpu ${ratio(all(rs, 'first'), noop2, 'cpu')}× — target: restore < 300 ms wall\n`);
};
report('heppy', mine);
if (base.length > 0) {
  report(`base (${baseBin})`, base);
  for (const w of ['first', 'again'] as const) {
    const a = all(mine, w), b = all(base, w);
    process.stdout.write(`${w === 'first' ? 'first restore' : 'restore again'} / base (median of per-run ratios): wall ${ratio(a, b, 'wall')}×, cpu ${ratio(a, b, 'cpu')}×, own ${ratio(a, b, 'own')}×\n`);
  }
}
