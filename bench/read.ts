// Read benchmark: heppy's column reader vs jsroot's TSelector (treeProcess) over the same
// branches of the same files, printed side by side. Run: npx tsc -p . && node dist/bench/read.js
// Figures are recorded in bench/README.md ("ROOT read").
import { join } from 'node:path';
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

async function main(): Promise<void> {
  const dir = sharedRootDir();
  if (dir === null) return;
  console.log(`ROOT read: open + read every listed branch completely; median of ${RUNS} runs after one warm-up (wall ms, and CPU ms of all threads)`);
  console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(['file', 'branches', 'values', 'heppy wall', 'jsroot wall', 'speed-up', 'heppy cpu', 'jsroot cpu', 'cpu ratio', 'uproot (issue 2)', 'jsroot entries'].join(' | '));
  for (const c of CASES) {
    const path = join(dir, c.file);
    const first = await heppyRead(path, c.tree, c.branches);
    const jsFirst = await jsrootRead(path, c.tree, first.names);
    const h: number[] = [], j: number[] = [], hc: number[] = [], jc: number[] = [];
    for (let r = 0; r < RUNS; r++) { const x = await heppyRead(path, c.tree, c.branches); h.push(x.ms); hc.push(x.cpu); }
    for (let r = 0; r < Math.min(RUNS, 5); r++) { const x = await jsrootRead(path, c.tree, first.names); j.push(x.ms); jc.push(x.cpu); }
    const hm = median(h), jm = median(j), hcm = median(hc), jcm = median(jc);
    console.log([c.file, first.names.length, first.values, hm.toFixed(1), jm.toFixed(1), `${(jm / hm).toFixed(1)}×`,
      hcm.toFixed(1), jcm.toFixed(1), `${(jcm / hcm).toFixed(1)}×`,
      c.uprootMs === null ? '-' : String(c.uprootMs), `${jsFirst.entries} of ${first.entries}`].join(' | '));
  }
  const d = decodeMicro();
  console.log(`decode 1 M big-endian doubles: swap in place ${d.inPlaceMs.toFixed(2)} ms, copy + swap ${d.copySwapMs.toFixed(2)} ms, DataView loop ${d.dataViewMs.toFixed(2)} ms`);
  console.log(`peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
}

await main();
