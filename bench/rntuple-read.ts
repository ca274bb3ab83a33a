// RNTuple read benchmark: the same events written by heppy as a TTree and as an RNTuple
// (zlib, zstd, none), read completely into column batches by heppy's TreeReader and
// RNTupleReader; plus the CMS DoubleMuParked RNTuple (ROOT 6.35, zstd) against the same events
// in a TTree. Each case: one warm-up read, then the median of BENCH_RUNS timed reads in this
// process (wall and CPU). Run: npx tsc -p . && node dist/bench/rntuple-read.js
// Figures are recorded in bench/README.md ("RNTuple read").
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootFileWriter } from '../src/root/write/index.js';
import { prepareCompression, type Algorithm } from '../src/root/write/compress.js';
import { openRootFile } from '../src/root/read/index.js';
import { openEntries } from '../src/root/rntuple/open.js';
import { RNTupleWriter } from '../src/root/rntuple/writer.js';
import { RNTupleReader } from '../src/root/rntuple/reader.js';
import { sharedRootDir } from '../test/util/shared.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const tmp = mkdtempSync(join(tmpdir(), 'heppy-bench-rntuple-'));

const branches = [
  { name: 'run', type: 'u4' as const }, { name: 'x', type: 'f8' as const }, { name: 'nMuon', type: 'i4' as const },
  { name: 'Muon_pt', type: 'f4' as const, shape: { counter: 'nMuon' } }, { name: 'Muon_eta', type: 'f4' as const, shape: { counter: 'nMuon' } },
  { name: 'Muon_charge', type: 'i4' as const, shape: { counter: 'nMuon' } },
];

/** Deterministic pseudo-random events (xorshift), ~2.4 muons per event. */
function* events(n: number): Generator<Record<string, number | Float32Array | Int32Array>> {
  let s = 0x9e3779b9;
  const rnd = (): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 4294967296; };
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * 5);
    const pt = new Float32Array(k), eta = new Float32Array(k), q = new Int32Array(k);
    for (let j = 0; j < k; j++) { pt[j] = 3 + 60 * rnd(); eta[j] = 5 * rnd() - 2.5; q[j] = rnd() < 0.5 ? -1 : 1; }
    yield { run: 194000 + (i >> 14), x: rnd() * 100, Muon_pt: pt, Muon_eta: eta, Muon_charge: q };
  }
}

async function writePair(algorithm: Algorithm): Promise<{ tree: string; ntuple: string }> {
  const tree = join(tmp, `tree-${algorithm}.root`), ntuple = join(tmp, `ntuple-${algorithm}.root`);
  await prepareCompression({ algorithm });
  const wt = RootFileWriter.create(tree, { compression: { algorithm } });
  const t = wt.createTree({ name: 'Events', branches });
  const wr = RootFileWriter.create(ntuple, { compression: { algorithm } });
  const nt = new RNTupleWriter(wr, { name: 'Events', branches });
  for (const e of events(EVENTS)) { t.fill(e); nt.fill(e); }
  await wt.close(); await wr.close();
  return { tree, ntuple };
}

function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }

/** Opens `path` and reads `names` of `key` completely; returns the values read (checked equal across formats). */
async function readAll(path: string, key: string, names: string[]): Promise<{ values: number; check: number }> {
  const f = await openRootFile(path);
  try {
    const r = await openEntries(f, key);
    let values = 0, check = 0;
    for await (const b of r.batches(names)) {
      for (const n of names) {
        const v = b.columns[n]!.values;
        values += v.length;
        let s = 0; for (let i = 0; i < v.length; i++) s += v[i] as number; check += s; // touch every value
      }
    }
    return { values, check };
  } finally { f.close(); }
}

async function time(path: string, key: string, names: string[]): Promise<{ ms: number; cpu: number; values: number; check: number }> {
  const first = await readAll(path, key, names); // warm-up
  const ms: number[] = [], cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = cpuMs(), t0 = performance.now();
    await readAll(path, key, names);
    ms.push(performance.now() - t0); cpu.push(cpuMs() - c0);
  }
  return { ms: median(ms), cpu: median(cpu), ...first };
}

function row(label: string, path: string, r: { ms: number; cpu: number; values: number }, entries: number): string {
  const mb = statSync(path).size / 1e6;
  return `${label.padEnd(34)} ${mb.toFixed(2).padStart(7)} MB  ${r.ms.toFixed(1).padStart(7)} ms wall  ${r.cpu.toFixed(1).padStart(7)} ms CPU  ${(entries / r.ms / 1000).toFixed(2).padStart(6)} M events/s  ${(r.values / r.ms / 1000).toFixed(1).padStart(6)} M values/s`;
}

async function main(): Promise<void> {
  const names = branches.map((b) => b.name);
  console.log(`${EVENTS} events, branches ${names.join(', ')}; median of ${RUNS} reads after one warm-up`);
  for (const alg of ['zlib', 'zstd', 'none'] as Algorithm[]) {
    const p = await writePair(alg);
    const t = await time(p.tree, 'Events', names), n = await time(p.ntuple, 'Events', names);
    if (t.values !== n.values || Math.abs(t.check - n.check) > 1e-6 * Math.abs(t.check)) throw new Error(`${alg}: TTree and RNTuple read different values`);
    console.log(row(`TTree   ${alg}`, p.tree, t, EVENTS));
    console.log(row(`RNTuple ${alg}`, p.ntuple, n, EVENTS));
    console.log(`  RNTuple / TTree: wall ${(n.ms / t.ms).toFixed(2)}×, CPU ${(n.cpu / t.cpu).toFixed(2)}×`);
  }
  const shared = sharedRootDir();
  if (shared !== null) {
    // The ROOT-written RNTuple, and the same events as a heppy TTree (zlib, as heppy writes).
    const src = join(shared, 'rntuple', 'Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root');
    const f = await openRootFile(src);
    const r = await RNTupleReader.open(f, 'Events');
    const mu = ['Muon_pt', 'Muon_eta', 'Muon_phi', 'Muon_mass', 'Muon_charge'];
    const cols = Object.fromEntries(await Promise.all(['nMuon', ...mu].map(async (m) => [m, await r.column(m)] as const)));
    f.close();
    const tree = join(tmp, 'mu-tree.root');
    const w = RootFileWriter.create(tree);
    const tw = w.createTree({ name: 'Events', branches: [{ name: 'nMuon', type: 'i4' }, ...mu.map((m) => ({ name: m, type: m === 'Muon_charge' ? 'i4' as const : 'f4' as const, shape: { counter: 'nMuon' } }))] });
    for (let e = 0; e < r.entries; e++) {
      const rowv: Record<string, number | ArrayLike<number>> = { nMuon: cols.nMuon!.values[e] as number };
      for (const m of mu) { const c = cols[m]!; if (c.kind === 'jagged') rowv[m] = c.values.subarray(c.offsets[e]!, c.offsets[e + 1]!) as Float32Array; }
      tw.fill(rowv);
    }
    await w.close();
    const names2 = ['nMuon', ...mu];
    const a = await time(src, 'Events', names2), b = await time(tree, 'Events', names2);
    console.log(row('RNTuple DoubleMuParked (ROOT, zstd)', src, a, r.entries));
    console.log(row('TTree   same events (heppy, zlib)', tree, b, r.entries));
  }
  rmSync(tmp, { recursive: true, force: true });
}

await main();
