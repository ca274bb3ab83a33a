// Branch-graph walking on corrupt (cyclic) metadata terminates, and leaf order is ROOT's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { leafBranches, planBranch } from '../../../../src/root/read/branches.js';
import type { JsBranch, JsFile } from '../../../../src/root/read/jsroot.js';

function br(name: string, subs: JsBranch[] = []): JsBranch {
  return { fName: name, fBranches: { arr: subs } } as unknown as JsBranch;
}

test('leaf branches depth first, parents left out', () => {
  const t = [br('a'), br('evt', [br('x'), br('p', [br('p.x'), br('p.y')])]), br('b')];
  assert.equal(leafBranches(t).map((b) => b.fName), ['a', 'x', 'p.x', 'p.y', 'b']);
});

test('a branch list that contains itself many times is walked once', () => {
  const loop = br('loop');
  const arr: JsBranch[] = [];
  for (let i = 0; i < 50; i++) arr.push(loop);
  arr.push(br('leaf'));
  loop.fBranches.arr = arr; // 50-way self reference: without a visited set, 50^64 calls
  assert.equal(leafBranches([loop]).map((b) => b.fName), ['leaf']);
});

test('nesting deeper than 64 is refused', () => {
  let b = br('bottom');
  for (let i = 0; i < 70; i++) b = br(`n${i}`, [b]);
  assert.throws(() => leafBranches([b]), /nested more than 64/);
});

function element(cls: string): JsBranch {
  return {
    _typename: 'TBranchElement', fName: 'v', fTitle: 'v', fClassName: cls, fStreamerType: -1, fEntries: 0, fWriteBasket: 0, fEntryOffsetLen: 10,
    fBasketSeek: [], fBasketBytes: [], fBasketEntry: [], fBaskets: { arr: [] }, fBranches: { arr: [] },
    fLeaves: { arr: [{ _typename: 'TLeafElement', fName: 'v', fTitle: 'v', fLen: 1, fLenType: 4, fIsUnsigned: false, fLeafCount: null }] },
  } as unknown as JsBranch;
}

test('ROOT::VecOps::RVec<T> branches read like std::vector<T>; unknown classes are that branch\'s error', () => {
  const file = { findStreamerInfo: () => null } as unknown as JsFile;
  const rv = planBranch(element('ROOT::VecOps::RVec<float>'), file);
  assert.equal([rv.info.type, rv.info.shape, rv.info.typename, rv.layout.kind], ['f4', 'jagged', 'ROOT::VecOps::RVec<float>', 'vector']);
  const vd = planBranch(element('vector<double>'), file);
  assert.equal([vd.info.type, vd.info.typename, vd.layout.kind], ['f8', 'std::vector<double>', 'vector']);
  const odd = planBranch(element('MyClass'), file);
  assert.equal([odd.info.shape, odd.layout.kind], ['other', 'unsupported']);
  // Leaves jsroot could not decode (no streamer for the leaf class) mark the branch, not the tree.
  const broken = element('vector<int>');
  (broken.fLeaves.arr[0] as unknown as { fLen: unknown }).fLen = undefined;
  const p = planBranch(broken, file);
  assert.is(p.layout.kind, 'unsupported');
  assert.match((p.layout as { why: string }).why, /could not be decoded/);
});

test.run();
