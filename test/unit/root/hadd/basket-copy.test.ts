// hadd/basket-copy.ts: a run's keys re-pointed where the run lands (32- and 64-bit keys), each basket
// recorded in its merged branch with its size and key+object length, a size mismatch reported at
// its basket; fillEntries' entry numbers and whether every basket has a place.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fillEntries, patchKey, placeRun } from '../../../../src/root/hadd/basket-copy.js';
import { MergedBaskets, basketsFromRefs, runsOf } from '../../../../src/root/hadd/basket-runs.js';
import type { BasketRef } from '../../../../src/root/read/branches.js';

const ref = (index: number, seek: number, bytes: number): BasketRef => ({ index, entryStart: 0, entryStop: 0, seek, bytes, embedded: null });

/** A key header of `nbytes` at `off`: version 4 (32-bit seeks) or 1004 (64-bit), objlen, keylen, old seeks. */
function key(dv: DataView, off: number, nbytes: number, big: boolean, objlen: number, keylen: number): void {
  dv.setInt32(off, nbytes); dv.setInt16(off + 4, big ? 1004 : 4); dv.setInt32(off + 6, objlen); dv.setInt16(off + 14, keylen);
  if (big) { dv.setBigInt64(off + 18, 777n); dv.setBigInt64(off + 26, 555n); } else { dv.setInt32(off + 18, 777); dv.setInt32(off + 22, 555); }
}

test('placeRun: keys of both forms point at where the run lands, baskets recorded per branch at base + index', () => {
  // Branch 0: baskets at 1000 (60 bytes, 32-bit key) and 1100 (50, 64-bit); branch 1: 1060 (40, 32-bit). One contiguous run.
  const runs = runsOf([basketsFromRefs([ref(0, 1000, 60), ref(1, 1100, 50)]), basketsFromRefs([ref(0, 1060, 40)])]);
  assert.is(runs.runs, 1);
  const buf = new Uint8Array(150), dv = new DataView(buf.buffer);
  key(dv, 0, 60, false, 200, 40); key(dv, 60, 40, false, 90, 38); key(dv, 100, 50, true, 120, 48);
  const out = [new MergedBaskets(5), new MergedBaskets(3)];
  const base = [3, 1]; // baskets already merged from earlier inputs
  assert.is(placeRun(dv, runs, 0, 5_000, 100, out, base), -1);
  assert.equal([dv.getInt32(18), dv.getInt32(22)], [5_000, 100]);
  assert.equal([dv.getInt32(60 + 18), dv.getInt32(60 + 22)], [5_060, 100]);
  assert.equal([dv.getBigInt64(100 + 18), dv.getBigInt64(100 + 26)], [5_100n, 100n]);
  assert.equal([out[0]!.seek[3], out[0]!.seek[4], out[0]!.bytes[3], out[0]!.bytes[4], out[0]!.tot, out[0]!.zip], [5_000, 5_100, 60, 50, 240 + 168, 110]);
  assert.equal([out[1]!.seek[1], out[1]!.bytes[1], out[1]!.tot, out[1]!.zip], [5_060, 40, 128, 40]);
  assert.is(out[1]!.seek[0], 0);
});

test('placeRun: a key whose size disagrees with its branch stops the run at that basket, earlier ones recorded', () => {
  const runs = runsOf([basketsFromRefs([ref(0, 0, 30), ref(1, 30, 30), ref(2, 60, 30)])]);
  const buf = new Uint8Array(90), dv = new DataView(buf.buffer);
  key(dv, 0, 30, false, 10, 20); key(dv, 30, 29, false, 10, 20); key(dv, 60, 30, false, 10, 20);
  const out = [new MergedBaskets(3)];
  assert.is(placeRun(dv, runs, 0, 400, 100, out, [0]), 1);
  assert.equal([out[0]!.seek[0], out[0]!.seek[1], out[0]!.seek[2]], [400, 0, 0]);
  assert.is(dv.getInt32(30 + 18), 777); // the bad key is left as read
});

test('patchKey writes the same fields as placeRun (the recompressed-basket path)', () => {
  const dv = new DataView(new ArrayBuffer(64));
  key(dv, 0, 64, false, 1, 1);
  patchKey(dv, 0, 123_456, 100);
  assert.equal([dv.getInt32(18), dv.getInt32(22)], [123_456, 100]);
  key(dv, 0, 64, true, 1, 1);
  patchKey(dv, 0, 3_000_000_000, 2_500_000_000);
  assert.equal([dv.getBigInt64(18), dv.getBigInt64(26)], [3_000_000_000n, 2_500_000_000n]);
});

test('fillEntries: entry numbers shifted by the input\'s offset; false while a basket has no place', () => {
  const acc = new MergedBaskets(4);
  acc.put(2, 900, 10, 10); acc.put(3, 1000, 10, 10);
  assert.ok(fillEntries(acc, [0, 7], 2, 2, 50));
  assert.equal([acc.entry[2], acc.entry[3]], [50, 57]);
  assert.not.ok(fillEntries(acc, [0, 5], 2, 0, 0));
  assert.equal([acc.entry[0], acc.entry[1]], [0, 5]);
});

test.run();
