// Double32_t / Float16_t: ranges parsed as TStreamerElement::GetRange does, values unpacked as
// TBufferFile::ReadWithFactor / ReadWithNbits do; the TLeafD32/TLeafF16 branches of
// uproot-double32-float16.root equal what double32_float16.C wrote, quantised by ROOT's rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packedFromTitle, unpackInto } from '../../../../src/root/read/packed.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { skhepFile } from '../../../util/shared.js';

test('ranges: factor, nbits, plain float, pi bounds, out-of-range bits', () => {
  assert.equal(packedFromTitle('d[-2.71,10,32]', false), { kind: 'factor', factor: 0xffffffff / 12.71, xmin: -2.71 });
  assert.equal(packedFromTitle('f[-2.71,10,3]', true), { kind: 'factor', factor: 8 / 12.71, xmin: -2.71 });
  assert.equal(packedFromTitle('[0,2*pi,16]', false), { kind: 'factor', factor: 65536 / (2 * Math.PI), xmin: 0 });
  assert.equal(packedFromTitle('[-pi/2,pi/2]', false), { kind: 'factor', factor: 0xffffffff / Math.PI, xmin: -Math.PI / 2 });
  assert.equal(packedFromTitle('[0,0,10]', false), { kind: 'nbits', nbits: 10 });
  assert.equal(packedFromTitle('[0,0,20]', false), { kind: 'float' });   // 15 bits or more without range: a float
  assert.equal(packedFromTitle('d', false), { kind: 'float' });
  assert.equal(packedFromTitle('f', true), { kind: 'nbits', nbits: 12 }); // Float16 default
  assert.equal(packedFromTitle('[1,0,40]', true), { kind: 'nbits', nbits: 12 });
});

/** TBufferFile::WriteWithNbits: exponent byte, mantissa rounded to nbits, sign above it. */
function writeNbits(x: number, nbits: number): number[] {
  const f = new Float32Array([x]), i = new Int32Array(f.buffer)[0]!;
  const exp = 0xff & ((i << 1) >>> 24);
  let man = ((1 << (nbits + 1)) - 1) & (i >> (23 - nbits - 1));
  man++; man >>= 1;
  if (man & (1 << nbits)) man = (1 << nbits) - 1;
  if (f[0]! < 0) man |= 1 << (nbits + 1);
  return [exp, man >> 8, man & 0xff];
}

test('nbits values: what WriteWithNbits stored reads back within the kept mantissa bits', () => {
  const xs = [3.14159, -2.5, 0.001, 1000.75, -0.0625];
  for (const nb of [4, 8, 12, 14]) {
    const bytes = new Uint8Array(xs.flatMap((x) => writeNbits(x, nb)));
    const out = new Float64Array(xs.length);
    unpackInto({ kind: 'nbits', nbits: nb }, bytes, 0, xs.length, out, 0);
    xs.forEach((x, k) => assert.ok(Math.abs(out[k]! - x) <= Math.abs(x) * 2 ** -nb, `${nb} bits: ${x} read as ${out[k]}`));
  }
  // -0.0625 is exact in any number of bits
  const out = new Float32Array(1);
  unpackInto({ kind: 'nbits', nbits: 4 }, new Uint8Array(writeNbits(-0.0625, 4)), 0, 1, out, 0);
  assert.is(out[0], -0.0625);
});

test('a packed value that overruns the bytes is an error, not garbage', () => {
  assert.throws(() => unpackInto({ kind: 'factor', factor: 1, xmin: 0 }, new Uint8Array(7), 0, 2, new Float64Array(2), 0), /need 8 bytes/);
});

// double32_float16.C fills every branch with these 17 values, assigned through a chain that
// ends in a float: the doubles hold the float-rounded values too.
const written = [-2, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(Math.fround);

/** ROOT's stored-then-read value with a range: UInt(0.5 + factor·(x − xmin)) / factor + xmin. */
function quantised(x: number, nbits: number, float16: boolean): number {
  const xmin = -2.71, xmax = 10;
  const factor = (nbits < 32 ? 2 ** nbits : 0xffffffff) / (xmax - xmin);
  const c = Math.min(Math.max(x, xmin), xmax);
  const v = Math.floor(0.5 + factor * (c - xmin)) / factor + xmin;
  return float16 ? Math.fround(v) : v;
}

test('uproot-double32-float16.root: TLeafD32 / TLeafF16 scalars and [3] arrays', async () => {
  const f = await openRootFile(skhepFile('uproot-double32-float16.root'));
  const t = await f.tree('tree');
  assert.is(t.entries, 17);
  for (const [name, nbits, f16] of [['double32_32', 32, false], ['double32_30', 30, false], ['double32_20', 20, false], ['double32_10', 10, false],
    ['double32_5', 5, false], ['double32_3', 3, false], ['float16_16', 16, true], ['float16_10', 10, true], ['float16_5', 5, true], ['float16_3', 3, true]] as const) {
    const info = t.branches.find((b) => b.name === name)!;
    assert.equal([info.type, info.shape, info.typename], [f16 ? 'f4' : 'f8', 'scalar', f16 ? 'Float16_t' : 'Double32_t'], name);
    const c = await t.column(name);
    assert.is(c.kind, 'flat');
    assert.equal(Array.from(c.values as Float64Array), written.map((x) => quantised(x, nbits, f16)), name);
  }
  // three bits: 8 steps of 12.71/8 from -2.71; -2 → -2.71, 9 → -2.71 + 7·12.71/8
  assert.is((await t.column('double32_3')).values[0], -2.71);
  for (const [name, nbits, f16] of [['array_30', 30, false], ['array_10', 10, true]] as const) {
    const c = await t.column(name);
    assert.is(c.kind, 'fixed');
    if (c.kind !== 'fixed') continue;
    assert.is(c.size, 3);
    assert.equal(Array.from(c.values as Float64Array), written.flatMap((x) => [x, x, x].map((y) => quantised(y, nbits, f16))), name);
  }
  f.close();
});

test.run();
