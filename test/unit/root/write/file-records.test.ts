import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { BEGIN, DIR_RECORD_BYTES, START_BIG_FILE, dirRecordBytes, fileHeaderBytes, freeListBytes, freeListLength, type Dir } from '../../../../src/root/write/file-records.js';
import { sharedRootDir } from '../../../util/shared.js';

const uuid = new Uint8Array(16).map((_, i) => i + 1);
const fields = { fileEnd: 217945, seekFree: 217888, nbytesFree: 57, seekInfo: 213367, nbytesInfo: 4521, nbytesName: 58, compressionSetting: 101, big: false };

test('header: "root", version, fBEGIN and the pointers in 32-bit form, 100 bytes', () => {
  const h = Buffer.from(fileHeaderBytes(fields, uuid));
  assert.is(h.length, BEGIN);
  assert.is(h.toString('latin1', 0, 4), 'root');
  assert.is(h.readInt32BE(4), 62406);
  assert.is(h.readInt32BE(8), 100);
  assert.equal([h.readInt32BE(12), h.readInt32BE(16), h.readInt32BE(20), h.readInt32BE(24), h.readInt32BE(28)], [217945, 217888, 57, 1, 58]);
  assert.is(h[32], 4, 'fUnits');
  assert.equal([h.readInt32BE(33), h.readInt32BE(37), h.readInt32BE(41)], [101, 213367, 4521]);
  assert.equal([...h.subarray(47, 63)], [...uuid]);
});

test('header past 2 GB: version + 1000000, 64-bit pointers, fUnits 8', () => {
  const h = Buffer.from(fileHeaderBytes({ ...fields, fileEnd: 3e9, seekFree: 2.9e9, seekInfo: 2.8e9, big: true }, uuid));
  assert.is(h.readInt32BE(4), 1062406);
  assert.is(Number(h.readBigInt64BE(12)), 3e9);
  assert.is(Number(h.readBigInt64BE(20)), 2.9e9);
  assert.is(h[40], 8);
  assert.is(Number(h.readBigInt64BE(45)), 2.8e9);
});

test('the header layout is the one ROOT files have: uproot-HZZ.root read back through the same offsets', () => {
  const dir = sharedRootDir();
  if (dir === null) return;
  const f = readFileSync(`${dir}/uproot-HZZ.root`).subarray(0, 100);
  // summaries/uproot-HZZ.json: fEND 217945, fSeekFree 217888, fNbytesFree 57, fSeekInfo 213367, fNbytesInfo 4521.
  const mine = Buffer.from(fileHeaderBytes({ ...fields, nbytesName: f.readInt32BE(28), compressionSetting: f.readInt32BE(33) }, f.subarray(47, 63)));
  // Equal from byte 8 to the UUID's end (bytes 4-7 are the writing ROOT version: 53201 there).
  assert.equal([...mine.subarray(8, 63)], [...f.subarray(8, 63)]);
});

test('free segments: 10 bytes each (18 past 2 GB or with force64), then the one up to "infinity"', () => {
  const segs: [number, number][] = [[500, 599], [START_BIG_FILE + 10, START_BIG_FILE + 99]];
  assert.is(freeListLength(segs, false, false), 10 + 18 + 10);
  assert.is(freeListLength(segs, true, true), 18 + 18 + 18);
  const b = Buffer.from(freeListBytes(segs, false, 7000, false));
  assert.is(b.length, 38);
  assert.equal([b.readInt16BE(0), b.readInt32BE(2), b.readInt32BE(6)], [1, 500, 599]);
  assert.equal([b.readInt16BE(10), Number(b.readBigInt64BE(12)), Number(b.readBigInt64BE(20))], [1001, START_BIG_FILE + 10, START_BIG_FILE + 99]);
  assert.equal([b.readInt16BE(28), b.readInt32BE(30), b.readInt32BE(34)], [1, 7000, START_BIG_FILE]);
  const big = Buffer.from(freeListBytes([], false, 3e9, true));
  assert.equal([big.readInt16BE(0), Number(big.readBigInt64BE(2)), Number(big.readBigInt64BE(10))], [1001, 3e9, 3e9 + 1e12]);
});

test('directory record: version 5 (1005 big), the seeks, padded to its length', () => {
  const d: Dir = { path: 'sub', name: 'sub', title: 'sub', seekDir: 1234, seekParent: 100, recordPos: 1290, nbytesName: 56, keys: [], children: [] };
  const r = Buffer.from(dirRecordBytes(d, { datime: 0x12345678, uuid }, 5000, 80, false, DIR_RECORD_BYTES));
  assert.is(r.length, DIR_RECORD_BYTES);
  assert.equal([r.readInt16BE(0), r.readUInt32BE(2), r.readInt32BE(10), r.readInt32BE(14), r.readInt32BE(18), r.readInt32BE(22), r.readInt32BE(26)], [5, 0x12345678, 80, 56, 1234, 100, 5000]);
  assert.is(r.readUInt16BE(30), 1, 'UUID version');
  assert.equal([...r.subarray(48)], new Array(12).fill(0), 'room to become big in place');
  const big = Buffer.from(dirRecordBytes(d, { datime: 1, uuid }, 3e9, 80, true, DIR_RECORD_BYTES));
  assert.is(big.length, DIR_RECORD_BYTES);
  assert.is(big.readInt16BE(0), 1005);
  assert.is(Number(big.readBigInt64BE(34)), 3e9);
});

test.run();
