// String columns: char*, TString and std::string branches (one string per entry) and string
// member paths (vector<string>, map<string,…> keys and values, strings inside a split
// vector<Trk>) read in batch windows like numbers, and by an analysis through runChunk with
// event.string() / event.strings(). Values from the macros that wrote the files (stl_containers.C)
// and uproot's sample files (str = "hey-<entry>").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import type { Column } from '../../../../src/root/types.js';
import { runChunk } from '../../../../src/loop/run-chunk.js';
import { Analyzer, Component, Config, Sequence, type Event } from '../../../../src/index.js';
import { sharedRootDir, skhepFile } from '../../../util/shared.js';

const shared = sharedRootDir();
const names = ['one', 'two', 'three', 'four', 'five'];
const sorted = (k: number): string[] => names.slice(0, k).sort(); // std::set / std::map order

/** Per-entry strings of a column. */
function perEntry(c: Column): string[][] {
  if (c.kind !== 'strings') throw new Error(`a ${c.kind} column`);
  return Array.from({ length: c.offsets.length - 1 }, (_, e) => c.values.slice(c.offsets[e]!, c.offsets[e + 1]!));
}

test('stl_containers: std::string, TString, vector<string>, map keys and values as string columns', async () => {
  const f = await openRootFile(skhepFile('uproot-stl_containers.root'));
  const t = await f.tree('tree');
  const by = new Map(t.branches.map((b) => [b.name, b]));
  assert.equal(['string', 'tstring', 'vector_string', 'map_string_int16.first', 'map_int32_int16.first'].map((n) => by.get(n)?.strings), ['scalar', 'scalar', 'jagged', 'jagged', undefined]);
  assert.equal(await t.column('string'), { kind: 'string', values: names });
  assert.equal(await t.column('tstring'), { kind: 'string', values: names });
  const k = [1, 2, 3, 4, 5];
  assert.equal(perEntry(await t.column('vector_string')), k.map((n) => names.slice(0, n)));
  assert.equal(perEntry(await t.column('vector_tstring')), k.map((n) => names.slice(0, n)));
  assert.equal(perEntry(await t.column('set_string')), k.map(sorted));
  assert.equal(perEntry(await t.column('map_string_int16.first')), k.map(sorted));
  assert.equal(perEntry(await t.column('map_string_tstring.second')), k.map((n) => sorted(n).map((s) => s.toUpperCase())));
  assert.equal(perEntry(await t.column('vector_vector_string')), k.map((n) => names.slice(0, n).flatMap((_, j) => names.slice(0, j + 1))));
  // a window inside the baskets, numbers and strings side by side
  const got: { start: number; keys: string[][]; values: number[] }[] = [];
  for await (const b of t.batches(['map_string_int16.first', 'map_string_int16.second'], 1, 4)) {
    const c = b.columns['map_string_int16.second']!;
    got.push({ start: b.start, keys: perEntry(b.columns['map_string_int16.first']!), values: Array.from(c.values as Int16Array) });
  }
  assert.equal(got.flatMap((g) => g.keys), [2, 3, 4].map(sorted));
  assert.equal(got.flatMap((g) => g.values), [2, 3, 4].flatMap((n) => sorted(n).map((s) => names.indexOf(s) + 1)));
  f.close();
});

test('strings inside a split vector<Trk> (uproot-issue390.root): one per track, per entry', async () => {
  const f = await openRootFile(skhepFile('uproot-issue390.root'));
  const t = await f.tree('E');
  const c = await t.column('trks.comment'), id = await t.column('trks.id');
  assert.is(c.kind, 'strings');
  if (c.kind !== 'strings' || id.kind !== 'jagged') throw new Error('shapes');
  assert.equal(Array.from(c.offsets), Array.from(id.offsets)); // 557 tracks in 10 entries
  assert.is(c.values.length, 557);
  assert.ok(c.values.every((s) => s === ''), 'aanet leaves the comments empty');
  assert.equal(await t.column('comment'), { kind: 'string', values: Array(10).fill('') });
  f.close();
});

