import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitAll, splitComponent } from '../../../src/graph/split.js';
import { buildGraph, dependents, haddId } from '../../../src/graph/dag.js';

const files = (n: number): string[] => Array.from({ length: n }, (_, i) => `/d/f${i}.root`);

test('splitFactor: ceil(n/split) consecutive files; 10 files split 4 → [3,3,3,1], split 6 → 5×2', () => {
  assert.equal(splitComponent({ name: 'c', files: files(10), splitFactor: 4 }).map((c) => c.files.length), [3, 3, 3, 1]);
  assert.equal(splitComponent({ name: 'c', files: files(10), splitFactor: 6 }).map((c) => c.files.length), [2, 2, 2, 2, 2]);
  const s = splitComponent({ name: 'c', files: files(3), splitFactor: 10 });
  assert.equal(s.map((c) => c.name), ['c_Chunk0', 'c_Chunk1', 'c_Chunk2']);
  assert.equal(s[1]!.files, ['/d/f1.root']);
});

test('fineSplitFactor wins, file-major, fineSplit=(i,F)', () => {
  const s = splitComponent({ name: 'c', files: files(2), splitFactor: 2, fineSplitFactor: 3 });
  assert.equal(s.map((c) => [c.name, c.files[0], c.fineSplit]), [
    ['c_Chunk0', '/d/f0.root', [0, 3]], ['c_Chunk1', '/d/f0.root', [1, 3]], ['c_Chunk2', '/d/f0.root', [2, 3]],
    ['c_Chunk3', '/d/f1.root', [0, 3]], ['c_Chunk4', '/d/f1.root', [1, 3]], ['c_Chunk5', '/d/f1.root', [2, 3]],
  ]);
});

test('unsplit keeps the name; empty components dropped', () => {
  const r = splitAll([{ name: 'a', files: files(4) }, { name: 'e', files: [] }, { name: 'b', files: files(4), splitFactor: 2 }]);
  assert.equal(r.dropped, ['e']);
  assert.equal(r.chunks.map((c) => [c.name, c.split]), [['a', false], ['b_Chunk0', true], ['b_Chunk1', true]]);
  const g = buildGraph(r.chunks);
  assert.equal(g.order, ['a', 'b_Chunk0', 'b_Chunk1', 'hadd:b']);
  assert.equal(g.nodes.get(haddId('b'))!.deps, ['b_Chunk0', 'b_Chunk1']);
  assert.equal([...dependents(g, ['b_Chunk1'])], ['hadd:b']);
  assert.equal(dependents(g, ['a']).size, 0);
});

test.run();
