import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bytesReadSoFar, countRead } from '../../../../src/root/read/io-stats.js';

test('countRead adds up; bytesReadSoFar is the running total (a chunk takes the difference over its run)', () => {
  const before = bytesReadSoFar();
  countRead(100);
  countRead(0);
  countRead(4096);
  assert.is(bytesReadSoFar() - before, 4196);
});

test.run();
