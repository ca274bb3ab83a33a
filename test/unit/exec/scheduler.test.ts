import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalPool } from '../../../src/exec/local/pool.js';
import { schedule, type SchedEvent, type SchedTask } from '../../../src/exec/scheduler.js';
import { ok } from '../../../src/util/result.js';
import type { Executor, ExecutorEvent, JobSpec } from '../../../src/exec/executor.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-sched-'));
const runner = pathToFileURL(new URL('./fixtures/fake-runner.js', import.meta.url).pathname).href;

function runs(id: string): string[] {
  try { return readFileSync(join(dir, id, 'runs.txt'), 'utf8').trim().split('\n'); } catch { return []; }
}

const noDelay = { retries: 2, retryAll: false, backoffBaseMs: 0, backoffMaxMs: 0 };

test('pool + scheduler: retries by kind, crash isolation, failed dep skips merge, others merge', async () => {
  const behaviour: Record<string, string> = { a0: 'ok', a1: 'ok', a2: 'flaky', b0: 'ok', b1: 'crash', c0: 'fail', d0: 'ok' };
  const tasks: SchedTask[] = [
    ...Object.keys(behaviour).map((id) => ({ id, deps: [], kind: 'job' as const })),
    { id: 'hadd:a', deps: ['a0', 'a1', 'a2'], kind: 'inline' },
    { id: 'hadd:b', deps: ['b0', 'b1'], kind: 'inline' },
    { id: 'hadd:d', deps: ['d0', 'dX'], kind: 'inline' },
  ];
  const pool = new LocalPool({ jobs: 2, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  const events: SchedEvent[] = [];
  const merged: string[] = [];
  const out = await schedule(tasks, new Set(['dX']), pool, {
    prepare: async (id, attempt) => {
      mkdirSync(join(dir, id), { recursive: true });
      writeFileSync(join(dir, id, 'chunk.json'), JSON.stringify({ name: id, behaviour: behaviour[id], events: 10, attempt }));
      return ok({ nodeId: id, name: id, chunkDir: join(dir, id), attempt });
    },
    inline: async (id) => { merged.push(id); return ok({ eventsProcessed: 0 }); },
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: (e) => events.push(e),
  }, { retry: noDelay, keepGoing: true });
  await pool.close();
  const status = Object.fromEntries([...out].map(([k, v]) => [k, v.status]));
  assert.equal(status, { a0: 'succeeded', a1: 'succeeded', a2: 'succeeded', b0: 'succeeded', b1: 'failed', c0: 'failed', d0: 'succeeded',
    'hadd:a': 'succeeded', 'hadd:b': 'skipped', 'hadd:d': 'succeeded' });
  assert.equal(merged.sort(), ['hadd:a', 'hadd:d']);
  assert.is(runs('a2').length, 2, 'flaky chunk (infrastructure): one retry');
  assert.is(runs('c0').length, 1, 'analysis failure: not retried');
  assert.is(runs('b1').length, 3, 'worker killed by a signal (resource): 1 + 2 retries');
  const b1 = out.get('b1')!;
  assert.ok(b1.status === 'failed' && b1.failure.kind === 'resource' && b1.failure.resource === 'signal' && b1.failure.signal === 'SIGKILL', JSON.stringify(b1));
  const c0 = out.get('c0')!;
  assert.ok(c0.status === 'failed' && c0.attempts === 1 && c0.failure.kind === 'analysis', JSON.stringify(c0));
  // Workers are long-lived: the seven 'ok'-path chunk runs happened in at most 2 + 3 (replacements) processes.
  const pids = new Set(['a0', 'a1', 'a2', 'b0', 'b1', 'c0', 'd0'].flatMap(runs));
  assert.ok(pids.size <= 5, `pids: ${pids.size}`);
  assert.is(events.filter((e) => e.type === 'retry').length, 3);
});

test('a merge ready at the same time as a chunk starts after the chunk is submitted (a merge runs in the build thread; a worker would wait for it)', async () => {
  const log: string[] = [];
  const pending: ExecutorEvent[] = [];
  const executor: Executor = {
    kind: 'local', capacity: 1,
    async submit(jobs: JobSpec[]) { for (const j of jobs) { log.push(`submit ${j.nodeId}`); pending.push({ type: 'ended', end: { nodeId: j.nodeId, attempt: j.attempt, status: 'succeeded', eventsProcessed: 1 } }); } },
    async adopt() { return []; },
    async next() { return pending.splice(0); },
    async cancelAll() {},
    async close() {},
  };
  const tasks: SchedTask[] = [{ id: 'j0', deps: [], kind: 'job' }, { id: 'j1', deps: [], kind: 'job' }, { id: 'j2', deps: [], kind: 'job' }, { id: 'm', deps: ['j0'], kind: 'inline' }];
  const out = await schedule(tasks, new Set(), executor, {
    prepare: async (id, attempt) => ok({ nodeId: id, name: id, chunkDir: join(dir, id), attempt }),
    inline: async (id) => { log.push(`merge ${id}`); return ok({ eventsProcessed: 0 }); },
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: () => undefined,
  }, { retry: noDelay, keepGoing: true });
  assert.equal([...out.values()].map((o) => o.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  assert.equal(log, ['submit j0', 'submit j1', 'merge m', 'submit j2']);
});

test('keepGoing off: the first failure stops new submissions', async () => {
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  const ids = ['s0', 's1', 's2'];
  const out = await schedule(ids.map((id) => ({ id, deps: [], kind: 'job' as const })), new Set(), pool, {
    prepare: async (id, attempt) => {
      mkdirSync(join(dir, id), { recursive: true });
      writeFileSync(join(dir, id, 'chunk.json'), JSON.stringify({ name: id, behaviour: id === 's0' ? 'fail' : 'ok', events: 1, attempt }));
      return ok({ nodeId: id, name: id, chunkDir: join(dir, id), attempt });
    },
    inline: async () => ok({ eventsProcessed: 0 }),
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: () => {},
  }, { retry: { ...noDelay, retries: 0 }, keepGoing: false });
  await pool.close();
  assert.equal(ids.map((id) => out.get(id)!.status), ['failed', 'skipped', 'skipped']);
});

test('inline tasks (merges): up to inlineSlots at once, a dependent one after its inputs; one at a time by default', async () => {
  // Three merges of one level over finished chunks, and the merge above two of them.
  const tasks: SchedTask[] = [
    { id: 'm0', deps: ['c0'], kind: 'inline' }, { id: 'm1', deps: ['c1'], kind: 'inline' }, { id: 'm2', deps: ['c2'], kind: 'inline' },
    { id: 'top', deps: ['m0', 'm1'], kind: 'inline' },
  ];
  for (const slots of [undefined, 2]) {
    const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
    let running = 0, most = 0;
    const order: string[] = [];
    const out = await schedule(tasks, new Set(['c0', 'c1', 'c2']), pool, {
      prepare: async () => { throw new Error('no jobs here'); },
      inline: async (id) => {
        running++;
        most = Math.max(most, running);
        order.push(`+${id}`);
        await new Promise((res) => setTimeout(res, 30));
        order.push(`-${id}`);
        running--;
        return ok({ eventsProcessed: 0 });
      },
      confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
      emit: () => undefined,
    }, { retry: noDelay, keepGoing: true, ...(slots !== undefined ? { inlineSlots: slots } : {}) });
    await pool.close();
    assert.equal([...out.values()].map((o) => o.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.is(most, slots ?? 1, order.join(' '));
    assert.ok(order.indexOf('+top') > order.indexOf('-m0') && order.indexOf('+top') > order.indexOf('-m1'), order.join(' '));
  }
});

test('one worker: ok, crash, ok: the crash is retried on new workers (3 runs), each other chunk runs once', async () => {
  const behaviour: Record<string, string> = { e0: 'ok', e1: 'crash', e2: 'ok' };
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  const retries: string[] = [];
  const out = await schedule(Object.keys(behaviour).map((id) => ({ id, deps: [], kind: 'job' as const })), new Set(), pool, {
    prepare: async (id, attempt) => {
      mkdirSync(join(dir, id), { recursive: true });
      writeFileSync(join(dir, id, 'chunk.json'), JSON.stringify({ name: id, behaviour: behaviour[id], events: 10, attempt }));
      return ok({ nodeId: id, name: id, chunkDir: join(dir, id), attempt });
    },
    inline: async () => ok({ eventsProcessed: 0 }),
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: (e) => { if (e.type === 'retry') retries.push(e.id); },
  }, { retry: noDelay, keepGoing: true });
  await pool.close();
  assert.equal(Object.fromEntries([...out].map(([k, v]) => [k, v.status])), { e0: 'succeeded', e1: 'failed', e2: 'succeeded' });
  assert.equal(['e0', 'e1', 'e2'].map((id) => runs(id).length), [1, 3, 1]);
  assert.equal(retries, ['e1', 'e1']);
  const e1 = out.get('e1')!;
  assert.ok(e1.status === 'failed' && e1.attempts === 3 && e1.failure.kind === 'resource' && e1.failure.signal === 'SIGKILL', JSON.stringify(e1));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
