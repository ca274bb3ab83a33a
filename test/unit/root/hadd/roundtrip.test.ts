// Round trip: trees with string (char*, UTF-8, over 255 bytes), std::vector<float|int>, fixed-array
// and counter-sized (jagged) branches written by heppy, merged, and read back equal entry by entry
// by heppy's reader and by jsroot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootFileWriter, prepareCompression } from '../../../../src/root/write/index.js';
import { mergeRootFiles } from '../../../../src/root/hadd/index.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { basketStrings } from '../../../../src/root/read/records.js';
import type { Column, TreeReader } from '../../../../src/root/read/index.js';
import { jsrootObject } from '../write/jsroot-check.js';
import { treeProcess, TSelector } from 'jsroot/tree';

const dir = mkdtempSync(join(tmpdir(), 'heppy-roundtrip-'));

interface Row { evt: bigint; x: number; name: string; v: number[]; iv: number[]; arr: number[]; pt: number[] }

function rowOf(k: number, i: number): Row {
  const name = i % 50 === 7 ? `long-${'é'.repeat(200)}-${i}` : i % 3 === 0 ? `μμ-${k}-${i}` : `evt-${k}-${i}`;
  return {
    evt: BigInt(k * 100000 + i), x: i * 0.25 - k, name,
    v: Array.from({ length: i % 5 }, (_, j) => Math.fround(i + j * 0.5)),
    iv: Array.from({ length: (i + k) % 4 }, (_, j) => i * 10 + j - 7),
    arr: [Math.fround(i), Math.fround(-i), Math.fround(k)],
    pt: Array.from({ length: (i * 7 + k) % 6 }, (_, j) => Math.fround(j + k * 0.125)),
  };
}

async function writeInput(path: string, k: number, n: number): Promise<Row[]> {
  const compression = { algorithm: k === 1 ? 'lz4' : 'zlib' } as const;
  await prepareCompression(compression);
  const w = RootFileWriter.create(path, { compression });
  const t = w.createTree({ name: 'events', dir: 'out', basketBytes: 2048, branches: [
    { name: 'evt', type: 'i8' }, { name: 'x', type: 'f8' }, { name: 'name', type: 'string' },
    { name: 'v', type: 'f4', shape: 'vector' }, { name: 'iv', type: 'i4', shape: 'vector' },
    { name: 'arr', type: 'f4', shape: { fixed: 3 } }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } },
  ] });
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) { const r = rowOf(k, i); rows.push(r); t.fill({ ...r }); }
  await w.close();
  return rows;
}

async function strings(t: TreeReader, name: string): Promise<string[]> {
  const p = t.plan(name);
  const out: string[] = [];
  for (let i = 0; i < p.baskets.length; i++) out.push(...basketStrings(await t.rawBasket(p, i), false));
  return out;
}

function jagged(c: Column): number[][] {
  if (c.kind !== 'jagged') throw new Error(`expected a jagged column, got ${c.kind}`);
  const o = c.offsets, vs = Array.from(c.values as ArrayLike<number>);
  return Array.from({ length: o.length - 1 }, (_, i) => vs.slice(o[i]!, o[i + 1]!).map(Number));
}

