// The demo's event loop at -j 1, side by side with another build of heppy (issue 11's target):
// the 30 chunks of heppyfile.ts (1,000,000 events: LeptonSelector + ZZSelector, cut flows,
// histograms, the candidates tree) run one after the other through runChunk in one process, as
// one local worker runs them; alternated rounds of this checkout and, with --base, another built
// checkout (e.g. the previous commit: `git worktree add .bench-tmp/base <commit>`, a node_modules
// symlink, `npx tsc -p .` there). Wall and CPU (user + sys of the worker process) medians; the
// ratio is this / base. Planning, bundling and merging are not in it (see "Build engine").
// --thread adds a third run per round: this checkout with the codec thread (HEPPY_CODEC_THREAD=1).
// --flags "F" adds a run per round of this checkout with the Node/V8 flags F (what a worker started with
// HEPPY_WORKER_NODE_FLAGS=F would run), and prints its ratio to the run without them.
// Usage: node dist/examples/make-data.js && node dist/bench/loop-demo.js [rounds=5] [--base DIR] [--thread] [--flags "F"]
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repo, median } from './build-setup.js';

const dataDir = process.env.HEPPY_DEMO_DATA ?? join(repo, 'examples', 'data');
/** The demo's components and split factors, as in heppyfile.ts. */
const SPLIT: Record<string, number> = { data_period_A: 5, data_period_B: 10, ggH_125: 10, ZZ: 5 };

interface Run { events: number; wall: number; cpu: number; main: number }

/**
 * CPU seconds of the process's main thread (Linux: /proc, 10 ms ticks): the event loop's own
 * time, what the wall time is on an idle machine when the other threads (decompression, zlib,
 * GC, the compiler) have a core of their own. 0 where /proc is missing.
 */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15)
  } catch {
    return 0;
  }
}

