// RowAppender: one row into the branch buffers, all or nothing: each branch takes one entry (a
// counter left out is the length of the array it counts), a full basket is reported, and a row
// refused part way is taken back from every branch it reached, byte for byte.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BranchBuf } from '../../../../src/root/write/tree-branch.js';
import type { TreeBranchSpec } from '../../../../src/root/write/tree-layout.js';
import { RowAppender } from '../../../../src/root/write/tree-row.js';

function branches(specs: TreeBranchSpec[], basketBytes = 1024): { bufs: BranchBuf[]; rows: RowAppender } {
  const bufs = specs.map((s) => new BranchBuf(s, basketBytes, 0));
  // Counters as TreeWriter links them: the jagged branch names its counter's index, the counter is a range.
  bufs.forEach((b) => {
    const sh = b.spec.shape;
    if (typeof sh !== 'object' || !('counter' in sh)) return;
    const ci = bufs.findIndex((c) => c.spec.name === sh.counter);
    b.counterIdx = ci;
    bufs[ci]!.meta.leaf.isRange = true;
  });
  return { bufs, rows: new RowAppender('t', bufs, basketBytes) };
}

const SPECS: TreeBranchSpec[] = [
  { name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } },
  { name: 's', type: 'string' }, { name: 'w', type: 'i2', shape: 'vector' }, { name: 'a', type: 'i8', shape: { fixed: 2 } },
];

test('a row: one entry in every branch, strings and vectors streamed with their lengths, the counter derived from its array and its largest value kept', () => {
  const { bufs, rows } = branches(SPECS);
  assert.is(rows.append({ x: 1.5, v: [1, 2, 3], s: 'mu', w: [7], a: [1, 2] }, 0), false);
  assert.equal(bufs.map((b) => [b.n, b.pos]), [[1, 8], [1, 4], [1, 12], [1, 3], [1, 12], [1, 16]]);
  assert.is(bufs[1]!.view.getInt32(0), 3, 'n = 3, from v');
  assert.is(bufs[1]!.max, 3);
  assert.equal(Array.from(bufs[3]!.buf.subarray(0, 3)), [2, 0x6d, 0x75], 'length byte, then "mu"');
  // std::vector: byte count | 0x40000000, version 6, length 1, the value.
  assert.is(Buffer.from(bufs[4]!.buf.subarray(0, 12)).toString('hex'), '40000008' + '0006' + '00000001' + '0007');
  assert.equal([bufs[2]!.offsets, bufs[3]!.offsets, bufs[4]!.offsets], [[0], [0], [0]]);
});

test('a full basket is reported once a branch reaches the basket size', () => {
  const { rows } = branches([{ name: 'x', type: 'f8' }], 1024);
  let full = 0;
  for (let i = 0; i < 128; i++) if (rows.append({ x: i }, i)) full++;
  assert.is(full, 1, 'the 128th f8 fills 1024 bytes');
});

test('a row refused part way leaves every branch as it was: positions, entry counts, offsets and largest counter value', () => {
  const { bufs, rows } = branches(SPECS);
  rows.append({ x: 1, n: 2, v: [1, 2], s: 'a', w: [], a: [1, 2] }, 0);
  const before = bufs.map((b) => [b.n, b.pos, b.offsets.length, b.max, Buffer.from(b.buf.subarray(0, b.pos)).toString('hex')]);
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ x: 2, n: 5, v: [1, 2], s: 'b', w: [], a: [1, 2] }, /^tree t: branch v has 2 values but its counter says 5$/],
    [{ x: 2, v: [1, 2, 3, 4, 5, 6], s: 7, w: [], a: [1, 2] }, /^tree t: branch s needs a string$/],
    [{ x: 2, v: [9], s: 'b', w: 3, a: [1, 2] }, /^tree t: branch w needs an array$/],
    [{ x: 2, v: [9], s: 'b', w: [1], a: [1, 2.5] }, /^branch a: 2.5 is not an integer$/],
    [{ x: 2, v: [9], s: 'b', w: [1], a: [1] }, /^tree t: branch a needs 2 values$/],
    [{ x: 'two', v: [9], s: 'b', w: [1], a: [1, 2] }, /^tree t: branch x is numeric, got a string$/],
    [{ v: [9], s: 'b', w: [1], a: [1, 2] }, /^tree t: no value for branch x$/],
  ];
  for (const [row, msg] of bad) {
    assert.throws(() => rows.append(row as never, 1), msg);
    assert.equal(bufs.map((b) => [b.n, b.pos, b.offsets.length, b.max, Buffer.from(b.buf.subarray(0, b.pos)).toString('hex')]), before, String(msg));
  }
  rows.append({ x: 3, v: [4], s: 'c', w: [5, 6], a: [7, 8] }, 1);
  assert.equal(bufs.map((b) => b.n), [2, 2, 2, 2, 2, 2]);
});

test.run();