test('heppy-written string, vector, fixed and jagged branches survive merge: heppy reader and jsroot', async () => {
  const inputs: string[] = [];
  const want: Row[] = [];
  for (let k = 0; k < 3; k++) {
    const p = join(dir, `in${k}.root`);
    want.push(...await writeInput(p, k, 300 + 111 * k));
    inputs.push(p);
  }
  // Each input reads back as written (the writer alone).
  const f0 = await openRootFile(inputs[0]!);
  const t0 = await f0.tree('out/events');
  assert.equal(t0.branches.map((b) => `${b.name}:${b.typename}`), ['evt:int64_t', 'x:double', 'name:char*', 'v:std::vector<float>', 'iv:std::vector<int32_t>', 'arr:float[3]', 'n:int32_t', 'pt:float[]']);
  assert.equal(await strings(t0, 'name'), want.slice(0, 300).map((r) => r.name));
  f0.close();

  const out = join(dir, 'merged.root');
  const r = await mergeRootFiles(out, inputs);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  const f = await openRootFile(out);
  try {
    const t = await f.tree('out/events');
    assert.is(t.entries, want.length);
    assert.equal(Array.from((await t.column('evt')).values as BigInt64Array), want.map((w) => w.evt));
    assert.equal(Array.from((await t.column('x')).values as Float64Array), want.map((w) => w.x));
    assert.equal(await strings(t, 'name'), want.map((w) => w.name));
    assert.equal(jagged(await t.column('v')), want.map((w) => w.v));
    assert.equal(jagged(await t.column('iv')), want.map((w) => w.iv));
    assert.equal(jagged(await t.column('pt')), want.map((w) => w.pt));
    const arr = await t.column('arr');
    assert.is(arr.kind, 'fixed');
    assert.equal(Array.from(arr.values as Float32Array), want.flatMap((w) => w.arr));
  } finally { f.close(); }

  // jsroot, independently: every string, vector and array value.
  const tree = await jsrootObject<object>(out, 'out/events');
  const sel = new TSelector();
  for (const b of ['name', 'v', 'iv', 'arr', 'pt', 'x']) sel.addBranch(b);
  const got: { name: string; v: number[]; iv: number[]; arr: number[]; pt: number[]; x: number }[] = [];
  sel.Process = function (this: { tgtobj: Record<string, unknown> }) {
    const o = this.tgtobj;
    got.push({ name: String(o.name), v: Array.from(o.v as ArrayLike<number>), iv: Array.from(o.iv as ArrayLike<number>), arr: Array.from(o.arr as ArrayLike<number>), pt: Array.from(o.pt as ArrayLike<number>), x: Number(o.x) });
  };
  await treeProcess(tree, sel);
  assert.is(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    assert.equal([g.v, g.iv, g.arr, g.pt, g.x], [w.v, w.iv, w.arr, w.pt, w.x], `entry ${i}`);
    // jsroot decodes char* bytes one by one (Latin-1); the UTF-8 bytes must be the same.
    assert.is(Buffer.from(g.name, 'latin1').toString('utf8'), w.name, `entry ${i} name`);
  }
});

test('branches are matched by name in any order; a branch of another type is refused naming file, tree and branch', async () => {
  const write = async (p: string, order: string[], xType: 'f8' | 'f4', k: number): Promise<void> => {
    const w = RootFileWriter.create(p);
    const specs = { x: { name: 'x', type: xType }, s: { name: 's', type: 'string' }, v: { name: 'v', type: 'i4', shape: 'vector' } } as const;
    const t = w.createTree({ name: 't', branches: order.map((n) => specs[n as keyof typeof specs]) });
    for (let i = 0; i < 10; i++) t.fill({ x: i + k, s: `s${k}-${i}`, v: [i, k] });
    await w.close();
  };
  const a = join(dir, 'order-a.root'), b = join(dir, 'order-b.root'), c = join(dir, 'type-c.root');
  await write(a, ['x', 's', 'v'], 'f8', 0);
  await write(b, ['v', 'x', 's'], 'f8', 100);
  await write(c, ['x', 's', 'v'], 'f4', 200);
  const out = join(dir, 'ab.root');
  const r = await mergeRootFiles(out, [a, b]);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  const f = await openRootFile(out);
  try {
    const t = await f.tree('t');
    assert.equal(t.branches.map((x) => x.name), ['x', 's', 'v'], 'the first input\'s order');
    assert.equal(Array.from((await t.column('x')).values as Float64Array), [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => i + 100)]);
    assert.equal(await strings(t, 's'), [...Array.from({ length: 10 }, (_, i) => `s0-${i}`), ...Array.from({ length: 10 }, (_, i) => `s100-${i}`)]);
    assert.equal(jagged(await t.column('v')).slice(9, 11), [[9, 0], [0, 100]]);
  } finally { f.close(); }
  const bad = await mergeRootFiles(join(dir, 'ac.root'), [a, c]);
  assert.not.ok(bad.ok);
  if (!bad.ok) {
    assert.is(bad.error.file, c);
    assert.is(bad.error.object, 't/x');
    assert.match(bad.error.reason, /branch differs: TBranch \[TLeafF x .*in .*order-a\.root: TBranch \[TLeafD x/);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
