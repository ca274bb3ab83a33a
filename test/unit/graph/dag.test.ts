import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildGraph, chunksUnder, dependents, dirOfNodeId, mergeTree, nodeDir, type HaddNode } from '../../../src/graph/dag.js';
import { splitComponent } from '../../../src/graph/split.js';
import { haddKey, haddKeyParts, keyOf } from '../../../src/graph/keys.js';
import { initHash } from '../../../src/fingerprint/hash.js';

await initHash();

const chunks = (n: number): string[] => Array.from({ length: n }, (_, i) => `c_Chunk${i}`);

test('at most fan-in chunks: one merge node over the chunks, in the component directory (as before)', () => {
  const t = mergeTree('c', chunks(16), 16);
  assert.is(t.length, 1);
  assert.equal([t[0]!.id, t[0]!.level, t[0]!.dir, t[0]!.chunks], ['hadd:c', 0, 'c', 16]);
  assert.equal(t[0]!.deps, chunks(16));
});

test('200 chunks, fan-in 16: 13 level-1 nodes of 16 consecutive chunks (the last of 8) and the final merge over them', () => {
  const t = mergeTree('c', chunks(200), 16);
  assert.is(t.length, 14);
  const l1 = t.filter((n) => n.level === 1);
  assert.is(l1.length, 13);
  assert.equal(l1[3]!.deps, chunks(200).slice(48, 64));
  assert.equal([l1[12]!.id, l1[12]!.chunks, l1[12]!.dir], ['hadd:c/L1-12', 8, '.heppy/merge/c/L1-12']);
  const top = t[t.length - 1]!;
  assert.equal([top.id, top.level, top.dir, top.chunks], ['hadd:c', 0, 'c', 200]);
  assert.equal(top.deps, l1.map((n) => n.id));
});

test('1,000 chunks, fan-in 16: 63 + 4 + 1 nodes; a chunk has 3 merges above it; every chunk under the final once, in order', () => {
  const plans = splitComponent({ name: 'c', files: Array.from({ length: 1000 }, (_, i) => `/d/f${i}.root`), splitFactor: 1000 });
  const g = buildGraph(plans, 16);
  const merges = [...g.nodes.values()].filter((n): n is HaddNode => n.kind === 'hadd');
  assert.equal([1, 2, 0].map((l) => merges.filter((n) => n.level === l).length), [63, 4, 1]);
  assert.equal([...dependents(g, ['c_Chunk517'])].sort(), ['hadd:c', 'hadd:c/L1-32', 'hadd:c/L2-2']);
  assert.equal(chunksUnder(g, 'hadd:c'), chunks(1000));
  // Topological: every node after its inputs.
  const at = new Map(g.order.map((id, i) => [id, i]));
  for (const n of g.nodes.values()) for (const d of n.deps) assert.ok(at.get(d)! < at.get(n.id)!, `${d} before ${n.id}`);
  for (const n of merges) assert.is(dirOfNodeId(n.id), nodeDir(n));
  assert.is(dirOfNodeId('c_Chunk3'), 'c_Chunk3');
  assert.throws(() => mergeTree('c', chunks(3), 1), /fan-in/);
});

test('merge keys: haddKey equals keyOf(haddKeyParts) with and without a level; the level separates an intermediate from a final merge', () => {
  const inputs: Array<[string, string]> = [['a', '01'], ['b', '02']];
  for (const level of [0, 1, 2]) {
    assert.is(haddKey('v1', 'c', inputs.map((x) => x[0]), (i) => inputs[i]![1], level), keyOf(haddKeyParts('v1', 'c', inputs, level)));
  }
  assert.is.not(keyOf(haddKeyParts('v1', 'c', inputs, 1)), keyOf(haddKeyParts('v1', 'c', inputs, 0)));
});

test.run();
