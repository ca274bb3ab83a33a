// racy: a file stat-ed within RACY_MS of its mtime may still change within the same mtime, so its
// (size, mtime) cannot stand for its content later.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RACY_MS, racy } from '../../../src/fingerprint/racy.js';

test('racy within RACY_MS before now, and for an mtime in the future; not at or beyond it', () => {
  const now = 1_700_000_000_000;
  assert.is(RACY_MS, 2000);
  assert.ok(racy(now, now));
  assert.ok(racy(now - 1999, now));
  assert.not.ok(racy(now - 2000, now));
  assert.not.ok(racy(now - 60_000, now));
  assert.ok(racy(now + 5000, now), 'an mtime ahead of the clock');
});

test.run();
