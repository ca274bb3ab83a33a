import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ANCHOR_OBJECT_BYTES, parseAnchor, serializeAnchor, type Anchor } from '../../../../src/root/rntuple/anchor.js';
import { RNTupleFormatError } from '../../../../src/root/rntuple/rbuf.js';
import { initXxh3 } from '../../../../src/root/rntuple/xxh3.js';

await initXxh3();
const a: Anchor = { epoch: 1, major: 0, minor: 2, patch: 0, seekHeader: 300, nbytesHeader: 120, lenHeader: 250, seekFooter: 9000, nbytesFooter: 80, lenFooter: 160, maxKeySize: 1 << 30 };
const err = (fn: () => unknown): string => { try { fn(); return 'no error'; } catch (e) { assert.instance(e, RNTupleFormatError); return (e as Error).message; } };

test('serializeAnchor / parseAnchor: 78 bytes, byte count without the checksum, class version 2, round trip', () => {
  const b = serializeAnchor(a);
  assert.is(b.length, ANCHOR_OBJECT_BYTES);
  assert.is(ANCHOR_OBJECT_BYTES, 78);
  const dv = new DataView(b.buffer);
  assert.is(dv.getUint32(0), (0x40000000 | 66) >>> 0);
  assert.is(dv.getUint16(4), 2);
  assert.equal(parseAnchor(b), a);
  // Without the trailing checksum (an older writer): read, not verified.
  assert.equal(parseAnchor(b.subarray(0, 70)), a);
});

test('parseAnchor: each corruption is an RNTupleFormatError saying what', () => {
  const b = serializeAnchor(a);
  assert.is(err(() => parseAnchor(b.subarray(0, 40))), 'anchor has 40 bytes, expected 78');
  const flipped = b.slice(); flipped[20]! ^= 1;
  assert.is(err(() => parseAnchor(flipped)), 'anchor checksum mismatch');
  const noCount = b.slice(); noCount[0] = 0;
  assert.is(err(() => parseAnchor(noCount)), 'anchor has no byte count');
  const v1 = b.slice(); new DataView(v1.buffer).setUint16(4, 1);
  assert.is(err(() => parseAnchor(v1)), 'anchor class version 1 (pre-release RNTuple) is not supported');
  assert.is(err(() => parseAnchor(serializeAnchor({ ...a, epoch: 2 }))), 'RNTuple format epoch 2 is not supported (this reader reads epoch 1)');
  const huge = b.slice(); new DataView(huge.buffer).setBigUint64(14, 1n << 60n);
  assert.is(err(() => parseAnchor(huge)), `anchor value ${1n << 60n} is too large`);
});

test.run();
