// Read benchmark: heppy's column reader vs jsroot's TSelector (treeProcess) over the same
// branches of the same files, printed side by side. Run: npx tsc -p . && node dist/bench/read.js
// Figures are recorded in bench/README.md ("ROOT read").
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openRootFile } from '../src/root/read/index.js';
import { decodeBE } from '../src/root/read/decode.js';
import { sharedRootDir } from '../test/util/shared.js';
// @ts-ignore jsroot has no type declarations
import { openFile as jsOpenFile } from 'jsroot/io';
// @ts-ignore jsroot has no type declarations
import { TSelector, treeProcess } from 'jsroot/tree';

interface Case { file: string; tree: string; branches: 'all' | string[]; uprootMs: number | null }

const CASES: Case[] = [
  { file: 'uproot-issue412.root', tree: 'test', branches: 'all', uprootMs: 23 },
  { file: 'uproot-HZZ.root', tree: 'events', branches: 'all', uprootMs: 28 },
  { file: 'uproot-issue79.root', tree: 'taus', branches: 'all', uprootMs: null },
  { file: 'written-by-uproot/uproot4-flat-zstd.root', tree: 'events', branches: 'all', uprootMs: null },
];

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU time of this process (all threads: zlib runs on the thread pool) in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function heppyRead(path: string, tree: string, want: Case['branches']): Promise<{ ms: number; cpu: number; values: number; names: string[]; entries: number }> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const f = await openRootFile(path);
  const t = await f.tree(tree);
  const names = want === 'all' ? t.branches.filter((b) => b.type !== null).map((b) => b.name) : want;
  let values = 0, check = 0;
  for await (const b of t.batches(names)) {
    for (const n of names) {
      const v = b.columns[n]!.values;
      values += v.length;
      if (v.length > 0) check += Number(v[v.length - 1]!); // touch the data
    }
  }
  f.close();
  if (Number.isNaN(check)) values += 0;
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, values, names, entries: t.entries };
}

async function jsrootRead(path: string, tree: string, names: string[]): Promise<{ ms: number; cpu: number; entries: number }> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const f = await jsOpenFile(path);
  const t = await f.readObject(tree);
  const sel = new TSelector();
  for (const n of names) sel.addBranch(n);
  let entries = 0;
  sel.Process = function (): void { entries++; };
  await treeProcess(t, sel);
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, entries };
}

function decodeMicro(): { inPlaceMs: number; copySwapMs: number; dataViewMs: number } {
  const n = 1_000_000;
  const src = new Uint8Array(n * 8);
  for (let i = 0; i < src.length; i++) src[i] = (i * 2654435761) >>> 24;
  const inPlace: number[] = [], copySwap: number[] = [], dv: number[] = [];
  for (let r = 0; r < 3 * RUNS; r++) {
    const own = src.slice();
    let t0 = performance.now();
    decodeBE('f8', own, 0, n, true); // an owned, aligned decompressed basket: swap where it is
    inPlace.push(performance.now() - t0);
    t0 = performance.now();
    decodeBE('f8', src, 0, n); // not owned (embedded basket) or unaligned: copy, then swap
    copySwap.push(performance.now() - t0);
    t0 = performance.now();
    const out = new Float64Array(n);
    const view = new DataView(src.buffer);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8);
    dv.push(performance.now() - t0);
  }
  return { inPlaceMs: median(inPlace), copySwapMs: median(copySwap), dataViewMs: median(dv) };
}

interface ChildResult { ms: number[]; cpu: number[]; entries: number; values: number; names: string[]; maxRssMB: number }

/**
 * Each reader runs each case in its own process (one warm-up, then the timed runs): no run
 * pays for the other reader's garbage or shares its warmed-up code. (A forced GC between runs
 * in one process was tried: it made jsroot ~3x slower, as it drops compiled code.)
 */
async function child(reader: string, idx: number, namesJson: string): Promise<void> {
  const dir = sharedRootDir()!;
  const c = CASES[idx]!;
  const path = join(dir, c.file);
  const out: ChildResult = { ms: [], cpu: [], entries: 0, values: 0, names: [], maxRssMB: 0 };
  const runs = reader === 'heppy' ? RUNS : Math.min(RUNS, 5);
  for (let r = 0; r <= runs; r++) {
    if (reader === 'heppy') {
      const x = await heppyRead(path, c.tree, c.branches);
      out.ms.push(x.ms); out.cpu.push(x.cpu); out.entries = x.entries; out.values = x.values; out.names = x.names;
    } else {
      const x = await jsrootRead(path, c.tree, JSON.parse(namesJson) as string[]);
      out.ms.push(x.ms); out.cpu.push(x.cpu); out.entries = x.entries;
    }
  }
  out.maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(out));
}

function runChild(reader: string, idx: number, names: string[]): ChildResult {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', reader, String(idx), JSON.stringify(names)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${reader} on ${CASES[idx]!.file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, Number(process.argv[4]), process.argv[5]!);
  const dir = sharedRootDir();
  if (dir === null) return;
  console.log(`ROOT read: open + read every listed branch completely; median of ${RUNS} runs (jsroot: ${Math.min(RUNS, 5)}) after one warm-up, each reader and file in its own process (wall ms, and CPU ms of all threads)`);
  console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(['file', 'branches', 'values', 'heppy wall', 'jsroot wall', 'speed-up', 'heppy cpu', 'jsroot cpu', 'cpu ratio', 'uproot (issue 2)', 'jsroot entries', 'heppy 1st run wall/cpu', 'jsroot 1st run wall/cpu', 'heppy peak RSS'].join(' | '));
  for (let idx = 0; idx < CASES.length; idx++) {
    const c = CASES[idx]!;
    const hp = runChild('heppy', idx, []);
    const js = runChild('jsroot', idx, hp.names);
    const hm = median(hp.ms.slice(1)), jm = median(js.ms.slice(1)), hcm = median(hp.cpu.slice(1)), jcm = median(js.cpu.slice(1));
    console.log([c.file, hp.names.length, hp.values, hm.toFixed(1), jm.toFixed(1), `${(jm / hm).toFixed(1)}×`,
      hcm.toFixed(1), jcm.toFixed(1), `${(jcm / hcm).toFixed(1)}×`,
      c.uprootMs === null ? '-' : String(c.uprootMs), `${js.entries} of ${hp.entries}`,
      `${hp.ms[0]!.toFixed(1)} / ${hp.cpu[0]!.toFixed(1)}`, `${js.ms[0]!.toFixed(1)} / ${js.cpu[0]!.toFixed(1)}`, `${hp.maxRssMB.toFixed(0)} MB`].join(' | '));
  }
  const d = decodeMicro();
  console.log(`decode 1 M big-endian doubles: swap in place ${d.inPlaceMs.toFixed(2)} ms, copy + swap ${d.copySwapMs.toFixed(2)} ms, DataView loop ${d.dataViewMs.toFixed(2)} ms`);
}

await main();
