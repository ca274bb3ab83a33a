import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { mergeRootFiles } from '../../../../src/root/hadd/index.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile, type Json } from '../../../../src/root/read/summary.js';
import { RootFileWriter, prepareCompression } from '../../../../src/root/write/index.js';
import { makeAxis, makeHist1, fill1 } from '../../../../src/root/hist.js';
import { sharedRootDir, repoRoot } from '../../../util/shared.js';
import { jsrootObject, jsrootSums, type JsHist } from '../write/jsroot-check.js';

const shared = sharedRootDir();
const dir = mkdtempSync(join(tmpdir(), 'heppy-hadd-'));
type Obj = { [k: string]: Json };

async function summary(path: string): Promise<Obj> {
  const f = await openRootFile(path);
  try { return await summarizeFile(f); } finally { f.close(); }
}

/** Deep comparison: numbers within 1e-9 relative (sums depend on the order of addition), the rest exact. */
function close(a: Json | undefined, b: Json | undefined, where: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
    return;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    assert.equal(Object.keys(a as Obj).sort(), Object.keys(b as Obj).sort(), `${where}: keys`);
    for (const k of Object.keys(a as Obj)) close((a as Obj)[k], (b as Obj)[k], `${where}.${k}`);
    return;
  }
  assert.equal(a, b, where);
}

