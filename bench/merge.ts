// Merge benchmark: `heppy root merge` vs `cp` of the same input bytes.
//
// Writes one input file of N entries (not timed) and copies it to make F inputs (merging equal
// files is an ordinary hadd), so that the inputs can be large (default ≥ 500 MB in all) without
// minutes of writing. Then, for each of R rounds, with `sync` before every timed step and the
// inputs in the page cache for all of them:
//   1. cp of the F inputs into a fresh directory (GNU cp: copy_file_range, in the kernel);
//   2. mergeRootFiles in this process (the library call; jsroot already loaded);
//   3. cp again;
//   4. `node bin/heppy.js root merge -f OUT IN…` end to end (Node start-up, CLI loading included);
//   5. cp again, then the CLI with the other `--append-inputs` policy than the default: 'auto'
//      (inputs appended whole by a kernel copy, their baskets used in place: hadd/in-place.ts)
//      against the default 'never' (every basket copied through the process), or the reverse;
//   6. `node -e 0` (Node's own start, the floor under any CLI): the floor of the CLI's wall time is
//      that plus cp's. When NODE_EXTRA_CA_CERTS is set (this machine sets it: every Node start
//      then parses the whole CA bundle, ~70 ms CPU), the CLI and `node -e 0` are also run without it.
// Medians over the rounds are printed (the machine is shared: single runs vary by 2-3×), with
// every round's figures, and the peak RSS of the in-process merge and of the CLI.
// With `mixed`, the tree also has a char* string branch and a std::vector<float> branch (ROOT's
// non-numeric types, merged by copying their baskets the same way).
// With `--base DIR` (another built checkout, e.g. a clone of an earlier commit), each round also
// runs that checkout's `bin/heppy.js root merge` after a cp of its own: old and new CLI alternate.
// Each round ends with the CLI once more under HEPPY_TIMING=1: the budget of its phases (wall, user
// and system CPU of each, medians over the rounds) is printed at the end (hadd/timing.ts).
// Usage: node dist/bench/merge.js [entries per file=10000000] [zlib|lz4|zstd|none] [files] [rounds=3] [numeric|mixed] [--base DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RootFileWriter, prepareCompression, type Algorithm } from '../src/root/write/index.js';
import { DEFAULT_APPEND, mergeRootFiles } from '../src/root/hadd/index.js';
import { makeAxis, makeHist1, fill1 } from '../src/root/hist.js';

const argv = process.argv.slice(2);
const baseAt = argv.indexOf('--base');
const baseDir = baseAt >= 0 ? argv.splice(baseAt, 2)[1] : undefined;
if (baseAt >= 0 && (baseDir === undefined || !existsSync(join(baseDir, 'bin', 'heppy.js')))) throw new Error(`--base: expected a built heppy checkout, got ${String(baseDir)}`);
const entries = Number(argv[0] ?? 10_000_000);
const algorithm = (argv[1] ?? 'zlib') as Algorithm;
const files = Number(argv[2] ?? (algorithm === 'none' ? 2 : 6));
const rounds = Number(argv[3] ?? 3);
const mixed = argv[4] === 'mixed';
const dir = mkdtempSync(join(tmpdir(), 'heppy-bench-merge-'));
const heppy = fileURLToPath(new URL('../../bin/heppy.js', import.meta.url));

