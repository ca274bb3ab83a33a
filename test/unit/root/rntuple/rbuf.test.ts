import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RBuf, RNTupleFormatError } from '../../../../src/root/rntuple/rbuf.js';

/** Little-endian bytes from [kind, value] pairs. */
function le(...items: Array<['u8' | 'u16' | 'u32' | 'i32', number] | ['i64' | 'u64', bigint] | ['f64', number] | ['str', string]>): Uint8Array {
  const parts: Buffer[] = [];
  for (const [k, v] of items) {
    const b = Buffer.alloc(k === 'u8' ? 1 : k === 'u16' ? 2 : k === 'u32' || k === 'i32' ? 4 : k === 'str' ? 4 + Buffer.byteLength(v as string) : 8);
    if (k === 'u8') b.writeUInt8(v as number); else if (k === 'u16') b.writeUInt16LE(v as number);
    else if (k === 'u32') b.writeUInt32LE(v as number); else if (k === 'i32') b.writeInt32LE(v as number);
    else if (k === 'i64') b.writeBigInt64LE(v as bigint); else if (k === 'u64') b.writeBigUInt64LE(v as bigint);
    else if (k === 'f64') b.writeDoubleLE(v as number);
    else { b.writeUInt32LE(Buffer.byteLength(v as string)); b.write(v as string, 4, 'utf8'); }
    parts.push(b);
  }
  return new Uint8Array(Buffer.concat(parts));
}

const err = (fn: () => unknown): string => { try { fn(); return 'no error'; } catch (e) { assert.instance(e, RNTupleFormatError); return (e as Error).message; } };

test('RBuf: little-endian integers, floats and strings, in order', () => {
  const r = new RBuf(le(['u8', 200], ['u16', 0xbeef], ['u32', 0xdeadbeef], ['i32', -5], ['f64', 2.5], ['u64', 1n << 40n], ['i64', -3n], ['str', 'Jet_pt✓']), 'header');
  assert.equal([r.u8(), r.u16(), r.u32(), r.i32(), r.f64(), r.u64(), r.i64(), r.string()], [200, 0xbeef, 0xdeadbeef, -5, 2.5, 2 ** 40, -3, 'Jet_pt✓']);
  assert.is(r.pos, r.bytes.length);
  assert.is(err(() => r.u8()), `header: 1 bytes needed at ${r.bytes.length}, only 0 left`);
});

test('RBuf: a 64-bit size beyond 2^53 is an error; a huge signed value is ±Infinity', () => {
  assert.is(err(() => new RBuf(le(['u64', 1n << 60n]), 'footer').u64()), `footer: 64-bit value ${1n << 60n} at 0 is too large`);
  assert.is(new RBuf(le(['i64', -(1n << 60n)]), 'x').i64(), -Infinity);
  assert.is(new RBuf(le(['i64', 1n << 60n]), 'x').i64(), Infinity);
});

test('RBuf: a string whose length runs past the end is caught', () => {
  assert.is(err(() => new RBuf(le(['u32', 100], ['u8', 65]), 'names').string()), 'names: 100 bytes needed at 4, only 1 left');
});

test('RBuf.frame: record and list frames, their sizes counted from the preamble; close skips what a later version added', () => {
  // A record frame of 20 bytes: 8 preamble, a u32, 8 unread bytes; then a list frame of 2 items (12 + 2·4 bytes).
  const bytes = le(['i64', 20n], ['u32', 7], ['u64', 0n], ['i64', -20n], ['u32', 2], ['u32', 11], ['u32', 12]);
  const r = new RBuf(bytes, 'env');
  const f = r.frame(false);
  assert.equal(f, { end: 20, items: 0, list: false });
  assert.is(r.u32(), 7);
  r.close(f);
  assert.is(r.pos, 20);
  const l = r.frame(true);
  assert.equal(l, { end: 40, items: 2, list: true });
  assert.equal([r.u32(), r.u32()], [11, 12]);
  r.close(l);
  assert.is(err(() => new RBuf(bytes, 'env').frame(true)), 'env: expected a list frame at 0');
  assert.is(err(() => new RBuf(le(['i64', 4n]), 'env').frame()), 'env: frame at 0 has impossible size 4');
  assert.is(err(() => new RBuf(le(['i64', 100n]), 'env').frame()), 'env: frame at 0 has impossible size 100');
  const over = new RBuf(le(['i64', 8n], ['u32', 1]), 'env');
  const g = over.frame();
  over.u32();
  assert.is(err(() => over.close(g)), 'env: frame content overruns its size (at 12, frame ends at 8)');
});

test('RBuf.locator / envelopeLink: the standard form, the 64-bit form (type 1), an unknown type', () => {
  assert.equal(new RBuf(le(['i32', 300], ['u64', 4096n]), 'l').locator(), { size: 300, offset: 4096 });
  const large = new RBuf(le(['i32', -((0x01 << 24) | 20)], ['u64', 5000000000n], ['u64', 123n]), 'l');
  assert.equal(large.locator(), { size: 5000000000, offset: 123 });
  assert.is(large.pos, 20);
  assert.is(err(() => new RBuf(le(['i32', -((0x02 << 24) | 12)], ['u64', 0n]), 'l').locator()), 'l: unsupported locator type 2 at 0');
  assert.equal(new RBuf(le(['u64', 1000n], ['i32', 400], ['u64', 64n]), 'l').envelopeLink(), { length: 1000, locator: { size: 400, offset: 64 } });
});

test('RBuf.featureFlags: words while the sign bit is set', () => {
  assert.equal(new RBuf(le(['i64', 5n]), 'f').featureFlags(), [5n]);
  assert.equal(new RBuf(le(['i64', -(1n << 62n) - 1n], ['i64', 2n]), 'f').featureFlags(), [((-(1n << 62n) - 1n) & 0x7fffffffffffffffn), 2n]);
});

test.run();
