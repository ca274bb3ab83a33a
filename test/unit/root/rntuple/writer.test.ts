// RNTuples written by heppy (every numeric type, fixed and jagged arrays, several clusters and
// pages, each compression) read back equal by heppy's reader and, where jsroot 7.11 reads
// RNTuple (not zstd: its zstd module is not installed), by jsroot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFile } from 'jsroot';
import { rntupleProcess } from 'jsroot/rntuple';
import { TSelector } from 'jsroot/tree';
import { RootFileWriter, prepareCompression } from '../../../../src/root/write/index.js';

await prepareCompression({ algorithm: 'zstd' });
await prepareCompression({ algorithm: 'lz4' });
import type { Algorithm } from '../../../../src/root/write/compress.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RNTupleWriter } from '../../../../src/root/rntuple/writer.js';
import type { FillValue } from '../../../../src/root/write/tree.js';
import { RNTupleReader } from '../../../../src/root/rntuple/reader.js';

const tmp = mkdtempSync(join(tmpdir(), 'heppy-rntuple-w-'));
const N = 3000;

const spec = [
  { name: 'n', type: 'i4' as const },
  { name: 'x', type: 'f8' as const },
  { name: 'y', type: 'f4' as const },
  { name: 'v', type: 'f4' as const, shape: { counter: 'n' } },
  { name: 'q', type: 'i2' as const, shape: { counter: 'n' } },
  { name: 'a', type: 'i2' as const, shape: { fixed: 3 } },
  { name: 'b', type: 'bool' as const },
  { name: 'i1', type: 'i1' as const }, { name: 'u1', type: 'u1' as const }, { name: 'u2', type: 'u2' as const },
  { name: 'u4', type: 'u4' as const }, { name: 'l', type: 'i8' as const }, { name: 'u', type: 'u8' as const },
];

function row(i: number) {
  const k = i % 4;
  return {
    x: i * 0.5 - 100, y: Math.fround(i / 7), v: Array.from({ length: k }, (_, j) => j + i), q: Array.from({ length: k }, (_, j) => -j - i % 1000),
    a: [i % 30000, -(i % 30000), 7], b: i % 3 === 0, i1: (i % 256) - 128, u1: i % 256, u2: i % 65536, u4: 4000000000 - i,
    l: BigInt(-i) * 1000000000000n - 1n, u: 18000000000000000000n + BigInt(i),
  };
}

async function write(path: string, algorithm: Algorithm, clusterBytes: number, first = 0, n = N): Promise<void> {
  const w = RootFileWriter.create(path, { compression: { algorithm } });
  const t = new RNTupleWriter(w, { name: 'events', branches: spec, clusterBytes, pageBytes: 2000 });
  for (let i = first; i < first + n; i++) t.fill(row(i));
  assert.is(t.entries, n);
  await w.close();
}

for (const algorithm of ['none', 'zlib', 'lz4', 'zstd'] as Algorithm[]) {
  test(`${algorithm}: every value reads back equal (heppy), across clusters and pages`, async () => {
    const path = join(tmp, `w-${algorithm}.root`);
    await write(path, algorithm, 30000);
    const f = await openRootFile(path);
    try {
      assert.equal(f.keys().map((k) => `${k.path}:${k.className}`), ['events:ROOT::RNTuple']);
      const r = await RNTupleReader.open(f, 'events');
      assert.is(r.entries, N);
      assert.ok(r.descriptor.clusters.length > 3, `${r.descriptor.clusters.length} clusters`);
      assert.is(r.descriptor.writer, 'heppy');
      const types = Object.fromEntries(r.branches.map((b) => [b.name, `${b.shape}:${b.type}`]));
      assert.is(types.v, 'jagged:f4');
      assert.is(types.a, 'fixed:i2');
      assert.is(types.u, 'scalar:u8');
      const names = spec.map((s) => s.name);
      let at = 0;
      for await (const b of r.batches(names)) {
        for (let i = b.start; i < b.stop; i++, at++) {
          const want = row(i), k = i - b.start;
          const c = b.columns;
          assert.is(c.n!.values[k], i % 4);
          assert.is(c.x!.values[k], want.x);
          assert.is(c.y!.values[k], want.y);
          const v = c.v!, q = c.q!;
          if (v.kind !== 'jagged' || q.kind !== 'jagged') throw new Error('not jagged');
          assert.equal(Array.from(v.values.subarray(v.offsets[k]!, v.offsets[k + 1]!) as Float32Array), want.v);
          assert.equal(Array.from(q.values.subarray(q.offsets[k]!, q.offsets[k + 1]!) as Int16Array), want.q);
          assert.equal(Array.from((c.a!.values as Int16Array).subarray(3 * k, 3 * k + 3)), want.a);
          assert.is(c.b!.values[k], want.b ? 1 : 0);
          assert.is(c.i1!.values[k], want.i1);
          assert.is(c.u1!.values[k], want.u1);
          assert.is(c.u2!.values[k], want.u2);
          assert.is(c.u4!.values[k], want.u4);
          assert.is(c.l!.values[k], want.l);
          assert.is(c.u!.values[k], want.u);
        }
      }
      assert.is(at, N);
    } finally { f.close(); }
  });
}

