// Issue 11, "option switched back": where a restore of the demo (34 nodes) spends its CPU beyond the
// no-op of the same graph, phase by phase. Each round, in the demo project (the repository root as
// `npm run demo` leaves it): `heppy build -o minLeptons=3` and `heppy build` (each restores all 34
// nodes: the parked directories renamed back), then the no-op `heppy build`, each with HEPPY_TIMING=1
// (the CPU of each phase, util/timing.ts and session.ts) under /usr/bin/time (the whole command's
// user + system), and a GC observer preloaded with --import (not a V8 flag: lmdb's code cache stays
// valid) that counts the collections by kind. Prints per phase the median CPU of the restores, of the
// no-ops and the difference; then the collections. CPU, not wall: this machine is shared.
// Usage: node dist/bench/restore-phases.js [rounds=5]   (after `npm run build` and `npm run demo`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEPPY, median, repo } from './build-setup.js';

const rounds = Number(process.argv[2] ?? 5);
if (!existsSync(join(repo, 'Outdir', '.heppy', 'build.json'))) {
  process.stdout.write('the demo has not been built here: run `npm run demo` first\n');
  process.exit(2);
}

// The observer writes one line at exit: the count and total duration of each kind of collection.
const tmp = mkdtempSync(join(tmpdir(), 'restore-phases-'));
const observer = join(tmp, 'gc.mjs');
writeFileSync(observer, `import { PerformanceObserver, constants as c } from 'node:perf_hooks';
const kinds = { [c.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [c.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [c.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [c.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
const seen = {};
new PerformanceObserver((l) => { for (const e of l.getEntries()) { const k = kinds[e.detail?.kind] ?? 'other'; (seen[k] ??= [0, 0])[0]++; seen[k][1] += e.duration; } }).observe({ entryTypes: ['gc'] });
process.on('exit', () => process.stderr.write('@@gc ' + JSON.stringify(seen) + '\\n'));
`);

type Phases = Map<string, number>;
interface Run { phases: Phases; gc: Record<string, [number, number]> }

function run(args: string[], expect?: RegExp): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S', process.execPath, '--import', observer, HEPPY, ...args],
    { cwd: repo, encoding: 'utf8', env: { ...process.env, HEPPY_TIMING: '1' }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`heppy ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-1000)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (expect !== undefined && !expect.test(last)) throw new Error(`heppy ${args.join(' ')}: expected ${expect.source}, got: ${last}`);
  const phases: Phases = new Map();
  for (const m of r.stderr.matchAll(/^\[timing\] +(.*?): [\d.]+ ms, CPU ([\d.]+) ms/gm)) {
    // Counts in a phase's name (task records, input digests) are the same for every run of one graph.
    phases.set(m[1]!.replace(/ \(from the records[^)]*\)/, ''), Number(m[2]));
  }
  const t = /@@time (\S+) (\S+)/.exec(r.stderr);
  phases.set('whole command (user + sys)', t ? (Number(t[1]) + Number(t[2])) * 1000 : NaN);
  const g = /@@gc (.*)/.exec(r.stderr);
  return { phases, gc: g ? JSON.parse(g[1]!) as Record<string, [number, number]> : {} };
}

const restores: Run[] = [];
const noops: Run[] = [];
const loads: number[] = [];
try {
  run(['build']); // the default in place, whatever was left
  for (let i = 0; i < rounds; i++) {
    loads.push(loadavg()[0]!);
    for (const args of [['build', '-o', 'minLeptons=3'], ['build']]) restores.push(run(args, / 0 run, 34 restored from cache/));
    noops.push(run(['build'], / 0 run, .*34 up to date/));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const med = (rs: Run[], k: string): number => median(rs.map((r) => r.phases.get(k) ?? 0));
process.stdout.write(`load average (1 min) at the rounds' starts: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; ${restores.length} restores, ${noops.length} no-ops\n`);
process.stdout.write(`${'phase (CPU, ms, medians)'.padEnd(64)}${'restore'.padStart(9)}${'no-op'.padStart(9)}${'diff'.padStart(9)}\n`);
for (const k of restores[0]!.phases.keys()) {
  const a = med(restores, k), b = med(noops, k);
  process.stdout.write(`${k.slice(0, 63).padEnd(64)}${a.toFixed(1).padStart(9)}${b.toFixed(1).padStart(9)}${(a - b).toFixed(1).padStart(9)}\n`);
}
const gcLine = (rs: Run[]): string => ['scavenge', 'mark-compact', 'incremental'].map((k) =>
  `${k} ${median(rs.map((r) => r.gc[k]?.[0] ?? 0))}× ${median(rs.map((r) => r.gc[k]?.[1] ?? 0)).toFixed(1)} ms`).join(', ');
process.stdout.write(`collections per restore (medians: count, wall): ${gcLine(restores)}\n`);
process.stdout.write(`collections per no-op: ${gcLine(noops)}\n`);
