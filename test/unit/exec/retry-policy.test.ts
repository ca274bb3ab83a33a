// The scheduler's retry policy by failure kind, with a fake executor and an injected clock: which
// attempts are retried, after what back-off, with what resources. No processes, no real waiting.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Executor, ExecutorEvent, JobSpec, Resources } from '../../../src/exec/executor.js';
import { backoffMs, decideRetry, defaultRetryPolicy, type RetryPolicy, type SchedClock } from '../../../src/exec/retry-policy.js';
import { schedule, type SchedEvent, type TaskOutcome } from '../../../src/exec/scheduler.js';
import type { TaskFailure } from '../../../src/util/failure.js';
import { ok } from '../../../src/util/result.js';

const analysis: TaskFailure = { kind: 'analysis', analyzer: 'Sum', event: 7, reason: 'boom' };
const input: TaskFailure = { kind: 'input', file: '/data/f.root', reason: 'truncated' };
const schema: TaskFailure = { kind: 'schema', file: '/data/f.root', tree: 'Events', branch: 'nMuon', reason: 'branch not found' };
const infra: TaskFailure = { kind: 'infrastructure', reason: 'sbatch: Unable to contact slurm controller' };
const oom: TaskFailure = { kind: 'resource', resource: 'memory', reason: 'over --mem' };
const killed: TaskFailure = { kind: 'resource', resource: 'signal', signal: 'SIGKILL', reason: 'killed' };
const interrupted: TaskFailure = { kind: 'interrupted', reason: 'scancel' };

/** Runs scripted attempts: script[id][attempt - 1] is how that attempt ends. */
class FakeExecutor implements Executor {
  readonly kind = 'slurm' as const;
  readonly capacity = 100;
  readonly submitted: JobSpec[] = [];
  private queue: ExecutorEvent[] = [];
  constructor(private readonly script: Record<string, Array<TaskFailure | 'ok'>>, scale?: (j: JobSpec, f: Extract<TaskFailure, { kind: 'resource' }>) => Resources | null) {
    if (scale) this.scaleResources = scale;
  }
  scaleResources?: (j: JobSpec, f: Extract<TaskFailure, { kind: 'resource' }>) => Resources | null;
  async submit(jobs: JobSpec[]): Promise<void> {
    for (const j of jobs) {
      this.submitted.push({ ...j });
      const how = this.script[j.nodeId]![j.attempt - 1] ?? 'ok';
      this.queue.push({ type: 'ended', end: how === 'ok'
        ? { nodeId: j.nodeId, attempt: j.attempt, status: 'succeeded', eventsProcessed: 10 }
        : { nodeId: j.nodeId, attempt: j.attempt, status: 'failed', failure: how } });
    }
  }
  async adopt() { return []; }
  async next(): Promise<ExecutorEvent[]> { return this.queue.splice(0); }
  async cancelAll(): Promise<void> {}
  async close(): Promise<void> {}
  attempts(id: string): number[] { return this.submitted.filter((j) => j.nodeId === id).map((j) => j.attempt); }
}

/** Virtual time: sleep() advances it at once and records the wait. */
function fakeClock(): SchedClock & { sleeps: number[]; t: number } {
  const c = { t: 1_000_000, sleeps: [] as number[], now: () => c.t, sleep: async (ms: number) => { c.sleeps.push(ms); c.t += Math.max(0, ms); } };
  return c;
}

async function run(script: Record<string, Array<TaskFailure | 'ok'>>, policy: Partial<RetryPolicy> = {}, scale?: FakeExecutor['scaleResources']) {
  const ex = new FakeExecutor(script, scale);
  const clock = fakeClock();
  const events: SchedEvent[] = [];
  const out = await schedule(Object.keys(script).map((id) => ({ id, deps: [], kind: 'job' as const })), new Set(), ex, {
    prepare: async (id, attempt) => ok({ nodeId: id, name: id, chunkDir: `/o/${id}`, attempt }),
    inline: async () => ok({ eventsProcessed: 0 }),
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: (e) => events.push(e),
  }, { retry: { ...defaultRetryPolicy(2), ...policy }, keepGoing: true, clock });
  return { ex, clock, events, out };
}

const status = (o: TaskOutcome | undefined): string => (o === undefined ? 'none' : o.status === 'failed' ? `failed:${o.failure.kind}:${o.attempts}` : o.status);

test('input, analysis and schema failures run once; infrastructure and resource failures are retried', async () => {
  const { ex, out } = await run({ a: [analysis], i: [input], s: [schema], n: [infra, infra, 'ok'], k: [killed, 'ok'], c: [interrupted] });
  assert.equal(ex.attempts('a'), [1]);
  assert.equal(ex.attempts('i'), [1]);
  assert.equal(ex.attempts('s'), [1]);
  assert.equal(ex.attempts('c'), [1], 'an interrupted attempt is not retried');
  assert.equal(ex.attempts('n'), [1, 2, 3]);
  assert.equal(ex.attempts('k'), [1, 2]);
  assert.equal(Object.fromEntries(['a', 'i', 's', 'n', 'k', 'c'].map((id) => [id, status(out.get(id))])),
    { a: 'failed:analysis:1', i: 'failed:input:1', s: 'failed:schema:1', n: 'succeeded', k: 'succeeded', c: 'failed:interrupted:1' });
});

test('--retry-all retries analysis failures too (never an interrupted one)', async () => {
  const { ex, out } = await run({ a: [analysis, analysis, analysis], c: [interrupted] }, { retryAll: true });
  assert.equal(ex.attempts('a'), [1, 2, 3]);
  assert.equal(ex.attempts('c'), [1]);
  assert.is(status(out.get('a')), 'failed:analysis:3');
});

