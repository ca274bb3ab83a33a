// hadd/basket-runs.ts: stored baskets ordered by seek into contiguous runs of at most RUN_BYTES
// (embedded ones left out), the packed sort and its comparator fallback agreeing; merged lists.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basketsOf, type BasketRef } from '../../../../src/root/read/branches.js';
import type { JsBranch } from '../../../../src/root/read/jsroot.js';
import { MergedBaskets, RUN_BYTES, basketsFromRefs, branchBaskets, isEmbedded, refAt, runsOf } from '../../../../src/root/hadd/basket-runs.js';

const ref = (index: number, seek: number, bytes: number): BasketRef => ({ index, entryStart: 0, entryStop: 0, seek, bytes, embedded: null });
const embedded = (index: number): BasketRef => ({ index, entryStart: 0, entryStop: 0, seek: 0, bytes: 0,
  embedded: { data: new Uint8Array(0), offsets: null, keylen: 0, last: 0, nevBufSize: 0, bufferSize: 0 } });

test('baskets of two branches interleaved in the file: sorted by seek, one run while contiguous, embedded ones skipped', () => {
  // Branch 0 at 100, 300, 700; branch 1 at 200, 400 (gap before 700), plus an embedded basket.
  const r = runsOf([basketsFromRefs([ref(0, 100, 100), ref(1, 300, 100), ref(2, 700, 50)]), basketsFromRefs([ref(0, 200, 100), ref(1, 400, 100), embedded(2)])]);
  assert.is(r.n, 5);
  assert.equal(Array.from(r.seek), [100, 200, 300, 400, 700]);
  assert.equal(Array.from(r.branch), [0, 1, 0, 1, 0]);
  assert.equal(Array.from(r.index), [0, 0, 1, 1, 2]);
  assert.is(r.runs, 2);
  assert.equal(Array.from(r.start.slice(0, 3)), [0, 4, 5]);
});

test('a run stops before it would pass RUN_BYTES; a basket larger than that is a run of its own', () => {
  const half = RUN_BYTES / 2;
  const r = runsOf([basketsFromRefs([ref(0, 0, half), ref(1, half, half), ref(2, 2 * half, 1), ref(3, 2 * half + 1, 3 * RUN_BYTES)])]);
  assert.is(r.runs, 3);
  assert.equal(Array.from(r.start.slice(0, 4)), [0, 2, 3, 4]);
});

test('seeks too large to pack with their position (past 53 bits) are sorted by the comparator, same order', () => {
  const big = 2 ** 52;
  const r = runsOf([basketsFromRefs([ref(0, big + 4096, 10), ref(1, big, 10)]), basketsFromRefs([ref(0, big + 2048, 10)])]);
  assert.equal(Array.from(r.seek), [big, big + 2048, big + 4096]);
  assert.equal(Array.from(r.branch), [0, 1, 0]);
  assert.equal(Array.from(r.index), [1, 0, 0]);
});

test('merged lists: room for every basket, ROOT\'s spare slot, at least 10; totals added as baskets are put', () => {
  const m = new MergedBaskets(3);
  assert.is(m.cap, 10);
  const big = new MergedBaskets(20);
  assert.is(big.cap, 21);
  assert.not.ok(m.placed(1));
  m.put(1, 5000, 120, 400);
  m.put(0, 100, 80, 300);
  assert.ok(m.placed(1));
  assert.equal([m.seek[0], m.seek[1], m.bytes[0], m.bytes[1], m.tot, m.zip], [100, 5000, 80, 120, 700, 200]);
});

test('branch lists read from the basket arrays equal basketsOf\'s refs; with an embedded basket they come from basketsOf', () => {
  const disk = { fName: 'x', fEntries: 30, fWriteBasket: 3, fBasketEntry: [0, 10, 20, 30, 0], fBasketSeek: [100, 500, 900, 0, 0], fBasketBytes: [400, 400, 300, 0, 0], fBaskets: { arr: [] } } as unknown as JsBranch;
  const l = branchBaskets(disk);
  assert.equal(Array.from({ length: l.n }, (_, i) => refAt(l, i)), basketsOf(disk));
  assert.is(l.embedded, null);
  const withEmbedded = { ...disk, fEntries: 35, fBasketEntry: [0, 10, 20, 30, 0], fBaskets: { arr: [null, null, null, { fNevBuf: 5, fNevBufSize: 4, fKeylen: 0, fLast: 0 }] } } as unknown as JsBranch;
  const e = branchBaskets(withEmbedded);
  assert.is(e.n, 4);
  assert.equal([isEmbedded(e, 2), isEmbedded(e, 3)], [false, true]);
  assert.equal(Array.from({ length: e.n }, (_, i) => refAt(e, i)), basketsOf(withEmbedded));
  const lying = { ...disk, fWriteBasket: 9 } as unknown as JsBranch;
  assert.throws(() => branchBaskets(lying), /branch x claims 9 baskets, its basket arrays hold 5/);
});

test.run();
