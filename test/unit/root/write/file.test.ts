import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootFileWriter, prepareCompression, type Algorithm } from '../../../../src/root/write/index.js';
import type { TreeFillValue } from '../../../../src/root/write/tree.js';
import { makeAxis, makeHist1, makeHist2, makeVariableAxis, fill1, fill2, type Hist } from '../../../../src/root/hist.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { jsrootKeys, jsrootObject, jsrootSums, type JsHist } from './jsroot-check.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-write-'));

test('a zstd or LZ4 writer is refused until its codec is prepared; zlib needs nothing', async () => {
  for (const algorithm of ['zstd', 'lz4'] as const) {
    const p = join(dir, `unprepared-${algorithm}.root`);
    assert.throws(() => RootFileWriter.create(p, { compression: { algorithm } }), new RegExp(`${algorithm} needs .await prepareCompression`));
    assert.not.ok(existsSync(p), 'nothing is created');
    await prepareCompression({ algorithm });
  }
  await prepareCompression({ algorithm: 'zlib' });
});
const N = 3000;

function writeSample(path: string, algorithm: Algorithm, force64 = false): { h1: Hist; h2: Hist; hv: Hist } {
  const w = RootFileWriter.create(path, { compression: { algorithm }, force64 });
  const h1 = makeHist1('TH1D', 'h1', 'one', makeAxis(10, 0, 10, 'x [GeV]'));
  const hv = makeHist1('TH1F', 'hv', 'variable', makeVariableAxis([0, 1, 2, 5, 10]));
  const h2 = makeHist2('TH2F', 'h2', 'two', makeAxis(4, 0, 4), makeAxis(3, -1, 2));
  const h2d = makeHist2('TH2D', 'h2d', 'two d', makeAxis(2, 0, 2), makeAxis(2, 0, 2));
  const t = w.createTree({
    name: 'events', title: 'test tree', basketBytes: 2048, branches: [
      { name: 'f8', type: 'f8' }, { name: 'f4', type: 'f4' }, { name: 'i1', type: 'i1' }, { name: 'u1', type: 'u1' },
      { name: 'i2', type: 'i2' }, { name: 'u2', type: 'u2' }, { name: 'i4', type: 'i4' }, { name: 'u4', type: 'u4' },
      { name: 'i8', type: 'i8' }, { name: 'u8', type: 'u8' }, { name: 'ok', type: 'bool' },
      { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } }, { name: 'w', type: 'i2', shape: { counter: 'n' } },
      { name: 'p3', type: 'f8', shape: { fixed: 3 } },
    ],
  });
  for (let i = 0; i < N; i++) {
    const n = i % 5;
    t.fill({
      f8: i * 0.25, f4: i * 0.5, i1: (i % 200) - 100, u1: i % 256, i2: -i, u2: i, i4: i * 1000, u4: i * 3, i8: BigInt(i) * 4000000000n,
      u8: BigInt(i) * 5000000000n, ok: i % 3 === 0, n, v: Array.from({ length: n }, (_, k) => k + 0.5), w: Array.from({ length: n }, (_, k) => -k),
      p3: [i, 2 * i, -1],
    });
    fill1(h1, (i % 13) - 1, 0.5);
    fill1(hv, (i % 11), 2);
    fill2(h2, i % 5, (i % 4) - 1.5);
    fill2(h2d, i % 3, i % 2, 1.5);
  }
  w.writeHist(h1);
  w.mkdir('sub/deeper');
  w.writeHist(h2, 'sub');
  w.writeHist(hv, 'sub/deeper');
  w.writeHist(h2d, 'sub/deeper');
  return { h1, h2, hv, close: w.close() } as unknown as { h1: Hist; h2: Hist; hv: Hist };
}

const expected = (() => {
  let f8 = 0, f4 = 0, i1 = 0, u1 = 0, i2 = 0, u2 = 0, i4 = 0, u4 = 0, i8 = 0, ok = 0, n = 0, v = 0, w = 0, p3 = 0;
  for (let i = 0; i < N; i++) {
    const k = i % 5;
    f8 += i * 0.25; f4 += i * 0.5; i1 += (i % 200) - 100; u1 += i % 256; i2 -= i; u2 += i; i4 += i * 1000; u4 += i * 3; i8 += i * 4000000000;
    ok += i % 3 === 0 ? 1 : 0; n += k; for (let j = 0; j < k; j++) { v += j + 0.5; w -= j; } p3 += 3 * i - 1;
  }
  return { f8, f4, i1, u1, i2, u2, i4, u4, i8, ok, n, v, w, p3 };
})();