test('entry ranges inside clusters and pages read the same values as the whole column', async () => {
  const f = await openRootFile(join(tmp, 'w-zstd.root'));
  try {
    const r = await RNTupleReader.open(f, 'events');
    const full = Object.fromEntries(await Promise.all(['x', 'v', 'a', 'b', 'n', 'l'].map(async (n) => [n, await r.column(n)] as const)));
    let seed = 7;
    const rnd = (m: number): number => { seed = (seed * 16807) % 2147483647; return seed % m; };
    for (let k = 0; k < 40; k++) {
      const a = rnd(N), b = Math.min(N, a + 1 + rnd(700));
      for (const name of ['x', 'v', 'a', 'b', 'n', 'l']) {
        const part = await r.column(name, a, b), whole = full[name]!;
        if (whole.kind === 'jagged' && part.kind === 'jagged') {
          const o = whole.offsets;
          assert.equal(Array.from(part.values as ArrayLike<unknown>), Array.from(whole.values.subarray(o[a]!, o[b]!) as ArrayLike<unknown>), `${name} [${a}, ${b})`);
          assert.equal(Array.from(part.offsets), Array.from(o.subarray(a, b + 1), (x) => x - o[a]!), `${name} offsets [${a}, ${b})`);
        } else {
          const m = whole.kind === 'fixed' ? whole.size : 1;
          assert.equal(Array.from(part.values as ArrayLike<unknown>), Array.from((whole.values as Float64Array).subarray(a * m, b * m) as ArrayLike<unknown>), `${name} [${a}, ${b})`);
        }
      }
    }
  } finally { f.close(); }
});

async function jsrootSums(path: string, names: string[]): Promise<{ count: number; sums: Record<string, number> }> {
  const f = await openFile(path);
  const t = await f.readObject('events');
  const sel = new TSelector();
  for (const n of names) sel.addBranch(n);
  const sums: Record<string, number> = {};
  let count = 0;
  sel.Process = function (this: { tgtobj: Record<string, unknown> }) {
    count++;
    for (const n of names) {
      const v = this.tgtobj[n];
      const add = (a: unknown) => { sums[n] = (sums[n] ?? 0) + Number(a); };
      if (v !== null && typeof v === 'object' && 'length' in (v as object)) Array.from(v as ArrayLike<unknown>).forEach(add); else add(v);
    }
  };
  await rntupleProcess(t, sel);
  return { count, sums };
}

for (const algorithm of ['none', 'zlib', 'lz4'] as Algorithm[]) {
  test(`${algorithm}: jsroot reads heppy's RNTuple (entries and sums)`, async () => {
    const path = join(tmp, `w-${algorithm}.root`);
    const names = ['n', 'x', 'v', 'q', 'a', 'b', 'u1', 'u4'];
    const got = await jsrootSums(path, names);
    const want: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    for (let i = 0; i < N; i++) {
      const r = row(i) as unknown as Record<string, unknown>;
      want.n! += i % 4;
      for (const n of names.slice(1)) {
        const v = r[n];
        if (Array.isArray(v)) for (const x of v) want[n]! += Number(x); else want[n]! += Number(v);
      }
    }
    assert.is(got.count, N);
    for (const n of names) assert.ok(Math.abs(got.sums[n]! - want[n]!) <= 1e-6 * Math.max(1, Math.abs(want[n]!)), `${n}: jsroot ${got.sums[n]}, expected ${want[n]}`);
  });
}

