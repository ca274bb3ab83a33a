import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatFailure, fail, ok } from '../../../src/util/result.js';

test('formatFailure names file, object and reason', () => {
  assert.is(formatFailure({ file: 'a.root', object: 'events/x', reason: 'bad basket' }), 'a.root: events/x: bad basket');
  assert.is(formatFailure({ reason: 'only reason' }), 'only reason');
});

test('ok/fail build the Result union', () => {
  assert.equal(ok(3), { ok: true, value: 3 });
  assert.equal(fail({ reason: 'x' }), { ok: false, error: { reason: 'x' } });
});

test.run();
