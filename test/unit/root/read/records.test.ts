import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basketLeafList, basketStrings } from '../../../../src/root/read/records.js';
import { BasketError } from '../../../../src/root/read/basket.js';
import type { RawBasket } from '../../../../src/root/read/basket.js';

const raw = (data: number[] | Uint8Array, n: number, offsets: number[] | null = null): RawBasket =>
  ({ data: Uint8Array.from(data), offsets: offsets === null ? null : Int32Array.from(offsets), n, compression: 'none', owned: true });
const str = (s: string): number[] => { const b = [...Buffer.from(s, 'utf8')]; return [b.length, ...b]; };
const err = (fn: () => unknown): string => { try { fn(); return 'no error'; } catch (e) { assert.instance(e, BasketError); return (e as Error).message; } };

test('basketStrings: with entry offsets, UTF-8, empty entries', () => {
  const d = [...str('mu'), ...str('é✓'), ...str('')];
  assert.equal(basketStrings(raw(d, 4, [0, 3, 3 + 6, 10, 10]), false), ['mu', 'é✓', '', '']);
});

test('basketStrings: without offsets, one after the other; a 255-byte marker takes a 4-byte length', () => {
  const long = 'x'.repeat(300);
  const d = [...str('a'), 255, 0, 0, 1, 44, ...Buffer.from(long)];
  assert.equal(basketStrings(raw(d, 2), false), ['a', long]);
  assert.is(err(() => basketStrings(raw(str('a'), 2), false)), 'string basket without entry offsets ends at entry 1 of 2');
  assert.is(err(() => basketStrings(raw([5, 65], 1), false)), 'entry 0: string of 5 bytes overruns the basket');
  assert.is(err(() => basketStrings(raw([255, 0], 1), false)), 'entry 0: truncated string length');
});

test('basketStrings: a streamed std::string with its byte count and version header', () => {
  const body = str('hello');
  const d = [0x40, 0, 0, 2 + body.length, 0, 1, ...body];
  assert.equal(basketStrings(raw(d, 1, [0, d.length]), true), ['hello']);
  assert.is(err(() => basketStrings(raw([9, 65], 1, [0, 2]), false)), 'entry 0: string of 9 bytes overruns its 2-byte entry');
});

test('basketLeafList: each leaf a column (big-endian), from records of all leaves', () => {
  // Two records of {i4 a; f8 b[2]}: 4 + 16 bytes each.
  const b = Buffer.alloc(40);
  b.writeInt32BE(7, 0); b.writeDoubleBE(1.5, 4); b.writeDoubleBE(-2, 12);
  b.writeInt32BE(-1, 20); b.writeDoubleBE(3, 24); b.writeDoubleBE(4.25, 32);
  const cols = basketLeafList(raw(b, 2), [{ name: 'a', type: 'i4', len: 1 }, { name: 'b', type: 'f8', len: 2 }]);
  assert.equal([...cols.a!], [7, -1]);
  assert.equal([...cols.b!], [1.5, -2, 3, 4.25]);
  assert.is(err(() => basketLeafList(raw(b.subarray(0, 30), 2), [{ name: 'a', type: 'i4', len: 1 }, { name: 'b', type: 'f8', len: 2 }])),
    'leaf-list basket has 30 bytes for 2 records of 20 bytes');
});

test.run();
