// Slurm's time syntax (also the -b executor's time limit): every form, and what is not a time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSlurmTime } from '../../../../src/exec/batch/time.js';

test('M, M:S, H:M:S, D-H, D-H:M, D-H:M:S as milliseconds', () => {
  assert.is(parseSlurmTime('90'), 90 * 60_000);
  assert.is(parseSlurmTime('5:30'), 330_000);
  assert.is(parseSlurmTime('1:02:03'), 3_723_000);
  assert.is(parseSlurmTime('2-3'), (2 * 86400 + 3 * 3600) * 1000);
  assert.is(parseSlurmTime('1-0:30'), (86400 + 1800) * 1000);
  assert.is(parseSlurmTime('1-01:00:05'), (86400 + 3600 + 5) * 1000);
  assert.is(parseSlurmTime('  10 '), 600_000, 'surrounding blanks are ignored');
});

test('not a time (or no time at all): null', () => {
  for (const s of ['', 'abc', '1h', '1:2:3:4', '-5', '1.5', '0', '0:00', '0-0']) assert.is(parseSlurmTime(s), null, JSON.stringify(s));
});

test.run();
