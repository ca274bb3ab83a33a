// Big-endian decoding and ROOT's compressed-block framing, on hand-made bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateSync } from 'node:zlib';
import { decodeBE } from '../../../../src/root/read/decode.js';
import { decompress, initDecompression } from '../../../../src/root/read/decompress.js';
import type { NumType } from '../../../../src/root/types.js';

function be(type: NumType, values: (number | bigint)[]): Uint8Array {
  const size = { i1: 1, u1: 1, bool: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f4: 4, f8: 8 }[type];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const p = i * size;
    switch (type) {
      case 'i1': dv.setInt8(p, Number(v)); break;
      case 'u1': case 'bool': dv.setUint8(p, Number(v)); break;
      case 'i2': dv.setInt16(p, Number(v)); break;
      case 'u2': dv.setUint16(p, Number(v)); break;
      case 'i4': dv.setInt32(p, Number(v)); break;
      case 'u4': dv.setUint32(p, Number(v)); break;
      case 'i8': dv.setBigInt64(p, BigInt(v)); break;
      case 'u8': dv.setBigUint64(p, BigInt(v)); break;
      case 'f4': dv.setFloat32(p, Number(v)); break;
      case 'f8': dv.setFloat64(p, Number(v)); break;
    }
  });
  return out;
}

const cases: [NumType, (number | bigint)[]][] = [
  ['i1', [0, 1, -1, 127, -128]], ['u1', [0, 255, 7]], ['bool', [0, 1, 1, 0]],
  ['i2', [0, -2, 32767, -32768, 258]], ['u2', [65535, 1, 258]],
  ['i4', [0, -1, 2147483647, -2147483648, 16909060]], ['u4', [4294967295, 1, 16909060]],
  ['i8', [0n, -1n, -2147483649n, -4294967296n, 9223372036854775807n, -9223372036854775808n, 2n ** 53n + 1n]],
  ['u8', [0n, 18446744073709551615n, 2n ** 63n, 4294967296n]],
  ['f4', [0, -1.5, Math.fround(3.1), Infinity]], ['f8', [0, -1.5, Math.PI, -1e300, NaN]],
];

for (const [type, values] of cases) {
  test(`decodeBE ${type}: copied and in place, at aligned and odd offsets`, () => {
    const bytes = be(type, values);
    const expect = values.map((v) => (typeof v === 'bigint' ? v : Number.isNaN(v) ? 'NaN' : v));
    const show = (a: ArrayLike<number | bigint>) => Array.from(a, (v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v));
    assert.equal(show(decodeBE(type, bytes, 0, values.length)), expect);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    assert.equal(show(decodeBE(type, shifted, 3, values.length, true)), expect, 'unaligned owned buffer is copied');
    const own = bytes.slice();
    assert.equal(show(decodeBE(type, own, 0, values.length, true)), expect, 'in place');
  });
}

test('bool bytes other than 0/1 read as 1', () => {
  assert.equal(Array.from(decodeBE('bool', Uint8Array.from([0, 2, 255, 1]), 0, 4) as Uint8Array), [0, 1, 1, 1]);
});

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try { await p; } catch (e) { assert.match((e as Error).message, re); return; }
  assert.unreachable(`expected a rejection matching ${re}`);
}

function block(magic: string, payload: Uint8Array, usize: number): Uint8Array {
  const h = new Uint8Array(9 + payload.length);
  h[0] = magic.charCodeAt(0); h[1] = magic.charCodeAt(1); h[2] = 8;
  h[3] = payload.length & 0xff; h[4] = (payload.length >> 8) & 0xff; h[5] = payload.length >> 16;
  h[6] = usize & 0xff; h[7] = (usize >> 8) & 0xff; h[8] = usize >> 16;
  h.set(payload, 9);
  return h;
}

test('zlib blocks, one after the other, make up the buffer', async () => {
  await initDecompression();
  const a = new Uint8Array(70000).map((_, i) => i % 251), b = new Uint8Array(1000).fill(9);
  const b1 = block('ZL', deflateSync(a), a.length), b2 = block('ZL', deflateSync(b), b.length);
  const buf = new Uint8Array(b1.length + b2.length);
  buf.set(b1); buf.set(b2, b1.length);
  const out = await decompress(buf, a.length + b.length);
  assert.equal(out.subarray(0, a.length), a);
  assert.equal(out.subarray(a.length), b);
});

test('unknown magic, short data and size lies are errors with the reason', async () => {
  const z = deflateSync(new Uint8Array(100));
  await rejects(decompress(block('QQ', z, 100), 100), /unknown compression magic "QQ"/);
  await rejects(decompress(block('CS', z, 100), 100), /old "CS" algorithm/);
  await rejects(decompress(block('ZL', z, 100).subarray(0, 20), 100), /claims \d+ bytes, only \d+ present/);
  await rejects(decompress(block('ZL', z, 100), 200), /ends after 100 of 200 bytes/);
  await rejects(decompress(block('ZL', z, 50), 50), /.+/);
});

test('LZ4 block with a wrong checksum is refused', async () => {
  await initDecompression();
  // A valid LZ4 block of 5 literal bytes: token 0x50, then the bytes.
  const lz = Uint8Array.from([0x50, 1, 2, 3, 4, 5]);
  const payload = new Uint8Array(8 + lz.length);
  payload.set(lz, 8); // checksum 0: wrong
  await rejects(decompress(block('L4', payload, 5), 5), /checksum mismatch/);
});

test.run();
