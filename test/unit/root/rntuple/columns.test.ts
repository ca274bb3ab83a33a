// RNTuple column encodings beyond the plain ones: Real32Trunc and Real32Quant (bit-packed, the
// top bits of each 32-bit word), checked against what rntuple_float_types.C wrote; a field
// whose column representation changes between clusters (rntuple_multiple_representations.C).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { skhepFile } from '../../../util/shared.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RNTupleReader } from '../../../../src/root/rntuple/reader.js';
import { ColType, columnType, decodePage } from '../../../../src/root/rntuple/columns.js';
import type { TypeInfo } from '../../../../src/root/rntuple/columns.js';

// The four values every field of rntuple_float_types.C got (floats); the quantised fields got
// 1.6666666f instead of 1.4660155e13f in the second entry.
const truncWritten = [1.23456789, 1.4660155e13, -6.2875986e-22, -1.9060668].map(Math.fround);
const quantWritten = [1.23456789, 1.6666666, -6.2875986e-22, -1.9060668].map(Math.fround);

/** The float with its low 32 − bits bits cleared (what Real32Trunc keeps). */
function truncated(x: number, bits: number): number {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
  u[0] = bits === 32 ? u[0]! : Number((BigInt(u[0]!) >> BigInt(32 - bits)) << BigInt(32 - bits));
  return f[0]!;
}

/** ROOT's quantisation in [min, max] with `bits` bits: q = (uint)(0.5 + (x − min)·qmax/(max − min)). */
function quantised(x: number, bits: number, min: number, max: number): number {
  const qmax = 2 ** bits - 1;
  const q = Math.floor(0.5 + (x - min) * (qmax / (max - min)));
  return Math.fround(q * ((max - min) / qmax) + min);
}

test('test_float_types_rntuple: Real32Trunc and Real32Quant fields equal the macro\'s values', async () => {
  const f = await openRootFile(skhepFile('test_float_types_rntuple_v1-0-0-0.root'));
  const r = await RNTupleReader.open(f, 'ntuple');
  assert.is(r.entries, 4);
  for (const bits of [10, 16, 24, 31]) {
    const c = await r.column(`trunc${bits}`);
    assert.equal(Array.from(c.values as Float32Array), truncWritten.map((x) => truncated(x, bits)), `trunc${bits}`);
  }
  // 1.23456789f is 0x3F9E0652: ten bits keep 1.0, sixteen 1.234375 (the macro's own comment)
  assert.is((await r.column('trunc10')).values[0], 1);
  assert.is((await r.column('trunc16')).values[0], 1.234375);
  for (const bits of [1, 8, 16, 20, 24, 25, 32]) {
    const c = await r.column(`quant${bits}`);
    assert.equal(Array.from(c.values as Float32Array), quantWritten.map((x) => quantised(x, bits, -2, 3)), `quant${bits}`);
  }
  // one bit: only the two ends of [-2, 3]
  assert.equal(Array.from((await r.column('quant1')).values as Float32Array), [3, 3, -2, -2]);
  f.close();
});

test('a field with another column representation in its second cluster (Real32, Real16, Real32)', async () => {
  const f = await openRootFile(skhepFile('test_multiple_representations_rntuple_v1-0-0-0.root'));
  const r = await RNTupleReader.open(f, 'ntuple');
  assert.equal(Array.from((await r.column('real')).values as Float32Array), [1, 2, 3]);
  f.close();
});

test('bit-packed pages: sizes and settings checked', () => {
  const t = columnType(ColType.Real32Quant, { bits: 3, min: 0, max: 7, flags: 0x02 }) as TypeInfo;
  // values 0..7 in 3 bits each, the first in the lowest bits: 8 values in 3 bytes
  const vals = [0, 1, 2, 3, 4, 5, 6, 7];
  let acc = 0n;
  vals.forEach((v, i) => { acc |= BigInt(v) << BigInt(3 * i); });
  const raw = new Uint8Array([Number(acc & 0xffn), Number((acc >> 8n) & 0xffn), Number((acc >> 16n) & 0xffn)]);
  const out = new Float32Array(8);
  decodePage(t, raw, 8, out, 0);
  assert.equal(Array.from(out), vals);
  assert.throws(() => decodePage(t, raw.subarray(0, 2), 8, out, 0), /has 2 bytes, expected 3/);
  assert.match(columnType(ColType.Real32Quant, { bits: 8, min: 0, max: 1, flags: 0 }) as string, /without a valid value range/);
  assert.match(columnType(ColType.Real32Trunc, { bits: 8, min: 0, max: 0, flags: 0 }) as string, /8 bits on storage \(allowed 10-31\)/);
  assert.match(columnType(ColType.Real32Trunc) as string, /needs its bits on storage/);
});

test.run();