test('bad rows and specs are refused with the field named; nothing is appended', async () => {
  const w = RootFileWriter.create(join(tmp, 'bad.root'));
  const t = new RNTupleWriter(w, { name: 'events', branches: spec });
  assert.throws(() => t.fill({ ...row(1), v: [1, 2, 3] }), /field v has 3 values but its counter says 1|field q has/);
  assert.throws(() => t.fill({ ...row(1), a: [1, 2] }), /field a needs 3 values/);
  assert.throws(() => t.fill({ ...row(1), x: undefined as unknown as number }), /no value for field x/);
  assert.is(t.entries, 0);
  t.fill(row(1));
  assert.is(t.entries, 1);
  assert.throws(() => new RNTupleWriter(w, { name: 'e2', branches: [{ name: 'a.b', type: 'f4' }] }), /field name "a.b" is not allowed/);
  assert.throws(() => new RNTupleWriter(w, { name: 'e3', branches: [{ name: 'v', type: 'f4', shape: { counter: 'm' } }] }), /names counter m, which is not a field/);
  await w.close();
  const f = await openRootFile(join(tmp, 'bad.root'));
  try { assert.is((await RNTupleReader.open(f, 'events')).entries, 1); } finally { f.close(); }
});

test('a row refused half way leaves no part of it in any field: the file reads back the good rows only (as a TTree fill)', async () => {
  const path = join(tmp, 'all-or-nothing.root');
  const w = RootFileWriter.create(path);
  // Small clusters: the refused rows fall before, inside and right after cluster boundaries.
  const t = new RNTupleWriter(w, { name: 'events', clusterBytes: 4096, pageBytes: 512, branches: [
    { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } },
    { name: 'ids', type: 'i8', shape: { counter: 'n' } }, { name: 'pair', type: 'i8', shape: { fixed: 2 } }, { name: 'last', type: 'i2' },
  ] });
  const good = (i: number): Record<string, FillValue> => ({ x: i + 0.5, n: i % 3, v: Array.from({ length: i % 3 }, (_, j) => i + j),
    ids: Array.from({ length: i % 3 }, (_, j) => i * 10 + j), pair: [i, -i], last: i });
  let written = 0;
  for (let i = 0; i < 2000; i++) {
    // Every other row is bad in a different field, after earlier fields took (part of) their values.
    const k = i % 8;
    if (k === 1) assert.throws(() => t.fill({ ...good(i), n: 7 }), /field v has \d values but its counter says 7/);
    else if (k === 3) assert.throws(() => t.fill({ ...good(i), n: 2, v: [1, 2], ids: [5, 5.5] }), /field ids: 5.5 is not an integer/); // half of ids pushed
    else if (k === 5) assert.throws(() => t.fill({ ...good(i), pair: [3, 0.25] }), /field pair: 0.25 is not an integer/);
    else if (k === 7) assert.throws(() => t.fill({ ...good(i), last: 'no' as unknown as number }), /field last is numeric, got a string/);
    else { t.fill(good(i)); written++; }
    assert.is(t.entries, written);
  }
  await w.close();
  const f = await openRootFile(path);
  try {
    const r = await RNTupleReader.open(f, 'events');
    assert.is(r.entries, 1000);
    assert.ok(r.descriptor.clusters.length > 1, `${r.descriptor.clusters.length} clusters`);
    const rows = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i % 2 === 0).map(good);
    const col = async (name: string): Promise<unknown[]> => Array.from((await r.column(name)).values as ArrayLike<unknown>);
    assert.equal(await col('x'), rows.map((g) => g.x));
    assert.equal(await col('n'), rows.map((g) => g.n));
    assert.equal(await col('last'), rows.map((g) => g.last));
    assert.equal(await col('v'), rows.flatMap((g) => g.v as number[]));
    assert.equal(await col('ids'), rows.flatMap((g) => (g.ids as number[]).map((x) => BigInt(x))));
    assert.equal(await col('pair'), rows.flatMap((g) => (g.pair as number[]).map((x) => BigInt(x))));
    const v = await r.column('v');
    assert.equal(v.kind === 'jagged' ? Array.from(v.offsets.subarray(0, 7)) : [], [0, 0, 2, 3, 3, 5, 6]);
  } finally { f.close(); }
});

test('an empty RNTuple (no entries) opens with its fields', async () => {
  const w = RootFileWriter.create(join(tmp, 'empty.root'));
  new RNTupleWriter(w, { name: 'events', branches: spec });
  await w.close();
  const f = await openRootFile(join(tmp, 'empty.root'));
  try {
    const r = await RNTupleReader.open(f, 'events');
    assert.is(r.entries, 0);
    assert.is(r.descriptor.clusters.length, 0);
    assert.is((await r.column('x')).values.length, 0);
  } finally { f.close(); }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
