// BranchBuf: one branch's pending basket: values encoded big-endian (as ROOT stores them) one by
// one or a whole array at once, the buffer grown when an entry does not fit, and a value the
// branch type cannot hold refused naming the branch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BranchBuf } from '../../../../src/root/write/tree-branch.js';
import type { NumType } from '../../../../src/root/types.js';

const hex = (b: BranchBuf): string => Buffer.from(b.buf.subarray(0, b.pos)).toString('hex');
const buf = (type: NumType, shape?: { fixed: number } | { counter: string } | 'vector'): BranchBuf =>
  new BranchBuf(shape === 'vector' ? { name: 'b', type, shape } : { name: 'b', type, ...(shape ? { shape } : {}) }, 1024, 0);

test('put: each type big-endian, in its own size', () => {
  const cases: Array<[NumType, number | bigint | boolean, string]> = [
    ['f8', 1.5, '3ff8000000000000'], ['f4', -2, 'c0000000'], ['i4', -1, 'ffffffff'], ['u4', 4000000000, 'ee6b2800'],
    ['i2', -2, 'fffe'], ['u2', 65535, 'ffff'], ['i1', -128, '80'], ['u1', 255, 'ff'], ['bool', true, '01'], ['bool', 0, '00'], ['bool', 7, '01'],
    ['i8', -2, 'fffffffffffffffe'], ['i8', 2 ** 40 + 3, '0000010000000003'], ['i8', -(10n ** 18n), 'f21f494c589c0000'],
    ['u8', 18000000000000000000n, 'f9ccd8a1c5080000'], ['u8', 5, '0000000000000005'],
  ];
  for (const [type, v, want] of cases) {
    const b = buf(type);
    b.put(v);
    assert.is(hex(b), want, `${type} ${String(v)}`);
  }
});

test('put: a fraction for a 64-bit integer branch is refused naming the branch', () => {
  const b = buf('i8');
  assert.throws(() => b.put(1.5), /^branch b: 1.5 is not an integer$/);
  assert.throws(() => buf('u8').put(-1.25), /^branch b: -1.25 is not an integer$/);
});

test('putAll: the first n values of an array, as put would write them one by one', () => {
  for (const type of ['f8', 'f4', 'i4', 'u4', 'i2', 'u2', 'i1', 'u1', 'bool', 'i8', 'u8'] as NumType[]) {
    const vals = [1, 0, 3, 2, 7];
    const one = buf(type), all = buf(type);
    for (const v of vals.slice(0, 4)) one.put(v);
    all.putAll(vals, 4);
    assert.is(hex(all), hex(one), type);
  }
});

test('ensure grows the buffer keeping what it holds; reset empties the pending basket', () => {
  const b = buf('f8');
  for (let i = 0; i < 200; i++) { b.ensure(8); b.put(i); }
  assert.is(b.pos, 1600);
  assert.ok(b.buf.length >= 1600);
  assert.is(b.view.getFloat64(199 * 8), 199);
  b.n = 200; b.offsets.push(0, 8);
  b.reset();
  assert.equal([b.pos, b.n, b.offsets.length], [0, 0, 0]);
});

test('what an entry holds: numbers, a string (as u1 bytes), a vector; jagged when its length varies; values per entry of a fixed array', () => {
  assert.equal([buf('f4').kind, buf('f4').jagged, buf('f4').size], ['num', false, 1]);
  assert.equal([buf('i2', { fixed: 3 }).jagged, buf('i2', { fixed: 3 }).size], [false, 3]);
  assert.equal([buf('f4', { counter: 'n' }).jagged], [true]);
  const v = buf('f4', 'vector');
  assert.equal([v.kind, v.jagged, v.num], ['vector', true, 'f4']);
  const s = new BranchBuf({ name: 's', type: 'string' }, 1024, 0);
  assert.equal([s.kind, s.jagged, s.num, s.meta.leaf.className], ['string', true, 'u1', 'TLeafC']);
});

test.run();
