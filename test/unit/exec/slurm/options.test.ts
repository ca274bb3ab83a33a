// The Slurm executor's settings: defaults, given values kept, packing rounded down, and a
// non-positive number refused with the option named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveSlurmOptions } from '../../../../src/exec/slurm/options.js';

test('defaults: no partition/time/mem, 1 chunk per job, 5 s polls, 12 queries a minute, 10 s and 60 s graces, arrays of 1000', () => {
  assert.equal(resolveSlurmOptions(), { extraArgs: [], chunksPerJob: 1, pollIntervalMs: 5000, maxQueriesPerMinute: 12, markerGraceMs: 10_000, vanishGraceMs: 60_000, maxArraySize: 1000 });
});

test('given values are kept; chunksPerJob and maxArraySize are whole numbers', () => {
  const o = resolveSlurmOptions({ partition: 'short', time: '1:00:00', mem: '2G', maxMem: '8G', maxTime: '4:00:00', extraArgs: ['--qos=x'], chunksPerJob: 3.7, maxArraySize: 99.9, pollIntervalMs: 250 });
  assert.equal(o, { partition: 'short', time: '1:00:00', mem: '2G', maxMem: '8G', maxTime: '4:00:00', extraArgs: ['--qos=x'], chunksPerJob: 3, pollIntervalMs: 250,
    maxQueriesPerMinute: 12, markerGraceMs: 10_000, vanishGraceMs: 60_000, maxArraySize: 99 });
});

test('a zero, negative or non-finite number is refused, naming the option', () => {
  assert.throws(() => resolveSlurmOptions({ chunksPerJob: 0 }), /chunksPerJob must be positive, got 0/);
  assert.throws(() => resolveSlurmOptions({ pollIntervalMs: -1 }), /pollIntervalMs must be positive/);
  assert.throws(() => resolveSlurmOptions({ maxQueriesPerMinute: Number.NaN }), /maxQueriesPerMinute must be positive/);
  assert.throws(() => resolveSlurmOptions({ vanishGraceMs: Infinity }), /vanishGraceMs must be positive/);
});

test.run();