if (shared !== null) {
  const part1 = join(shared, 'written-by-uproot', 'hadd-part1.root');
  const part2 = join(shared, 'written-by-uproot', 'hadd-part2.root');
  const expected = join(shared, 'written-by-uproot', 'hadd-expected.root');

  test('merge of hadd-part1 + hadd-part2 equals hadd-expected (heppy reader: every tree and histogram summary)', async () => {
    const out = join(dir, 'merged.root');
    const r = await mergeRootFiles(out, [part1, part2]);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    if (r.ok) { assert.is(r.value.entries, 5000); assert.is(r.value.histograms, 3); assert.is(r.value.trees, 1); }
    const got = await summary(out), want = await summary(expected);
    close(got.keys, want.keys, 'keys');
    close(got.histograms, want.histograms, 'histograms');
    const gt = got.trees as Obj, wt = want.trees as Obj;
    close(Object.keys(gt), Object.keys(wt), 'trees');
    const g = gt['events;1'] as Obj, e = wt['events;1'] as Obj;
    assert.is(g.entries, 5000);
    for (const [b, info] of Object.entries(e.branches as Obj)) {
      const gi = (g.branches as Obj)[b] as Obj, ei = info as Obj;
      for (const f of ['count', 'sum', 'min', 'max', 'kind', 'typename', 'num_baskets']) close(gi[f], ei[f], `events/${b}.${f}`);
    }
  });

  test('merge of hadd-part1 + hadd-part2 checked with jsroot: branch sums and histogram arrays', async () => {
    const out = join(dir, 'merged-js.root');
    const r = await mergeRootFiles(out, [part1, part2]);
    assert.ok(r.ok);
    const names = ['evt', 'run', 'x', 'y', 'nv', 'v'];
    const got = await jsrootSums(out, 'events', names), want = await jsrootSums(expected, 'events', names);
    assert.is(got.count, 5000);
    for (const n of names) close(got.sums[n], want.sums[n], `jsroot ${n}`);
    for (const h of ['hx', 'hxy', 'dir/hn']) {
      const a = await jsrootObject<JsHist>(out, h), b = await jsrootObject<JsHist>(expected, h);
      assert.is(a._typename, b._typename);
      close(a.fEntries, b.fEntries, `${h} fEntries`);
      for (const f of ['fTsumw', 'fTsumw2', 'fTsumwx', 'fTsumwx2', 'fTsumwy', 'fTsumwxy'] as const) close(a[f] ?? 0, b[f] ?? 0, `${h} ${f}`);
      close(Array.from(a.fArray), Array.from(b.fArray), `${h} fArray`);
      close(Array.from(a.fSumw2), Array.from(b.fSumw2), `${h} fSumw2`);
    }
  });

  test('a ROOT-written file (baskets embedded in the TTree key, several histograms) merged with itself doubles every sum', async () => {
    const src = join(shared, 'uproot-issue-750.root');
    const out = join(dir, 'double.root');
    const r = await mergeRootFiles(out, [src, src]);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    const one = await summary(src), two = await summary(out);
    const t1 = (one.trees as Obj)['tout;1'] as Obj, t2 = (two.trees as Obj)['tout;1'] as Obj;
    assert.is(t2.entries, 2 * (t1.entries as number));
    for (const [b, info] of Object.entries(t1.branches as Obj)) {
      const a = info as Obj, c = (t2.branches as Obj)[b] as Obj;
      close(c.count, 2 * (a.count as number), `${b} count`);
      close(c.sum, 2 * (a.sum as number), `${b} sum`);
      close(c.min, a.min, `${b} min`);
      close(c.max, a.max, `${b} max`);
    }
    const h1 = (one.histograms as Obj)['h_Muon_pt;1'] as Obj, h2 = (two.histograms as Obj)['h_Muon_pt;1'] as Obj;
    close(h2.fEntries, 2 * (h1.fEntries as number), 'h_Muon_pt fEntries');
  });

  test('trees with different branches: the error names the file, the tree and the branch', async () => {
    const r = await mergeRootFiles(join(dir, 'bad.root'), [part1, join(shared, 'written-by-uproot', 'uproot4-flat-zlib.root')]);
    assert.not.ok(r.ok);
    if (!r.ok) {
      assert.ok(r.error.file!.endsWith('uproot4-flat-zlib.root'));
      assert.is(r.error.object, 'events/i1');
      assert.match(r.error.reason, /branch is not in .*hadd-part1\.root \(branches are matched by name\)/);
    }
    assert.not.ok(existsSync(join(dir, 'bad.root')), 'no output left behind');
  });

  test('heppy root merge: exit codes and -f/-k', () => {
    const bin = join(repoRoot, 'bin', 'heppy.js');
    const out = join(dir, 'cli.root');
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'root', 'merge', ...args], { encoding: 'utf8' });
    let p = run(out, part1, part2);
    assert.is(p.status, 0, p.stderr);
    assert.match(p.stdout, /1 tree\(s\) with 5000 entries, 3 histogram\(s\) added/);
    p = run(out, part1);
    assert.is(p.status, 2, p.stderr);
    assert.match(p.stderr, /output file exists/);
    const truncated = join(dir, 'truncated.root');
    writeFileSync(truncated, readFileSync(part2).subarray(0, 5000));
    p = run('-f', out, part1, truncated);
    assert.is(p.status, 2, 'an unreadable input is bad input');
    assert.match(p.stderr, /truncated\.root/);
    p = run('-f', '-k', out, part1, truncated);
    assert.is(p.status, 0, p.stderr);
    assert.match(p.stderr, /warning: skipping unreadable input .*truncated\.root/);
    assert.match(p.stdout, /3000 entries/);
    p = run();
    assert.is(p.status, 2);
    // -j N (and -jN): same entries and histograms as without; a bad N is bad input.
    for (const j of [['-j', '2'], ['-j2']]) {
      p = run('-f', ...j, out, part1, part2, part1, part2);
      assert.is(p.status, 0, p.stderr);
      assert.match(p.stdout, /merged 4 file\(s\): 1 tree\(s\) with 10000 entries, 3 histogram\(s\) added/);
    }
    p = run('-f', '-j', '0', out, part1, part2);
    assert.is(p.status, 2);
    assert.match(p.stderr, /-j: expected a whole number of jobs/);
    void execFileSync; void copyFileSync;
  });
}

test('histograms with different binning: the error names the file, the object and the binning', async () => {
  const a = join(dir, 'a.root'), b = join(dir, 'b.root');
  for (const [p, nb] of [[a, 10], [b, 12]] as const) {
    const w = RootFileWriter.create(p);
    const h = makeHist1('TH1F', 'h', 'h', makeAxis(nb, 0, 1));
    fill1(h, 0.5);
    w.mkdir('d');
    w.writeHist(h, 'd');
    await w.close();
  }
  const r = await mergeRootFiles(join(dir, 'ab.root'), [a, b]);
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.is(r.error.file, b);
    assert.is(r.error.object, 'd/h');
    assert.match(r.error.reason, /x binning differs \(10 bins \[0, 1\] vs 12 bins \[0, 1\]\)/);
  }
});

