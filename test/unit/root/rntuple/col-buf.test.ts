// ColBuf: one column of the RNTuple writer's open cluster: values kept in the column's typed array
// past its first allocation, booleans and bigints converted, the byte size the cluster cut reads,
// and a value an integer column cannot hold refused with its field named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColBuf, kindOf } from '../../../../src/root/rntuple/col-buf.js';
import { ColType } from '../../../../src/root/rntuple/columns.js';
import type { ColumnDesc } from '../../../../src/root/rntuple/descriptor.js';

const desc = (type: ColType): ColumnDesc => ({ id: 0, type, bits: 0, fieldId: 0, flags: 0, repr: 0, firstElement: 0, min: 0, max: 0 });
const col = (type: ColType): ColBuf => new ColBuf(desc(type), kindOf(type), 'rntuple events: field x');

test('values past the first 1024 are kept in order (the array doubles), in the column type', () => {
  const c = col(ColType.SplitInt32);
  for (let i = 0; i < 3000; i++) c.push(i - 1500);
  assert.is(c.n, 3000);
  assert.ok(c.values instanceof Int32Array);
  assert.is(c.values.length, 4096);
  let sum = 0;
  for (let i = 0; i < c.n; i++) sum += c.values[i] as number;
  assert.is(sum, -1500);
  assert.is(c.bytes, 12000);
});

test('pushAll copies a typed array at once and a plain array value by value; bools become 0/1', () => {
  const f = col(ColType.Real32);
  f.pushAll(new Float64Array([1.5, 2.5, 3.5]));
  f.pushAll([4, 5]);
  f.push(true);
  assert.equal(Array.from(f.values.subarray(0, f.n) as Float32Array), [1.5, 2.5, 3.5, 4, 5, 1]);
  const big = new Float64Array(2500).fill(2);
  f.pushAll(big);
  assert.is(f.n, 2506);
  assert.is(f.bytes, 2506 * 4);
  const b = col(ColType.Bit);
  for (let i = 0; i < 16; i++) b.push(i % 3 === 0);
  assert.is(b.bytes, 2, 'a bit column: 8 elements a byte');
  assert.is(Array.from(b.values.subarray(0, 16) as Uint8Array).reduce((a, x) => a + x, 0), 6);
});

test('a 64-bit column takes bigints and safe integers; a fraction is refused naming the field, nothing appended', () => {
  const c = col(ColType.SplitInt64);
  c.push(-5n);
  c.push(7);
  c.pushAll([1, 2n]);
  assert.equal(Array.from(c.values.subarray(0, c.n) as BigInt64Array), [-5n, 7n, 1n, 2n]);
  assert.throws(() => c.push(1.5), (e: Error) => e instanceof RangeError && e.message === "rntuple events: field x: 1.5 is not an integer");
  assert.is(c.n, 4);
  const u = col(ColType.UInt64);
  u.push(18000000000000000000n);
  assert.is((u.values as BigUint64Array)[0], 18000000000000000000n);
  assert.is(u.bytes, 8);
});

test('kindOf: the value kind of a column type; a type the writer cannot hold throws', () => {
  assert.is(kindOf(ColType.SplitReal64), 'f64');
  assert.is(kindOf(ColType.Index64), 'index64');
  assert.is(kindOf(ColType.Bit), 'bit');
  assert.throws(() => kindOf(0xee as ColType));
});

test.run();
