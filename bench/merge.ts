// Merge benchmark: `heppy root merge` vs `cp` of the same input bytes.
//
// Writes one input file of N entries (not timed) and copies it to make F inputs (merging equal
// files is an ordinary hadd), so that the inputs can be large (default ≥ 500 MB in all) without
// minutes of writing. Then, for each of R rounds, with `sync` before every timed step and the
// inputs in the page cache for all of them:
//   1. cp of the F inputs into a fresh directory (GNU cp: copy_file_range, in the kernel);
//   2. mergeRootFiles in this process (the library call; jsroot already loaded);
//   3. cp again;
//   4. `node bin/heppy.js root merge -f OUT IN…` end to end (Node start-up, CLI loading included).
// Medians over the rounds are printed (the machine is shared: single runs vary by 2-3×), with
// every round's figures, and the peak RSS of the in-process merge and of the CLI.
// Usage: node dist/bench/merge.js [entries per file=10000000] [zlib|lz4|zstd|none] [files] [rounds=3]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RootFileWriter, type Algorithm } from '../src/root/write/index.js';
import { mergeRootFiles } from '../src/root/hadd/index.js';
import { makeAxis, makeHist1, fill1 } from '../src/root/hist.js';

const entries = Number(process.argv[2] ?? 10_000_000);
const algorithm = (process.argv[3] ?? 'zlib') as Algorithm;
const files = Number(process.argv[4] ?? (algorithm === 'none' ? 2 : 6));
const rounds = Number(process.argv[5] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'heppy-bench-merge-'));
const heppy = fileURLToPath(new URL('../../bin/heppy.js', import.meta.url));

async function input(path: string, seed: number): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm } });
  const h = makeHist1('TH1D', 'hx', 'x', makeAxis(100, 0, 10));
  const t = w.createTree({ name: 'events', branches: [
    { name: 'x', type: 'f8' }, { name: 'y', type: 'f4' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
  ] });
  const a = new Float32Array(3);
  for (let i = 0; i < entries; i++) {
    const n = (i + seed) % 4;
    for (let k = 0; k < n; k++) a[k] = ((i * 7 + k) % 1000) * 0.01;
    const x = ((i * 13 + seed) % 10000) * 0.001;
    t.fill({ x, y: x * 2, n, pt: a.subarray(0, n) });
    if ((i & 63) === 0) fill1(h, x);
  }
  w.writeHist(h);
  await w.close();
}

const median = (xs: number[]): number => { const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const secs = (t0: number): number => (performance.now() - t0) / 1000;

function cp(ins: string[]): number {
  const dest = join(dir, 'cp-dest');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest);
  execFileSync('sync');
  const t0 = performance.now();
  execFileSync('cp', [...ins, dest]);
  return secs(t0);
}

try {
  const ins = Array.from({ length: files }, (_, i) => join(dir, `in${i + 1}.root`));
  await input(ins[0]!, 1);
  for (const p of ins.slice(1)) execFileSync('cp', [ins[0]!, p]);
  const inBytes = ins.reduce((s, p) => s + statSync(p).size, 0);
  execFileSync('cat', ins, { stdio: ['ignore', 'ignore', 'inherit'] }); // page cache warm
  const out = join(dir, 'out.root');
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const r: { cp1: number; lib: number; cp2: number; cli: number; rss: number; cliRss: number }[] = [];
  for (let k = 0; k < rounds; k++) {
    const cp1 = cp(ins);
    rmSync(out, { force: true });
    execFileSync('sync');
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    let t0 = performance.now();
    const m = await mergeRootFiles(out, ins);
    const lib = secs(t0);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!m.ok) throw new Error(JSON.stringify(m.error));
    if (m.value.entries !== entries * files) throw new Error(`merged ${m.value.entries} entries, expected ${entries * files}`);
    const cp2 = cp(ins);
    rmSync(out, { force: true });
    execFileSync('sync');
    const cmd = timeBin ? [timeBin, '-f', '%M', process.execPath, heppy] : [process.execPath, heppy];
    t0 = performance.now();
    const c = spawnSync(cmd[0]!, [...cmd.slice(1), 'root', 'merge', '-f', out, ...ins], { encoding: 'utf8' });
    const cli = secs(t0);
    // The CLI loads every command: a half-built dist/ of the shared tree can break it, not the merge.
    const cliOk = c.status === 0;
    if (!cliOk) console.log(`heppy root merge exited ${c.status}: ${c.stderr.split('\n').find((l) => /Error/.test(l)) ?? c.stderr.slice(0, 200)}`);
    const cliRss = timeBin ? Number(c.stderr.trim().split('\n').pop()) / 1024 : NaN;
    r.push({ cp1, lib, cp2, cli: cliOk ? cli : NaN, rss: peak / 1048576, cliRss });
    console.log(`round ${k + 1}: cp ${cp1.toFixed(3)} s, merge in-process ${lib.toFixed(3)} s (${(cp1 / lib).toFixed(2)}×); cp ${cp2.toFixed(3)} s, heppy root merge CLI ${cli.toFixed(3)} s (${(cp2 / cli).toFixed(2)}×)`);
  }
  const mb = inBytes / 1e6;
  const med = (f: (x: typeof r[number]) => number): number => median(r.map(f));
  console.log(`merge ${files} × ${entries} entries (${algorithm}), ${mb.toFixed(1)} MB of input, median of ${rounds} rounds:`);
  console.log(`  in-process mergeRootFiles ${med((x) => x.lib).toFixed(3)} s (${(mb / med((x) => x.lib)).toFixed(0)} MB/s) vs cp ${med((x) => x.cp1).toFixed(3)} s (${(mb / med((x) => x.cp1)).toFixed(0)} MB/s): ${med((x) => x.cp1 / x.lib).toFixed(2)}× cp, peak RSS ${med((x) => x.rss).toFixed(0)} MiB`);
  console.log(`  CLI heppy root merge      ${med((x) => x.cli).toFixed(3)} s (${(mb / med((x) => x.cli)).toFixed(0)} MB/s) vs cp ${med((x) => x.cp2).toFixed(3)} s (${(mb / med((x) => x.cp2)).toFixed(0)} MB/s): ${med((x) => x.cp2 / x.cli).toFixed(2)}× cp, peak RSS ${timeBin ? `${med((x) => x.cliRss).toFixed(0)} MiB` : 'n/a'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