async function input(path: string, seed: number): Promise<void> {
  await prepareCompression({ algorithm });
  const w = RootFileWriter.create(path, { compression: { algorithm } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(100, 0, 10));
  const t = w.createTree({ name: 'events', branches: [
    { name: 'x', type: 'f8' }, { name: 'y', type: 'f4' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
    ...(mixed ? [{ name: 'tag', type: 'string' as const }, { name: 'v', type: 'f4' as const, shape: 'vector' as const }] : []),
  ] });
  const tags = ['ee', 'mumu', 'emu', 'tautau-hadronic', 'jets'];
  const a = new Float32Array(3);
  for (let i = 0; i < entries; i++) {
    const n = (i + seed) % 4;
    for (let k = 0; k < n; k++) a[k] = ((i * 7 + k) % 1000) * 0.01;
    const x = ((i * 13 + seed) % 10000) * 0.001;
    if (mixed) t.fill({ x, y: x * 2, n, pt: a.subarray(0, n), tag: `${tags[i % 5]!}-${i % 997}`, v: a.subarray(0, (n + 1) % 4) });
    else t.fill({ x, y: x * 2, n, pt: a.subarray(0, n) });
    if ((i & 63) === 0) fill1(h, x);
  }
  w.writeHist(h);
  await w.close();
}

const median = (xs: number[]): number => { const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const secs = (t0: number): number => (performance.now() - t0) / 1000;

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Runs a command, wall seconds and (with /usr/bin/time) its CPU seconds and peak RSS in MiB. */
function timed(cmd: string[]): { wall: number; cpu: number; rss: number; status: number | null; stderr: string } {
  const full = timeBin ? [timeBin, '-f', '%U %S %M', ...cmd] : cmd;
  const t0 = performance.now();
  const c = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8' });
  const wall = secs(t0);
  const last = timeBin ? (c.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [];
  return { wall, cpu: (last[0] ?? NaN) + (last[1] ?? NaN), rss: (last[2] ?? NaN) / 1024, status: c.status, stderr: c.stderr };
}

/** `[timing] NAME: W ms, CPU user U sys S ms (at T ms)` lines (hadd/timing.ts) of one CLI run, by phase. */
function phases(stderr: string): Map<string, { wall: number; user: number; sys: number; at: number }> {
  const m = new Map<string, { wall: number; user: number; sys: number; at: number }>();
  for (const l of stderr.split('\n')) {
    const x = /^\[timing\] (.+): ([\d.]+) ms, CPU user ([\d.]+) sys ([\d.]+) ms \(at (\d+) ms\)$/.exec(l);
    if (x) m.set(x[1]!, { wall: Number(x[2]), user: Number(x[3]), sys: Number(x[4]), at: Number(x[5]) });
  }
  return m;
}

function cp(ins: string[]): { wall: number; cpu: number } {
  const dest = join(dir, 'cp-dest');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest);
  execFileSync('sync');
  const c = timed(['cp', ...ins, dest]);
  if (c.status !== 0) throw new Error(`cp failed: ${c.stderr}`);
  return c;
}

try {
  const ins = Array.from({ length: files }, (_, i) => join(dir, `in${i + 1}.root`));
  await input(ins[0]!, 1);
  for (const p of ins.slice(1)) execFileSync('cp', [ins[0]!, p]);
  const inBytes = ins.reduce((s, p) => s + statSync(p).size, 0);
  execFileSync('cat', ins, { stdio: ['ignore', 'ignore', 'inherit'] }); // page cache warm
  const out = join(dir, 'out.root');
  type Round = { cp1: number; cp1cpu: number; lib: number; libcpu: number; cp2: number; cp2cpu: number; cli: number; clicpu: number; rss: number; cliRss: number;
    cp3: number; cp3cpu: number; app: number; appcpu: number; appRss: number; node0: number; node0cpu: number;
    cp4: number; cp4cpu: number; clean: number; cleancpu: number; cleanNode0: number; cp5: number; cp5cpu: number; base: number; basecpu: number; baseRss: number };
  const extraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined && process.env.NODE_EXTRA_CA_CERTS !== '';
  const withoutCa = (cmd: string[]): string[] => ['env', '-u', 'NODE_EXTRA_CA_CERTS', ...cmd];
  const other = DEFAULT_APPEND === 'never' ? 'auto' : 'never';
  const r: Round[] = [];
  const budgets: ReturnType<typeof phases>[] = [];
  for (let k = 0; k < rounds; k++) {
    const c1 = cp(ins);
    rmSync(out, { force: true });
    execFileSync('sync');
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const m = await mergeRootFiles(out, ins);
    const lib = secs(t0);
    const cpu = process.cpuUsage(cpu0);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!m.ok) throw new Error(JSON.stringify(m.error));
    if (m.value.entries !== entries * files) throw new Error(`merged ${m.value.entries} entries, expected ${entries * files}`);
    const c2 = cp(ins);
    rmSync(out, { force: true });
    execFileSync('sync');
    const c = timed([process.execPath, heppy, 'root', 'merge', '-f', out, ...ins]);
    // The CLI loads every command: a half-built dist/ of the shared tree can break it, not the merge.
    const cliOk = c.status === 0;
    if (!cliOk) console.log(`heppy root merge exited ${c.status}: ${c.stderr.split('\n').find((l) => /Error/.test(l)) ?? c.stderr.slice(0, 200)}`);
    const c3 = cp(ins);
    rmSync(out, { force: true });
    execFileSync('sync');
    const a = timed([process.execPath, heppy, 'root', 'merge', '-f', '--append-inputs', other, out, ...ins]);
    if (a.status !== 0) console.log(`heppy root merge --append-inputs ${other} exited ${a.status}: ${a.stderr.slice(0, 300)}`);
    const aOk = a.status === 0;
    const n0 = timed([process.execPath, '-e', '0']);
    let c4 = { wall: NaN, cpu: NaN }, cl = { wall: NaN, cpu: NaN, status: 0 as number | null }, n1 = { wall: NaN };
    if (extraCa) {
      c4 = cp(ins);
      rmSync(out, { force: true });
      execFileSync('sync');
      cl = timed(withoutCa([process.execPath, heppy, 'root', 'merge', '-f', out, ...ins]));
      n1 = timed(withoutCa([process.execPath, '-e', '0']));
    }
    let c5 = { wall: NaN, cpu: NaN }, b = { wall: NaN, cpu: NaN, rss: NaN, status: 0 as number | null };
    if (baseDir !== undefined) {
      c5 = cp(ins);
      rmSync(out, { force: true });
      execFileSync('sync');
      b = timed([process.execPath, join(baseDir, 'bin', 'heppy.js'), 'root', 'merge', '-f', out, ...ins]);
      if (b.status !== 0) console.log(`base heppy root merge exited ${b.status}`);
    }
    rmSync(out, { force: true });
    execFileSync('sync');
    const tm = spawnSync(process.execPath, [heppy, 'root', 'merge', '-f', out, ...ins], { encoding: 'utf8', env: { ...process.env, HEPPY_TIMING: '1' } });
    if (tm.status === 0) budgets.push(phases(tm.stderr));
    r.push({ cp5: c5.wall, cp5cpu: c5.cpu, base: b.status === 0 ? b.wall : NaN, basecpu: b.status === 0 ? b.cpu : NaN, baseRss: b.rss, cp1: c1.wall, cp1cpu: c1.cpu, lib, libcpu: (cpu.user + cpu.system) / 1e6, cp2: c2.wall, cp2cpu: c2.cpu,
      cli: cliOk ? c.wall : NaN, clicpu: cliOk ? c.cpu : NaN, rss: peak / 1048576, cliRss: cliOk ? c.rss : NaN,
      cp3: c3.wall, cp3cpu: c3.cpu, app: aOk ? a.wall : NaN, appcpu: aOk ? a.cpu : NaN, appRss: aOk ? a.rss : NaN, node0: n0.wall, node0cpu: n0.cpu,
      cp4: c4.wall, cp4cpu: c4.cpu, clean: cl.status === 0 ? cl.wall : NaN, cleancpu: cl.status === 0 ? cl.cpu : NaN, cleanNode0: n1.wall });
    const x = r[r.length - 1]!;
    console.log(`round ${k + 1}: cp ${x.cp1.toFixed(3)} s (cpu ${x.cp1cpu.toFixed(2)}), merge in-process ${x.lib.toFixed(3)} s (cpu ${x.libcpu.toFixed(2)}): ${(x.cp1 / x.lib).toFixed(2)}×; ` +
      `cp ${x.cp2.toFixed(3)} s (cpu ${x.cp2cpu.toFixed(2)}), CLI ${x.cli.toFixed(3)} s (cpu ${x.clicpu.toFixed(2)}): ${(x.cp2 / x.cli).toFixed(2)}×; ` +
      `cp ${x.cp3.toFixed(3)} s, CLI --append-inputs ${other} ${x.app.toFixed(3)} s (cpu ${x.appcpu.toFixed(2)}): ${(x.cp3 / x.app).toFixed(2)}×; node -e 0 ${x.node0.toFixed(3)} s` +
      (baseDir !== undefined ? `; cp ${x.cp5.toFixed(3)} s, base CLI ${x.base.toFixed(3)} s (cpu ${x.basecpu.toFixed(2)}): ${(x.cp5 / x.base).toFixed(2)}×` : '') +
      (extraCa ? `; without NODE_EXTRA_CA_CERTS: cp ${x.cp4.toFixed(3)} s, CLI ${x.clean.toFixed(3)} s (cpu ${x.cleancpu.toFixed(2)}): ${(x.cp4 / x.clean).toFixed(2)}×, node -e 0 ${x.cleanNode0.toFixed(3)} s` : ''));
  }
  const mb = inBytes / 1e6;
  const med = (f: (x: Round) => number): number => median(r.map(f));
  const line = (what: string, t: number, cpu: number, cpT: number, cpCpu: number, ratio: number, rss: number): string =>
    `  ${what} ${t.toFixed(3)} s (${(mb / t).toFixed(0)} MB/s, cpu ${cpu.toFixed(2)} s) vs cp ${cpT.toFixed(3)} s (${(mb / cpT).toFixed(0)} MB/s, cpu ${cpCpu.toFixed(2)} s): ` +
    `${ratio.toFixed(2)}× cp wall (cpu ${(cpCpu / cpu).toFixed(2)}×), peak RSS ${rss.toFixed(0)} MiB`;
  console.log(`merge ${files} × ${entries} entries (${algorithm}${mixed ? ', with string and vector branches' : ''}), ${mb.toFixed(1)} MB of input, medians of ${rounds} rounds (ratio = median of the per-round ratios):`);
  console.log(line('in-process mergeRootFiles', med((x) => x.lib), med((x) => x.libcpu), med((x) => x.cp1), med((x) => x.cp1cpu), med((x) => x.cp1 / x.lib), med((x) => x.rss)));
  console.log(line(`CLI (default: ${DEFAULT_APPEND})  `, med((x) => x.cli), med((x) => x.clicpu), med((x) => x.cp2), med((x) => x.cp2cpu), med((x) => x.cp2 / x.cli), med((x) => x.cliRss)));
  console.log(line(`CLI --append-inputs ${other.padEnd(5)}`, med((x) => x.app), med((x) => x.appcpu), med((x) => x.cp3), med((x) => x.cp3cpu), med((x) => x.cp3 / x.app), med((x) => x.appRss)));
  if (baseDir !== undefined) console.log(line(`base CLI (${baseDir})`.padEnd(20), med((x) => x.base), med((x) => x.basecpu), med((x) => x.cp5), med((x) => x.cp5cpu), med((x) => x.cp5 / x.base), med((x) => x.baseRss)));
  const floor = (n0: number, c: number): string => `floor (node -e 0 ${n0.toFixed(3)} s + cp ${c.toFixed(3)} s): ${(c / (n0 + c)).toFixed(2)}× cp at best for a CLI that starts Node, then copies`;
  console.log(`  ${floor(med((x) => x.node0), med((x) => x.cp2))}`);
  if (extraCa) {
    console.log(`  NODE_EXTRA_CA_CERTS is set (every Node start parses that bundle); without it: CLI ${med((x) => x.clean).toFixed(3)} s (cpu ${med((x) => x.cleancpu).toFixed(2)} s): ` +
      `${med((x) => x.cp4 / x.clean).toFixed(2)}× cp wall; ${floor(med((x) => x.cleanNode0), med((x) => x.cp4))}`);
  }
  if (budgets.length > 0) {
    console.log(`  budget of the CLI (HEPPY_TIMING=1, medians of ${budgets.length} runs; wall ms, CPU user + sys ms, at = ms since the process started):`);
    for (const name of budgets[0]!.keys()) {
      const v = (f: (p: { wall: number; user: number; sys: number; at: number }) => number): number => median(budgets.map((b) => (b.has(name) ? f(b.get(name)!) : NaN)));
      console.log(`    ${name.padEnd(40)} ${v((p) => p.wall).toFixed(1).padStart(7)} ms wall, CPU ${v((p) => p.user).toFixed(1).padStart(6)} + ${v((p) => p.sys).toFixed(1).padStart(6)} ms, at ${v((p) => p.at).toFixed(0)} ms`);
    }
  }
  console.log(`(uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
