// Slurm job ends as TaskFailures, and the resources of the attempt after a resource failure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextResources, parseSlurmMem, parseSlurmMinutes, scaleUp, slurmFailure } from '../../../../src/exec/slurm/failure.js';

const kind = (state: string, exit?: string, out = ''): string => {
  const f = slurmFailure('7_0', state, exit, out, 'ended');
  return f.kind === 'resource' ? `resource/${f.resource}` : f.kind;
};

test('states and outputs to kinds', () => {
  assert.is(kind('OUT_OF_MEMORY', '0:125'), 'resource/memory');
  assert.is(kind('FAILED', '0:9', 'slurmstepd-localhost: error: StepId=7.batch exceeded memory limit (287358976 > 209715200), being killed\n'), 'resource/memory');
  assert.is(kind('CANCELLED by 0', '0:9', 'error: Detected 1 oom_kill event in StepId=7.batch'), 'resource/memory');
  assert.is(kind('TIMEOUT', '0:0'), 'resource/time');
  assert.is(kind('DEADLINE'), 'resource/time');
  assert.is(kind('CANCELLED by 1000', '0:15'), 'interrupted');
  assert.is(kind('NODE_FAIL', '0:0'), 'infrastructure');
  assert.is(kind('BOOT_FAIL'), 'infrastructure');
  assert.is(kind('PREEMPTED'), 'infrastructure');
  assert.is(kind('COMPLETED', '0:0'), 'infrastructure');
  assert.is(kind('FAILED', '127:0'), 'infrastructure');
  assert.is(kind('FAILED', '0:9'), 'resource/signal');
});

test('memory and time as Slurm writes them', () => {
  assert.equal(['2G', '500M', '2048', '1T', '2048Mc', '4Gn', '512K', 'x', '0'].map(parseSlurmMem), [2048, 500, 2048, 1048576, 2048, 4096, 0.5, null, null]);
  assert.equal(['30', '1:00:00', '1-00:00:00', 'UNLIMITED'].map(parseSlurmMinutes), [30, 60, 1440, null]);
});

test('x1.5 per attempt, clamped to the bound, null at the bound or when nothing is known', () => {
  assert.is(scaleUp(2048, 8192), 3072);
  assert.is(scaleUp(6000, 8192), 8192);
  assert.is(scaleUp(8192, 8192), null);
  assert.is(scaleUp(undefined, 8192), null);
  const mem = { kind: 'resource' as const, resource: 'memory' as const, reason: '' };
  const time = { kind: 'resource' as const, resource: 'time' as const, reason: '' };
  const sig = { kind: 'resource' as const, resource: 'signal' as const, signal: 'SIGKILL', reason: '' };
  assert.equal(nextResources({ memMB: 2048, timeMin: 60 }, mem, { memMB: 8192, timeMin: 240 }), { memMB: 3072, timeMin: 60 });
  assert.equal(nextResources({ memMB: 2048, timeMin: 60 }, time, { memMB: 8192, timeMin: 240 }), { memMB: 2048, timeMin: 90 });
  assert.equal(nextResources({ memMB: 2048 }, sig, {}), { memMB: 2048 }, 'a bare kill: retried as it was');
  assert.is(nextResources({}, time, {}), null);
});

test.run();