/** One worker: every chunk of the demo, with the heppy build in `root` (its dist/). */
async function child(root: string): Promise<Run> {
  const d = join(root, 'dist');
  const api = await import(join(d, 'src', 'index.js')) as typeof import('../src/index.js');
  const { runChunk } = await import(join(d, 'src', 'loop', 'run-chunk.js')) as typeof import('../src/loop/run-chunk.js');
  const { LeptonSelector } = await import(join(d, 'examples', 'analyzers', 'lepton-selector.js')) as typeof import('../examples/analyzers/lepton-selector.js');
  const { ZZSelector } = await import(join(d, 'examples', 'analyzers', 'zz-selector.js')) as typeof import('../examples/analyzers/zz-selector.js');
  const out = mkdtempSync(join(tmpdir(), 'heppy-bench-loop-demo-'));
  let events = 0;
  const t0 = performance.now(), c0 = process.cpuUsage(), m0 = mainThreadCpu();
  try {
    for (const [comp, split] of Object.entries(SPLIT)) {
      const files = readdirSync(join(dataDir, comp)).filter((f) => f.endsWith('.root')).sort().map((f) => join(dataDir, comp, f));
      if (files.length === 0) throw new Error(`no demo data in ${join(dataDir, comp)}: run node dist/examples/make-data.js`);
      const c = comp.startsWith('data') ? new api.DataComponent(comp, { files, intLumi: 69_000 })
        : comp === 'ZZ' ? new api.MCComponent(comp, { files, xSection: 1.256, nGenEvents: 300_000, genWeightBranch: 'EventWeight' })
          : new api.MCComponent(comp, { files, xSection: 0.0133, nGenEvents: 200_000 });
      const config = new api.Config({
        components: [c], tree: 'events',
        sequence: new api.Sequence(
          new api.Analyzer(LeptonSelector, { minLeptons: 4, muonPt: 5, electronPt: 7, maxEta: 2.5, maxIso: 0.35 }),
          new api.Analyzer(ZZSelector, { z1Window: [40, 120], z2Window: [12, 120], minM4l: 70 }),
        ),
      });
      const per = Math.ceil(files.length / split);
      for (let i = 0; i < split; i++) {
        const name = `${comp}_Chunk${i}`;
        const spec = { name, component: comp, files: files.slice(i * per, (i + 1) * per), tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'bench', attempt: 1 };
        const r = await runChunk(spec, join(out, name), { loadConfig: async () => config });
        if (!r.ok) throw new Error(`${name}: ${r.error.reason}`);
        events += r.value.marker.eventsProcessed ?? 0;
      }
    }
    const cpu = process.cpuUsage(c0);
    return { events, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, main: mainThreadCpu() - m0 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function spawnRun(root: string, thread = false, flags: string[] = []): Run {
  const env = { ...process.env };
  if (thread) env.HEPPY_CODEC_THREAD = '1'; else delete env.HEPPY_CODEC_THREAD;
  const r = spawnSync(process.execPath, [...flags, process.argv[1]!, '--child', root], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${root}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

/**
 * heppy / uproot+numpy of a base commit, from issue 11's figures: 84b3198 was 1.4× wall and 1.7×
 * CPU of uproot+numpy; da9cbd7 (the end of stop 14) was 0.92× wall and 0.80× CPU of 84b3198, quiet.
 */
const UPROOT_RATIOS: Record<string, [number, number]> = { '84b3198': [1.4, 1.7], da9cbd7: [1.4 * 0.92, 1.7 * 0.8] };

function commitOf(dir: string): string {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--short=7', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '?';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') { console.log(JSON.stringify(await child(resolve(args[1]!)))); return; }
  const bi = args.indexOf('--base');
  const base = bi >= 0 ? resolve(args.splice(bi, 2)[1]!) : null;
  const ti = args.indexOf('--thread');
  const thread = ti >= 0;
  if (thread) args.splice(ti, 1);
  const fi = args.indexOf('--flags');
  const flags = fi >= 0 ? args.splice(fi, 2)[1]!.split(' ').filter((x) => x !== '') : null;
  const rounds = Number(args[0] ?? 5);
  const runs = new Map<string, Run[]>([['this', []]]);
  if (thread) runs.set('this, codec thread', []);
  if (flags) runs.set('this, flags', []);
  if (base) runs.set('base', []);
  const load: number[] = [];
  for (let k = 0; k < rounds; k++) {
    load.push(loadavg()[0]!);
    runs.get('this')!.push(spawnRun(repo));
    if (thread) runs.get('this, codec thread')!.push(spawnRun(repo, true));
    if (flags) runs.get('this, flags')!.push(spawnRun(repo, false, flags));
    if (base) runs.get('base')!.push(spawnRun(base));
  }
  load.push(loadavg()[0]!);
  const med = (rs: Run[], f: (r: Run) => number): number => median(rs.map(f));
  console.log(`demo event loop, one worker (-j 1), 30 chunks, median of ${rounds} alternated rounds, load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}`);
  for (const [k, rs] of runs) {
    const w = med(rs, (r) => r.wall), c = med(rs, (r) => r.cpu), m = med(rs, (r) => r.main);
    const label = k === 'base' ? `${base!} (${commitOf(base!)})` : k === 'this' ? repo : k === 'this, flags' ? `${repo}, ${flags!.join(' ')}` : `${repo}, codec thread`;
    console.log(`  ${label.padEnd(40)} ${rs[0]!.events} events  wall ${w.toFixed(2)} s (${(rs[0]!.events / w / 1e6).toFixed(2)} M ev/s)  CPU ${c.toFixed(2)} s (${(rs[0]!.events / c / 1e6).toFixed(2)} M ev/s), main thread ${m.toFixed(2)} s`);
  }
  if (flags) {
    const [f, t] = [runs.get('this, flags')!, runs.get('this')!];
    const r = (g: (x: Run) => number): string => (med(f, g) / med(t, g)).toFixed(2);
    console.log(`  with ${flags.join(' ')} / without: wall ${r((x) => x.wall)}×, CPU ${r((x) => x.cpu)}×, main thread CPU ${r((x) => x.main)}×`);
  }
  if (base) {
    const b = runs.get('base')!;
    const commit = commitOf(base);
    for (const [k, rs] of runs) {
      if (k === 'base') continue;
      const rw = med(rs, (r) => r.wall) / med(b, (r) => r.wall);
      const rc = med(rs, (r) => r.cpu) / med(b, (r) => r.cpu);
      const rm = med(rs, (r) => r.main) / med(b, (r) => r.main);
      const u = UPROOT_RATIOS[commit];
      const vsUproot = u ? `; against uproot+numpy, from issue 11's figures for ${commit}: ≈ ${(u[0] * rw).toFixed(2)}× wall, ${(u[1] * rc).toFixed(2)}× CPU (target ≤ 1.0×)` : '';
      console.log(`  ${k} / base: wall ${rw.toFixed(2)}×, CPU ${rc.toFixed(2)}×, main thread CPU ${rm.toFixed(2)}×${vsUproot}`);
    }
  }
}

await main();
