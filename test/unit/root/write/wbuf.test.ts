import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WBuf, kByteCountMask, kClassMask, kNewClassTag, rootDatime } from '../../../../src/root/write/wbuf.js';

const hex = (b: WBuf): string => Buffer.from(b.bytes()).toString('hex');

test('WBuf: big-endian numbers, growing past its capacity', () => {
  const b = new WBuf(4);
  b.u8(0xab); b.i8(-1); b.i16(-2); b.u16(0xbeef); b.i32(-3); b.u32(0xdeadbeef);
  b.i64(2 ** 40 + 5); b.i64(-2); b.i64(2n ** 62n); b.u64(1n); b.f32(1.5); b.f64(-0.25); b.bool(true);
  assert.is(hex(b), 'abff' + 'fffe' + 'beef' + 'fffffffd' + 'deadbeef' + '0000010000000005' + 'fffffffffffffffe' + '4000000000000000'
    + '0000000000000001' + '3fc00000' + 'bfd0000000000000' + '01');
});

test('WBuf.i32s / i64s: count values, 0 past the end of the array', () => {
  const b = new WBuf(2);
  b.i32s([1, -1], 3);
  b.i64s([2 ** 33, -1], 3);
  assert.is(hex(b), '00000001' + 'ffffffff' + '00000000' + '0000000200000000' + 'ffffffffffffffff' + '0000000000000000');
});

test('WBuf: TString with a 1-byte or 255 + 4-byte length; C string with its NUL', () => {
  const b = new WBuf();
  b.tstring('ab');
  b.cstring('TH1D');
  assert.is(hex(b), '026162' + '5448314400');
  const long = new WBuf();
  long.tstring('x'.repeat(300));
  assert.is(long.pos, 5 + 300);
  assert.equal([...long.bytes().subarray(0, 5)], [255, 0, 0, 1, 44]);
});

test('WBuf: a versioned block carries its byte count with kByteCountMask; TNamed = TObject + two TStrings', () => {
  const b = new WBuf();
  b.tnamed('h', 'title');
  const v = new DataView(b.buf.buffer);
  assert.is(v.getUint32(0), ((b.pos - 4) | kByteCountMask) >>> 0);
  assert.is(v.getUint16(4), 1);
  // TObject: version 1, fUniqueID 0, fBits kNotDeleted|kIsOnHeap.
  assert.is(hex(b).slice(12, 32), '0001' + '00000000' + '03000000');
  assert.is(Buffer.from(b.bytes().subarray(16)).toString('latin1'), '\x01h\x05title');
});

test('WBuf.beginObject: a new class tag with its name the first time, then a reference to it (origin and kMapOffset counted)', () => {
  const b = new WBuf(64, 100);
  const first = b.beginObject('TBasket');
  assert.equal(first, { start: 0, ref: 102 });
  assert.is(new DataView(b.buf.buffer).getUint32(4), kNewClassTag);
  assert.is(Buffer.from(b.bytes().subarray(8, 16)).toString('latin1'), 'TBasket\0');
  b.end(first.start);
  const second = b.beginObject('TBasket');
  assert.is(second.start, 16);
  // The class tag points at the first object's tag word (position 4, origin 100, offset 2).
  assert.is(new DataView(b.buf.buffer).getUint32(20), ((4 + 100 + 2) | kClassMask) >>> 0);
});

test('rootDatime: TDatime packing', () => {
  const d = new Date(2020, 5, 15, 13, 45, 30);
  assert.is(rootDatime(d), (((2020 - 1995) << 26) | (6 << 22) | (15 << 17) | (13 << 12) | (45 << 6) | 30) >>> 0);
  assert.is(rootDatime(d) >>> 26, 25);
});

test.run();
