import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventWindow, segments } from '../../../src/loop/window.js';

// 2421 entries: the events tree of ../shared/data/root/uproot-HZZ.root (summaries/uproot-HZZ.json).
const HZZ = 2421;

test('no fine split: the whole chunk, or the first N events', () => {
  assert.equal(eventWindow(HZZ, null, null), { first: 0, n: 2421 });
  assert.equal(eventWindow(HZZ, null, 100), { first: 0, n: 100 });
  assert.equal(eventWindow(HZZ, null, 5000), { first: 0, n: 2421 }, 'N past the end: all');
  assert.equal(eventWindow(HZZ, [0, 1], 7), { first: 0, n: 7 }, 'a fine split of 1 is no split');
  assert.equal(eventWindow(0, null, null), { first: 0, n: 0 });
});

test("fine split (i, F) as heppy's Looper: ceil(tot/F) per part, the last one shorter", () => {
  const parts = [0, 1, 2, 3].map((i) => eventWindow(HZZ, [i, 4], null));
  assert.equal(parts, [{ first: 0, n: 606 }, { first: 606, n: 606 }, { first: 1212, n: 606 }, { first: 1818, n: 603 }]);
  assert.is(parts.reduce((s, p) => s + p.n, 0), HZZ, 'the parts cover every event once');
  // N limits the total first; -1 and 0 mean no limit.
  assert.equal(eventWindow(HZZ, [1, 3], 100), { first: 34, n: 34 });
  assert.equal(eventWindow(HZZ, [2, 3], 100), { first: 68, n: 32 });
  assert.equal(eventWindow(HZZ, [1, 4], -1), { first: 606, n: 606 });
  assert.equal(eventWindow(HZZ, [1, 4], 0), { first: 606, n: 606 });
  // More parts than events: the parts past the end are empty windows.
  assert.equal(eventWindow(3, [4, 5], null), { first: 3, n: 0 });
});

test('segments: a window over concatenated files, per file', () => {
  // Two copies of HZZ as one chunk, a window across the boundary.
  assert.equal(segments([HZZ, HZZ], { first: 2400, n: 50 }), [
    { file: 0, start: 2400, stop: 2421, globalStart: 2400 },
    { file: 1, start: 0, stop: 29, globalStart: 2421 },
  ]);
  assert.equal(segments([10, 0, 5], { first: 0, n: 15 }), [
    { file: 0, start: 0, stop: 10, globalStart: 0 },
    { file: 2, start: 0, stop: 5, globalStart: 10 },
  ], 'an empty file has no segment');
  assert.equal(segments([HZZ], { first: 0, n: 0 }), []);
});

test.run();
