import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StatsAcc } from '../../../../src/root/read/stats.js';

test('StatsAcc int: count, sum, min, max over several batches; an empty batch counts nothing', () => {
  const s = new StatsAcc('int');
  s.add(new Int32Array([3, -7, 10]));
  s.add(new Int32Array([]));
  s.add(new Uint8Array([200]));
  assert.equal(s.result(), { count: 4, sum: 206, min: -7, max: 200 });
  assert.equal(new StatsAcc('int').result(), { count: 0, sum: 0, min: null, max: null });
});

test('StatsAcc big: 64-bit integers summed exactly as BigInt', () => {
  const s = new StatsAcc('big');
  s.add(new BigInt64Array([2n ** 62n, 2n ** 62n, -5n]));
  s.add(new BigInt64Array([7n]));
  assert.equal(s.result(), { count: 4, sum: 2n ** 63n + 2n, min: -5n, max: 2n ** 62n });
});

test('StatsAcc float: compensated sum (1e16 + 1 - 1e16 = 1, a naive sum gives 0); NaN anywhere makes sum/min/max NaN', () => {
  const s = new StatsAcc('float');
  s.add(new Float64Array([1e16, 1, -1e16]));
  assert.equal(s.result(), { count: 3, sum: 1, min: -1e16, max: 1e16 });
  const t = new StatsAcc('float');
  t.add(new Float64Array([0.1, 0.2, 0.3]));
  assert.is(t.result().sum, 0.6);
  t.add(new Float64Array([NaN, 5]));
  const r = t.result();
  assert.is(r.count, 5);
  assert.ok(Number.isNaN(r.sum) && Number.isNaN(r.min) && Number.isNaN(r.max));
});

test.run();