test('trees written by heppy merge: entries concatenated, counter maximum kept, non-mergeable objects copied', async () => {
  const files: string[] = [];
  for (let k = 0; k < 3; k++) {
    const p = join(dir, `t${k}.root`);
    const compression = { algorithm: k === 1 ? 'lz4' : 'zstd' } as const;
    await prepareCompression(compression);
    const w = RootFileWriter.create(p, { compression });
    const t = w.createTree({ name: 'tree', dir: 'out', basketBytes: 1024, branches: [{ name: 'n', type: 'i4' }, { name: 'v', type: 'f8', shape: { counter: 'n' } }, { name: 'e', type: 'i8' }] });
    for (let i = 0; i < 500; i++) t.fill({ v: Array.from({ length: (i + k) % 7 }, () => k + 1), e: BigInt(i) });
    await w.close();
    files.push(p);
  }
  const out = join(dir, 'tmerged.root');
  const r = await mergeRootFiles(out, files);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  const f = await openRootFile(out);
  try {
    const t = await f.tree('out/tree');
    assert.is(t.entries, 1500);
    const v = await t.column('v');
    let s = 0;
    for (const x of Array.from(v.values as Float64Array)) s += x;
    let want = 0;
    for (let k = 0; k < 3; k++) for (let i = 0; i < 500; i++) want += ((i + k) % 7) * (k + 1);
    assert.is(s, want);
    const e = await t.column('e');
    assert.is((e.values as BigInt64Array)[1499], 499n);
  } finally { f.close(); }
  const jt = await jsrootObject<{ fBranches: { arr: { fLeaves: { arr: { fMaximum: number }[] } }[] } }>(out, 'out/tree');
  assert.is(jt.fBranches.arr[0]!.fLeaves.arr[0]!.fMaximum, 6);
});

test('64-bit keys and baskets larger than a copy run: copied as stored, values read back (heppy reader and jsroot)', async () => {
  // Input 0 has 64-bit keys (as past 2 GB), input 1 32-bit ones; 'a' baskets are ~1.5 MiB (more
  // than one copy run), 'i' baskets are small, so runs mix both sizes.
  const files: string[] = [];
  const n = 8000;
  for (let k = 0; k < 2; k++) {
    const p = join(dir, `big${k}.root`);
    const w = RootFileWriter.create(p, { compression: { algorithm: 'none' }, force64: k === 0 });
    const t = w.createTree({ name: 'big', basketBytes: 1536 * 1024, branches: [{ name: 'i', type: 'i8' }, { name: 'a', type: 'f8', shape: { fixed: 32 } }] });
    const a = new Float64Array(32);
    for (let i = 0; i < n; i++) { a.fill(i + k); t.fill({ i: BigInt(i + k * n), a }); }
    await w.close();
    files.push(p);
  }
  const out = join(dir, 'bigmerged.root');
  const r = await mergeRootFiles(out, files);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  let want = 0;
  for (let k = 0; k < 2; k++) for (let i = 0; i < n; i++) want += 32 * (i + k);
  const f = await openRootFile(out);
  try {
    const t = await f.tree('big');
    assert.is(t.entries, 2 * n);
    assert.ok(t.plan('a').baskets.length >= 2 * 2, 'several baskets of a per input');
    const i = await t.column('i');
    assert.is((i.values as BigInt64Array)[2 * n - 1], BigInt(2 * n - 1));
    const a = await t.column('a');
    let s = 0;
    for (const x of a.values as Float64Array) s += x;
    assert.is(s, want);
  } finally { f.close(); }
  const js = await jsrootSums(out, 'big', ['i', 'a']);
  assert.is(js.count, 2 * n);
  assert.is(js.sums.a, want);
  assert.is(js.sums.i, (2 * n - 1) * n);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
