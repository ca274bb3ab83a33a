import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { typeSize, type NumType } from '../../../src/root/types.js';

test('typeSize: bytes per value on disk, the size of the matching typed array', () => {
  const arrays: Record<NumType, { BYTES_PER_ELEMENT: number }> = {
    i1: Int8Array, u1: Uint8Array, bool: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
    i8: BigInt64Array, u8: BigUint64Array, f4: Float32Array, f8: Float64Array,
  };
  assert.equal(Object.keys(typeSize).sort(), Object.keys(arrays).sort());
  for (const [t, a] of Object.entries(arrays)) assert.is(typeSize[t as NumType], a.BYTES_PER_ELEMENT, t);
});

test.run();
