// heppy run's --events: A:B, A:, :B, A; the window over the files' entries together.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEventRange, rangeWindow } from '../../../src/engine/debug-run.js';

test('event ranges', () => {
  const v = (t: string) => { const r = parseEventRange(t); return r.ok ? r.value : r.error.reason; };
  assert.equal(v('8:12'), [8, 12]);
  assert.equal(v('8:'), [8, null]);
  assert.equal(v(':12'), [0, 12]);
  assert.equal(v('7'), [7, 8]);
  assert.is(v('12:8'), '--events 12:8: the end comes before the start');
  assert.match(String(v('a:b')), 'expected A:B');
  assert.match(String(v(':')), 'expected A:B');
});

test('windows are clipped to the entries there are', () => {
  assert.equal(rangeWindow([8, 12], 20), { first: 8, n: 4 });
  assert.equal(rangeWindow([8, null], 20), { first: 8, n: 12 });
  assert.equal(rangeWindow([15, 30], 20), { first: 15, n: 5 });
  assert.equal(rangeWindow([25, 30], 20), { first: 20, n: 0 });
});

test.run();