for (const algorithm of ['zlib', 'lz4', 'zstd', 'none'] as const) {
  test(`round trip with ${algorithm}: jsroot and heppy's reader read every branch and histogram`, async () => {
    const path = join(dir, `rt-${algorithm}.root`);
    const r = writeSample(path, algorithm) as unknown as { h1: Hist; h2: Hist; hv: Hist; close: Promise<void> };
    await r.close;
    const bytes = readFileSync(path);
    assert.is(bytes.subarray(0, 4).toString('latin1'), 'root');

    assert.equal((await jsrootKeys(path)).filter((k) => !k.startsWith('StreamerInfo')).sort(), ['events:TTree', 'h1:TH1D', 'sub:TDirectory']);
    const names = Object.keys(expected);
    const js = await jsrootSums(path, 'events', names.filter((x) => x !== 'i8'));
    assert.is(js.entries, N);
    assert.is(js.count, N);
    for (const k of names) if (k !== 'i8') assert.is(js.sums[k], expected[k as keyof typeof expected], `jsroot ${k}`);

    const jh = await jsrootObject<JsHist>(path, 'h1');
    assert.is(jh._typename, 'TH1D');
    assert.is(jh.fEntries, r.h1.entries);
    assert.is(jh.fTsumw, r.h1.tsumw);
    assert.is(jh.fTsumwx2, r.h1.tsumwx2);
    assert.equal(Array.from(jh.fArray), Array.from(r.h1.contents));
    assert.equal(Array.from(jh.fSumw2), Array.from(r.h1.sumw2));
    const jh2 = await jsrootObject<JsHist>(path, 'sub/h2');
    assert.is(jh2._typename, 'TH2F');
    assert.is(jh2.fTsumwxy, r.h2.tsumwxy);
    assert.equal(Array.from(jh2.fArray), Array.from(r.h2.contents));
    const jhv = await jsrootObject<JsHist>(path, 'sub/deeper/hv');
    assert.equal(Array.from(jhv.fXaxis.fXbins), [0, 1, 2, 5, 10]);
    assert.equal(Array.from(jhv.fArray), Array.from(r.hv.contents));

    const f = await openRootFile(path);
    try {
      assert.ok(f.keys().some((k) => k.path === 'sub/deeper/h2d' && k.className === 'TH2D'));
      const t = await f.tree('events');
      assert.is(t.entries, N);
      for (const k of names) {
        const c = await t.column(k);
        let s = 0;
        for (const x of Array.from(c.values as ArrayLike<number | bigint>)) s += Number(x);
        assert.is(s, expected[k as keyof typeof expected], `heppy reader ${k}`);
      }
      const i8 = await t.column('i8');
      assert.is((i8.values as BigInt64Array)[N - 1], BigInt(N - 1) * 4000000000n);
      const u8 = await t.column('u8');
      assert.is((u8.values as BigUint64Array)[N - 1], BigInt(N - 1) * 5000000000n);
      const v = await t.column('v');
      assert.is(v.kind, 'jagged');
      if (v.kind === 'jagged') assert.is(v.offsets[N], expected.n);
      const h = await f.hist('h1');
      assert.ok(h);
      assert.equal(Array.from(h!.contents), Array.from(r.h1.contents));
      assert.is(h!.tsumwx, r.h1.tsumwx);
      const h2 = await f.hist('sub/h2');
      assert.is(h2!.tsumwy2, r.h2.tsumwy2);
    } finally { f.close(); }
  });
}

test('64-bit integer branches filled with numbers (the i8/u8 fast path) read back exactly, negatives and 2^53 - 1 included', async () => {
  const path = join(dir, 'int64-numbers.root');
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 't', branches: [{ name: 'i8', type: 'i8' }, { name: 'u8', type: 'u8' }] });
  const i8 = [-(2 ** 53 - 1), -(2 ** 32) - 7, -1, 0, 1, 2 ** 32 + 5, 2 ** 53 - 1];
  const u8 = [0, 1, 2 ** 31, 2 ** 32, 2 ** 32 + 5, 2 ** 48 + 3, 2 ** 53 - 1];
  for (let k = 0; k < i8.length; k++) t.fill({ i8: i8[k]!, u8: u8[k]! });
  t.fill({ i8: -(2n ** 63n), u8: 2n ** 64n - 1n }); // beyond numbers: BigInt as before
  await w.close();
  const f = await openRootFile(path);
  try {
    const tr = await f.tree('t');
    assert.equal(Array.from((await tr.column('i8')).values as BigInt64Array), [...i8.map((x) => BigInt(x)), -(2n ** 63n)]);
    assert.equal(Array.from((await tr.column('u8')).values as BigUint64Array), [...u8.map((x) => BigInt(x)), 2n ** 64n - 1n]);
  } finally { f.close(); }
  const w2 = RootFileWriter.create(join(dir, 'int64-bad.root'));
  const t2 = w2.createTree({ name: 't', branches: [{ name: 'i8', type: 'i8' }] });
  assert.throws(() => t2.fill({ i8: 1.5 }), /not an integer/);
  await w2.close();
});