if (shared !== null) {
  test('char* in the uproot sample files of every compression; strings across baskets in windows', async () => {
    for (const comp of ['zlib', 'lz4', 'lzma', 'uncompressed']) {
      const f = await openRootFile(join(shared, `uproot-sample-6.20.04-${comp}.root`));
      const t = await f.tree('sample');
      const want = Array.from({ length: 30 }, (_, i) => `hey-${i}`);
      assert.equal(await t.column('str'), { kind: 'string', values: want }, comp);
      const parts: string[] = [];
      for await (const b of t.batches(['str', 'n'], 7, 23)) parts.push(...(b.columns.str!.values as string[]));
      assert.equal(parts, want.slice(7, 23), `${comp} window`);
      f.close();
    }
  });

  test('uproot-nesteddirs: std::string, TString and vector<string> of 100 entries', async () => {
    const f = await openRootFile(join(shared, 'uproot-nesteddirs.root'));
    const t = await f.tree('three/tree');
    const pad = (i: number): string => String(i).padStart(3, '0');
    assert.equal((await t.column('StdStr')).values, Array.from({ length: 100 }, (_, i) => `std-${pad(i)}`));
    const n = await t.column('StlVecI32');
    if (n.kind !== 'jagged') throw new Error(n.kind);
    const v = await t.column('StlVecStr');
    if (v.kind !== 'strings') throw new Error(v.kind);
    assert.equal(Array.from(v.offsets), Array.from(n.offsets));
    assert.equal(v.values, Array.from(n.values as Int32Array, (x) => `vec-${pad(x)}`));
    assert.is(v.values.length, 450);
    f.close();
  });
}

// Analyses read strings like numbers: declared in static branches, or by default with every column.
const seen = { str: [] as string[], n: 0, keys: [] as string[], pairs: 0, vec: 0, has: [] as boolean[], errors: [] as string[] };
class Sample extends Analyzer {
  static branches = ['str', 'n'];
  override process(e: Event): void {
    seen.str.push(e.string('str'));
    seen.n += e.scalar('n');
    if (e.iEv === 0) {
      for (const f of [() => e.scalar('str'), () => e.strings('str'), () => e.array('str'), () => e.string('n')]) {
        try { f(); } catch (err) { seen.errors.push((err as Error).message); }
      }
    }
  }
}
class Containers extends Analyzer {
  override process(e: Event): void {
    seen.has.push(e.has('vector_string') && e.has('string') && e.has('map_string_int16.first'));
    const keys = e.strings('map_string_int16.first'), vals = e.array('map_string_int16.second');
    for (let i = 0; i < keys.length; i++) { seen.keys.push(`${keys[i]}=${vals[i]}`); seen.pairs++; }
    seen.vec += (e.get('vector_string') as string[]).length;
    seen.str.push(e.get('string') as string);
  }
}

async function run(cls: typeof Analyzer, file: string, tree: string): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'heppy-strings-'));
  try {
    const cfg = new Config({ components: [new Component('c', { files: [file] })], sequence: new Sequence(new Analyzer(cls)) });
    const r = await runChunk({ name: 'c', component: 'c', files: [file], tree, fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'k', attempt: 1 }, join(out, 'c'), { loadConfig: async () => cfg });
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
  } finally { rmSync(out, { recursive: true, force: true }); }
}

test('an analysis reads string columns (runChunk): every branch by default, map keys with their values', async () => {
  seen.str = []; seen.keys = [];
  await run(Containers, skhepFile('uproot-stl_containers.root'), 'tree');
  assert.equal(seen.has, [true, true, true, true, true]);
  assert.equal(seen.str, names);
  assert.is(seen.vec, 15);
  assert.is(seen.pairs, 15);
  assert.equal(seen.keys.slice(0, 6), ['one=1', 'one=1', 'two=2', 'one=1', 'three=3', 'two=2']);
});

if (shared !== null) {
  test('an analysis reads a char* branch declared in static branches; wrong accessors name the right one', async () => {
    seen.str = []; seen.n = 0; seen.errors = [];
    await run(Sample, join(shared, 'uproot-sample-6.20.04-zlib.root'), 'sample');
    assert.equal(seen.str, Array.from({ length: 30 }, (_, i) => `hey-${i}`));
    assert.is(seen.n, 60); // inspect: n sums to 60
    assert.is(seen.errors.length, 4);
    assert.match(seen.errors[0]!, /str is a string column; use event\.string\('str'\)/);
    assert.match(seen.errors[1]!, /not a string array \(string\); use event\.string\('str'\)/);
    assert.match(seen.errors[2]!, /string column; use event\.string\('str'\)/);
    assert.match(seen.errors[3]!, /n is not one string per event \(flat\); it is numeric/);
  });
}

test.run();
