// `heppy root inspect` on the branch types of issue 8 (item 2) and RNTuple float encodings, as a
// user runs it: every branch is read (no 'object' or 'error' rows), the figures are the macros'.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, skhepFile } from '../util/shared.js';

type Branch = { kind: string; typename: string; count?: number; sum?: number; min?: number; max?: number; total_length?: number };
const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
function branches(file: string, tree: string): Record<string, Branch> {
  const r = heppy(['root', 'inspect', '--json', skhepFile(file)]);
  assert.is(r.code, 0, r.err);
  return (JSON.parse(r.out) as { trees: Record<string, { branches: Record<string, Branch> }> }).trees[tree]!.branches;
}

test('Double32_t / Float16_t leaves: columns with the quantised values of double32_float16.C', () => {
  const b = branches('uproot-double32-float16.root', 'tree;1');
  assert.equal(Object.values(b).map((x) => x.kind), [...Array(10).fill('scalar'), 'fixed', 'fixed']);
  // three bits over [-2.71, 10]: the 17 values -2 … 9 fall on -2.71 + k·12.71/8
  const step = 12.71 / 8;
  assert.equal([b.double32_3!.typename, b.double32_3!.count, b.double32_3!.min], ['Double32_t', 17, -2.71]);
  assert.ok(Math.abs(b.double32_3!.max! - (-2.71 + 7 * step)) < 1e-12, String(b.double32_3!.max));
  assert.equal([b.array_10!.typename, b.array_10!.count], ['Float16_t[3]', 51]);
});

test('objects and STL containers: member columns, strings, maps; nothing left as an object', () => {
  const s = branches('uproot-stl_containers.root', 'tree;1');
  assert.equal(Object.entries(s).filter(([, x]) => x.kind === 'object' || x.kind === 'error').map(([n]) => n), []);
  // entry k holds the first k of one..five: 15 strings of 54 characters, map values 1..k sum to 35
  assert.equal([s.vector_string!.kind, s.vector_string!.count, s.vector_string!.total_length], ['string', 15, 54]);
  assert.equal([s['map_string_int16.second']!.kind, s['map_string_int16.second']!.count, s['map_string_int16.second']!.sum], ['jagged', 15, 35]);
  assert.equal([s['vector_vector_int32']!.count, s['vector_vector_int32']!.sum], [35, 70]);
  const h = branches('uproot-HZZ-objects.root', 'events;1');
  // the HZZ sample's 3825 muons; MET_px of uproot-HZZ.root sums to 577.7299035903998 (uproot's summary)
  assert.equal([h['muonp4.fE']!.kind, h['muonp4.fE']!.count], ['jagged', 3825]);
  assert.ok(Math.abs(h['MET.fX']!.sum! - 577.7299035903998) < 1e-9);
  const text = heppy(['root', 'inspect', skhepFile('uproot-HZZ-objects.root')]);
  assert.is(text.code, 0, text.err);
  assert.match(text.out, /^\s+MET\.fX\s+double in TVector2\s+scalar\s+2421\s/m);
  assert.not.match(text.out, /cannot be read/);
});

test('RNTuple Real32Quant: one bit keeps only the ends of [-2, 3]', () => {
  const r = heppy(['root', 'inspect', '--json', skhepFile('test_float_types_rntuple_v1-0-0-0.root')]);
  assert.is(r.code, 0, r.err);
  const f = (JSON.parse(r.out) as { rntuples: Record<string, { fields: Record<string, { count: number; sum: number; first: number[] }> }> }).rntuples.ntuple!.fields;
  assert.equal([f.quant1!.count, f.quant1!.sum, f.quant1!.first], [4, 2, [3, 3, -2]]);
  assert.equal(f.trunc16!.first[0], 1.234375);
});

test.run();