test('infrastructure failures wait base × 2^(n-1) (bounded) before each retry, on the injected clock', async () => {
  const { ex, clock, events } = await run({ n: [infra, infra, infra, infra, 'ok'] }, { retries: 4, backoffBaseMs: 5000, backoffMaxMs: 15_000 });
  assert.equal(ex.attempts('n'), [1, 2, 3, 4, 5]);
  assert.equal(events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.delayMs : -1)), [5000, 10_000, 15_000, 15_000]);
  assert.equal(clock.sleeps, [5000, 10_000, 15_000, 15_000]);
});

test('an unreachable batch system: 25 chunks, every attempt refused: 2 back-off waits in all, not 50 immediate resubmissions', async () => {
  const script = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`c${i}`, [infra, infra, infra]]));
  const { ex, clock, out } = await run(script, { backoffBaseMs: 2000 });
  assert.is(ex.submitted.length, 75);
  // The 25 retries of one round are due together: one wait each round (2 s, then 4 s).
  assert.equal(clock.sleeps, [2000, 4000]);
  for (const id of Object.keys(script)) assert.is(status(out.get(id)), 'failed:infrastructure:3');
});

test('resource failures are resubmitted with the resources the executor scales, until it can give no more', async () => {
  const scale = (j: JobSpec, f: Extract<TaskFailure, { kind: 'resource' }>): Resources | null => {
    if (f.resource !== 'memory') return j.resources ?? {};
    const cur = j.resources?.memMB ?? 1000;
    return cur >= 2000 ? null : { memMB: Math.min(2000, cur * 1.5) };
  };
  const { ex, out, clock } = await run({ m: [oom, oom, 'ok'], x: [oom, oom, oom, oom, oom] }, { retries: 5 }, scale);
  assert.equal(ex.submitted.filter((j) => j.nodeId === 'm').map((j) => j.resources?.memMB), [undefined, 1500, 2000]);
  assert.is(status(out.get('m')), 'succeeded');
  // 1000 → 1500 → 2000, then the bound: the third failure is final although retries remain.
  assert.equal(ex.submitted.filter((j) => j.nodeId === 'x').map((j) => j.resources?.memMB), [undefined, 1500, 2000]);
  assert.is(status(out.get('x')), 'failed:resource:3');
  assert.equal(clock.sleeps, [], 'no back-off for resource failures');
});

test('--retries bounds every kind; an abort during a back-off makes the last failure final', async () => {
  const { ex, out } = await run({ n: [infra, infra, infra, infra] }, { retries: 1, backoffBaseMs: 0 });
  assert.equal(ex.attempts('n'), [1, 2]);
  assert.is(status(out.get('n')), 'failed:infrastructure:2');

  const ac = new AbortController();
  const exe = new FakeExecutor({ n: [infra, 'ok'] });
  const clock = { now: () => 0, sleep: (_ms: number, cancel?: AbortSignal) => new Promise<void>((res) => { ac.abort(); cancel?.addEventListener('abort', () => res()); setTimeout(res, 50); }) };
  const o = await schedule([{ id: 'n', deps: [], kind: 'job' }], new Set(), exe, {
    prepare: async (id, attempt) => ok({ nodeId: id, name: id, chunkDir: `/o/${id}`, attempt }),
    inline: async () => ok({ eventsProcessed: 0 }),
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: () => {},
  }, { retry: defaultRetryPolicy(2), keepGoing: true, clock, signal: ac.signal });
  assert.equal(exe.attempts('n'), [1]);
  assert.is(status(o.get('n')), 'failed:infrastructure:1');
});

test("an attempt stopped by this build's own Ctrl-C ends as not run (interrupted), not as a failure", async () => {
  const ac = new AbortController();
  const exe = new FakeExecutor({ n: [interrupted] });
  const next = exe.next.bind(exe);
  exe.next = async () => { ac.abort(); return next(); };
  const events: SchedEvent[] = [];
  const o = await schedule([{ id: 'n', deps: [], kind: 'job' }], new Set(), exe, {
    prepare: async (id, attempt) => ok({ nodeId: id, name: id, chunkDir: `/o/${id}`, attempt }),
    inline: async () => ok({ eventsProcessed: 0 }),
    confirm: async (_id, _a, n) => ok({ eventsProcessed: n }),
    emit: (e) => events.push(e),
  }, { retry: defaultRetryPolicy(2), keepGoing: true, signal: ac.signal });
  assert.equal(o.get('n'), { status: 'skipped', why: 'interrupted' });
  assert.equal(events.filter((e) => e.type === 'end'), []);
});

test('decideRetry and backoffMs directly', () => {
  const p: RetryPolicy = { retries: 2, retryAll: false, backoffBaseMs: 1000, backoffMaxMs: 3000 };
  assert.equal(decideRetry(analysis, 1, p), { retry: false, why: 'kind' });
  assert.equal(decideRetry(infra, 1, p), { retry: true, delayMs: 1000 });
  assert.equal(decideRetry(infra, 3, p), { retry: false, why: 'exhausted' });
  assert.equal(decideRetry(oom, 1, p, () => null), { retry: false, why: 'no-more-resources' });
  assert.equal(decideRetry(oom, 1, p, () => ({ memMB: 3 })), { retry: true, delayMs: 0, resources: { memMB: 3 } });
  assert.equal(decideRetry(killed, 1, p), { retry: true, delayMs: 0 });
  assert.equal([1, 2, 3, 4].map((n) => backoffMs(p, n)), [1000, 2000, 3000, 3000]);
});

test.run();
