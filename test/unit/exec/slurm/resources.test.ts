// What the next Slurm attempt asks for after an out-of-memory or time-limit failure: 1.5 times
// what the last one had (its own resources, else --mem/--time, else what sacct said it asked for),
// up to --max-mem/--max-time (default 4 times the first), null when the bound is reached.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JobSpec } from '../../../../src/exec/executor.js';
import type { TaskFailure } from '../../../../src/util/failure.js';
import { resolveSlurmOptions } from '../../../../src/exec/slurm/options.js';
import { SlurmResources } from '../../../../src/exec/slurm/resources.js';

type ResourceFailure = Extract<TaskFailure, { kind: 'resource' }>;
const oom: ResourceFailure = { kind: 'resource', resource: 'memory', reason: 'OUT_OF_MEMORY' };
const timeout: ResourceFailure = { kind: 'resource', resource: 'time', reason: 'TIMEOUT' };
const killed: ResourceFailure = { kind: 'resource', resource: 'signal', signal: 'SIGKILL', reason: 'killed' };
const job = (nodeId: string, resources?: JobSpec['resources']): JobSpec => ({ nodeId, name: nodeId, chunkDir: `/x/${nodeId}`, attempt: 1, ...(resources ? { resources } : {}) });

test('--mem/--time given: scaled by 1.5 from them, then from the attempt\'s own, up to 4 times the first', () => {
  const r = new SlurmResources(resolveSlurmOptions({ mem: '100M', time: '10' }));
  assert.equal(r.scale(job('a'), oom), { memMB: 150, timeMin: 10 });
  assert.equal(r.scale(job('a', { memMB: 150, timeMin: 10 }), oom), { memMB: 225, timeMin: 10 });
  assert.equal(r.scale(job('a', { memMB: 300, timeMin: 10 }), oom), { memMB: 400, timeMin: 10 }, 'capped at 4 x 100M');
  assert.is(r.scale(job('a', { memMB: 400, timeMin: 10 }), oom), null, 'the bound reached: no more retries with more');
  assert.equal(r.scale(job('a'), timeout), { memMB: 100, timeMin: 15 });
});

test('--max-mem/--max-time bound the scaling instead of 4 times the first', () => {
  const r = new SlurmResources(resolveSlurmOptions({ mem: '1G', maxMem: '1200M', time: '1:00:00', maxTime: '70' }));
  assert.equal(r.scale(job('b'), oom), { memMB: 1200, timeMin: 60 });
  assert.is(r.scale(job('b', { memMB: 1200, timeMin: 60 }), oom), null);
  assert.equal(r.scale(job('b'), timeout), { memMB: 1024, timeMin: 70 });
});

test('without --mem/--time: from what sacct said the node\'s last attempt asked for (per node)', () => {
  const r = new SlurmResources(resolveSlurmOptions({}));
  assert.is(r.scale(job('c'), oom), null, 'nothing known to scale');
  r.note('c', '2000M', '00:20:00');
  assert.equal(r.scale(job('c'), oom), { memMB: 3000, timeMin: 20 });
  assert.equal(r.scale(job('c'), timeout), { memMB: 2000, timeMin: 30 });
  assert.equal(r.scale(job('c', { memMB: 7000, timeMin: 20 }), oom), { memMB: 8000, timeMin: 20 }, 'capped at 4 x what sacct said');
  assert.is(r.scale(job('d'), oom), null, 'another node: nothing known');
  r.note('e', 'garbage', undefined);
  assert.is(r.scale(job('e'), oom), null, 'an unreadable ReqMem is not a size');
});

test('a kill by a signal is retried with what the attempt had', () => {
  const r = new SlurmResources(resolveSlurmOptions({ mem: '100M' }));
  assert.equal(r.scale(job('f'), killed), { memMB: 100 });
  assert.equal(r.scale(job('f', { memMB: 150 }), killed), { memMB: 150 });
});

test.run();
