// Branch-graph walking on corrupt (cyclic) metadata terminates, and leaf order is ROOT's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { leafBranches } from '../../../../src/root/read/branches.js';
import type { JsBranch } from '../../../../src/root/read/jsroot.js';

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

test.run();
