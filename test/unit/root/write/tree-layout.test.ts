// branchMetaFor: the title, leaf class and STL element a branch spec is written with (what ROOT
// and jsroot read the branch by), and the specs it refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { branchMetaFor, DEFAULT_BASKET_BYTES } from '../../../../src/root/write/tree-layout.js';

test('scalars, fixed and counter-sized arrays: ROOT\'s type letter, the leaf class and its element size', () => {
  const x = branchMetaFor({ name: 'x', type: 'f8' }, 101, 4096);
  assert.equal([x.title, x.leaf.className, x.leaf.title, x.leaf.len, x.leaf.lenType, x.leaf.isUnsigned, x.entryOffsetLen, x.basketSize, x.compress],
    ['x/D', 'TLeafD', 'x', 1, 8, false, 0, 4096, 101]);
  const a = branchMetaFor({ name: 'a', type: 'u2', shape: { fixed: 3 } }, 0, 1024);
  assert.equal([a.title, a.leaf.className, a.leaf.title, a.leaf.len, a.leaf.lenType, a.leaf.isUnsigned], ['a[3]/s', 'TLeafS', 'a[3]', 3, 2, true]);
  const v = branchMetaFor({ name: 'v', type: 'f4', shape: { counter: 'n' } }, 0, 1024);
  assert.equal([v.title, v.leaf.className, v.leaf.title, v.leaf.len, v.entryOffsetLen], ['v[n]/F', 'TLeafF', 'v[n]', 1, 1000]);
  assert.is(branchMetaFor({ name: 'b', type: 'bool', title: 'passes' }, 0, 1024).title, 'passes', 'a title given is kept');
  const letters = (['i1', 'u1', 'bool', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f4', 'f8'] as const).map((t) => branchMetaFor({ name: 'q', type: t }, 0, 1024).title.slice(2));
  assert.equal(letters, ['B', 'b', 'O', 'S', 's', 'I', 'i', 'L', 'l', 'F', 'D']);
  assert.equal([x.basketBytes, x.basketEntry, x.basketSeek, x.entries], [[], [], [], 0]);
  assert.is(DEFAULT_BASKET_BYTES, 65536);
});

test('a string branch is a TLeafC; a std::vector branch a TLeafElement with ROOT 6\'s class name and checksum', () => {
  const s = branchMetaFor({ name: 's', type: 'string' }, 0, 1024);
  assert.equal([s.title, s.leaf.className, s.leaf.lenType, s.entryOffsetLen, s.element], ['s/C', 'TLeafC', 1, 1000, undefined]);
  const v = branchMetaFor({ name: 'pt', type: 'f4', shape: 'vector' }, 0, 1024);
  assert.equal([v.title, v.leaf.className, v.leaf.lenType, v.element], ['pt', 'TLeafElement', 4, { className: 'vector<float>', checksum: 89790107, classVersion: 6 }]);
  assert.equal(branchMetaFor({ name: 'ids', type: 'i8', shape: 'vector' }, 0, 1024).element, { className: 'vector<long>', checksum: 29930537, classVersion: 6 });
});

test('refused: a fixed size that is not a positive integer, a string of another shape, a vector of bytes', () => {
  assert.throws(() => branchMetaFor({ name: 'a', type: 'f4', shape: { fixed: 0 } }, 0, 1024), /branch a: fixed size must be a positive integer/);
  assert.throws(() => branchMetaFor({ name: 'a', type: 'f4', shape: { fixed: 2.5 } }, 0, 1024), /branch a: fixed size must be a positive integer/);
  assert.throws(() => branchMetaFor({ name: 's', type: 'string', shape: 'vector' as never }, 0, 1024), /branch s: a string branch holds one string per entry/);
  assert.throws(() => branchMetaFor({ name: 'c', type: 'i1', shape: 'vector' }, 0, 1024), /branch c: std::vector of i1 is not written/);
});

test.run();