test('64-bit layout forced on a small file reads back (header, directories, keys)', async () => {
  const path = join(dir, 'big-layout.root');
  const r = writeSample(path, 'zlib', true) as unknown as { h1: Hist; close: Promise<void> };
  await r.close;
  const b = readFileSync(path);
  assert.ok(b.readInt32BE(4) > 1000000, 'header version marks the big layout');
  const js = await jsrootSums(path, 'events', ['f8', 'v']);
  assert.is(js.sums.f8, expected.f8);
  assert.is(js.sums.v, expected.v);
  const jh = await jsrootObject<JsHist>(path, 'sub/deeper/hv');
  assert.is(jh.fEntries, N);
  const f = await openRootFile(path);
  try {
    const t = await f.tree('events');
    const c = await t.column('w');
    let s = 0;
    for (const x of c.values as Int16Array) s += x;
    assert.is(s, expected.w);
  } finally { f.close(); }
});

test('branch names that are not identifiers (quotes, backslash, ${, newline, __proto__, constructor) fill and read back', async () => {
  // fill reads a row through a function compiled from the branch names: they must stay data.
  const names = ['a"b', 'c\\d', '${x}', 'e\nf', '__proto__', 'constructor', 'toString'];
  const path = join(dir, 'odd-names.root');
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 't', branches: names.map((name) => ({ name, type: 'f8' as const })) });
  for (let k = 0; k < 5; k++) {
    const row: Record<string, number> = Object.create(null) as Record<string, number>;
    names.forEach((n, i) => { row[n] = k * 10 + i + 0.5; });
    t.fill(row);
  }
  await w.close();
  const w2 = RootFileWriter.create(join(dir, 'odd-names-bad.root'));
  const t2 = w2.createTree({ name: 't', branches: names.map((name) => ({ name, type: 'f8' as const })) });
  assert.throws(() => t2.fill({ 'a"b': 1 }), /no value for branch c\\d/);
  await w2.close();
  const f = await openRootFile(path);
  try {
    const tr = await f.tree('t');
    for (const [i, n] of names.entries()) {
      assert.equal(Array.from((await tr.column(n)).values as Float64Array), [0, 1, 2, 3, 4].map((k) => k * 10 + i + 0.5), n);
    }
  } finally { f.close(); }
});

test('a jagged branch whose counter disagrees with it is refused, naming the branch', () => {
  const w = RootFileWriter.create(join(dir, 'bad.root'));
  const t = w.createTree({ name: 't', branches: [{ name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } }] });
  assert.throws(() => t.fill({ n: 2, v: [1] }), /branch v has 1 values but its counter says 2/);
  t.fill({ v: [1, 2, 3] }); // counter derived from the array
  assert.is(t.entries, 1);
  assert.throws(() => w.createTree({ name: 'u', branches: [{ name: 'v', type: 'f4', shape: { counter: 'm' } }] }), /counter m, which is not a branch/);
});

test('a row refused half way leaves no part of it in any branch: the file reads back the good rows only', async () => {
  const path = join(dir, 'all-or-nothing.root');
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 't', basketBytes: 1024, branches: [
    { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } },
    { name: 'ids', type: 'i8', shape: { counter: 'n' } }, { name: 'label', type: 'string' }, { name: 'last', type: 'i2' },
  ] });
  const good = (i: number): Record<string, TreeFillValue> => ({ x: i + 0.5, n: i % 3, v: Array.from({ length: i % 3 }, (_, j) => i + j), ids: Array.from({ length: i % 3 }, (_, j) => i * 10 + j), label: `row ${i}`, last: i });
  let written = 0;
  for (let i = 0; i < 400; i++) {
    // Every fourth row is bad in a different branch, after earlier branches took their values.
    if (i % 4 === 1) assert.throws(() => t.fill({ ...good(i), n: 7 }), /branch v has \d values but its counter says 7/);
    else if (i % 4 === 2) assert.throws(() => t.fill({ ...good(i), n: 2, v: [1, 2], ids: [5, 5.5] }), /branch ids: 5.5 is not an integer/); // half of ids written
    else if (i % 4 === 3) assert.throws(() => t.fill({ ...good(i), last: 'no' as unknown as number }), /branch last is numeric, got a string/);
    else { t.fill(good(i)); written++; }
    assert.is(t.entries, written);
  }
  await w.close();
  const f = await openRootFile(path);
  try {
    const tr = await f.tree('t');
    assert.is(tr.entries, 100);
    const rows = Array.from({ length: 100 }, (_, k) => good(4 * k));
    assert.equal(Array.from((await tr.column('x')).values as Float64Array), rows.map((r) => r.x));
    assert.equal(Array.from((await tr.column('n')).values as Int32Array), rows.map((r) => r.n));
    assert.equal(Array.from((await tr.column('last')).values as Int16Array), rows.map((r) => r.last));
    const v = await tr.column('v');
    assert.equal(Array.from(v.values as Float32Array), rows.flatMap((r) => r.v as number[]));
    const ids = await tr.column('ids');
    assert.equal(Array.from(ids.values as BigInt64Array), rows.flatMap((r) => (r.ids as number[]).map((x) => BigInt(x))));
    assert.equal((await tr.column('label')).values, rows.map((r) => r.label));
  } finally { f.close(); }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
