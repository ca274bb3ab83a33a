// The scheduler: runs a DAG of tasks through any Executor. Owns the ready queue, retries and the
// failure policy; knows nothing about chunks or ROOT. 'job' tasks go to the executor, 'inline'
// tasks (the hadd merges) run in this process, up to `inlineSlots` at once (default one). A task whose dependency failed is
// skipped. With keepGoing off, the first failure stops new submissions (running ones finish).
// Retries follow the failure's kind (retry-policy.ts): delayed ones wait in `delayed` until due.
import type { Executor, ExecutorEvent, JobSpec, JournalEntry, ReportedResult, Resources } from './executor.js';
import { decideRetry, realClock, type RetryPolicy, type SchedClock } from './retry-policy.js';
import type { TaskFailure } from '../util/failure.js';
import { assertNever, type Result } from '../util/result.js';

export interface SchedTask {
  id: string;
  deps: string[];
  kind: 'job' | 'inline';
}

/** Why a task was not run: a dependency failed, Ctrl-C, --detach, or --no-keep-going after a failure. */
export type SkipReason = 'dependency' | 'interrupted' | 'detached' | 'stopped';

/**
 * `attempts`: how many attempts this run made; `attempt`: the number of the last one (attempt
 * numbers continue across builds and resubmissions: see SchedulerHooks.firstAttempt).
 */
export type TaskOutcome =
  | { status: 'succeeded'; attempts: number; attempt: number; eventsProcessed: number }
  | { status: 'failed'; attempts: number; attempt: number; failure: TaskFailure; log?: string }
  | { status: 'skipped'; why: SkipReason };

export type SchedEvent =
  | { type: 'start'; id: string; attempt: number }
  | { type: 'progress'; id: string; events: number; expected?: number }
  /** Attempt `attempt` will start after `delayMs` (with `resources` when they were raised). */
  | { type: 'retry'; id: string; attempt: number; failure: TaskFailure; delayMs: number; resources?: Resources }
  | { type: 'end'; id: string; outcome: TaskOutcome };

export interface SchedulerHooks {
  /** Makes an attempt ready to submit (writes chunk.json …). A failure fails the task at once. */
  prepare(id: string, attempt: number): Promise<Result<JobSpec, TaskFailure>>;
  /** Runs an inline task (a merge). */
  inline(id: string): Promise<Result<{ eventsProcessed: number }, TaskFailure>>;
  /**
   * Confirms a succeeded attempt (reads its marker, or takes what the run reported of it; records
   * it). A failure turns it into a failed attempt (retried by its kind like any other).
   */
  confirm(id: string, attempt: number, eventsProcessed: number, reported?: ReportedResult): Promise<Result<{ eventsProcessed: number }, TaskFailure>>;
  /** Records a failed attempt's outcome (may be the final one). */
  emit(e: SchedEvent): void;
  journal?: {
    put(e: JournalEntry): Promise<unknown>;
    remove(nodeId: string, attempt: number): Promise<unknown>;
  };
  /** The key each job is submitted for (journaled so that a re-attach can check it). */
  keyOf?(id: string): string;
  /**
   * The number of a job task's first attempt in this run (default 1): one more than the last
   * attempt any earlier build or resubmission recorded, so that markers and job logs of successive
   * attempts never share a number. Retries are counted from it (--retries is per run).
   */
  firstAttempt?(id: string): number;
}

export interface SchedulerOptions {
  retry: RetryPolicy;
  keepGoing: boolean;
  /** Time for the back-off of retries (tests inject a fake one). */
  clock?: SchedClock;
  signal?: AbortSignal;
  /** Jobs of an interrupted build to re-attach to (already filtered to tasks in this graph). */
  adopt?: JournalEntry[];
  /** Batch executors: stop once everything runnable is submitted, leaving the jobs queued (--detach). */
  detach?: boolean;
  /** Inline tasks running at once (merges of a build with -j N: N); default 1. */
  inlineSlots?: number;
}

export async function schedule(tasks: readonly SchedTask[], done: ReadonlySet<string>, executor: Executor,
  hooks: SchedulerHooks, opts: SchedulerOptions): Promise<Map<string, TaskOutcome>> {
  const outcomes = new Map<string, TaskOutcome>();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waiting = new Set(tasks.map((t) => t.id));
  const attempt = new Map<string, number>();
  // The first attempt number of each job task in this run: retries and `attempts` count from it.
  const base = new Map<string, number>();
  const tries = (id: string, n: number): number => n - (base.get(id) ?? 1) + 1;
  const specs = new Map<string, JobSpec>();
  const resources = new Map<string, Resources>();
  const clock = opts.clock ?? realClock;
  // Retries waiting for their back-off: due time, task, and its last failure (final if stopped).
  const delayed: Array<{ due: number; id: string; failure: TaskFailure; attempt: number; log?: string }> = [];
  const sleepCancel = new AbortController();
  let sleeping: Promise<void> | null = null;
  const inflight = new Set<string>();
  let jobsInflight = 0;
  // Incremental readiness (a build has 10,000 tasks: no rescans): unmet dependency counts,
  // reverse edges, and FIFO queues of ready tasks.
  const unmet = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const readyJobs: string[] = [];
  const readyInline: string[] = [];
  const blocked: string[] = [];
  let stopping = false;
  let cancelled = false;
  const inlineRunning = new Set<Promise<void>>();
  const inlineSlots = Math.max(1, opts.inlineSlots ?? 1);
  let nextP: Promise<unknown> | null = null;
  let nextResult: ExecutorEvent[] | null = null;
  const signalled = new Promise<void>((res) => {
    if (opts.signal?.aborted) res();
    opts.signal?.addEventListener('abort', () => res(), { once: true });
  });

  const enqueue = (id: string): void => {
    if (byId.get(id)!.kind === 'job') readyJobs.push(id);
    else readyInline.push(id);
  };

  for (const t of tasks) {
    let n = 0;
    let missing = false;
    for (const d of t.deps) {
      if (done.has(d)) continue;
      if (!byId.has(d)) { missing = true; continue; }
      n++;
      const list = dependents.get(d);
      if (list) list.push(t.id);
      else dependents.set(d, [t.id]);
    }
    unmet.set(t.id, n);
    if (missing) blocked.push(t.id);
  }

  const finish = (id: string, outcome: TaskOutcome): void => {
    if (outcomes.has(id)) return;
    outcomes.set(id, outcome);
    waiting.delete(id);
    if (inflight.delete(id) && byId.get(id)?.kind === 'job') jobsInflight--;
    if (outcome.status === 'failed' && !opts.keepGoing) stopping = true;
    hooks.emit({ type: 'end', id, outcome });
    for (const u of dependents.get(id) ?? []) {
      if (outcome.status !== 'succeeded') finish(u, { status: 'skipped', why: 'dependency' });
      else {
        const n = unmet.get(u)! - 1;
        unmet.set(u, n);
        if (n === 0 && !outcomes.has(u)) enqueue(u);
      }
    }
  };

  const failed = (id: string, n: number, failure: TaskFailure, log?: string): TaskOutcome =>
    ({ status: 'failed', attempts: tries(id, n), attempt: n, failure, ...(log !== undefined ? { log } : {}) });

  const failAttempt = (id: string, n: number, failure: TaskFailure, log?: string): void => {
    if (inflight.delete(id) && byId.get(id)?.kind === 'job') jobsInflight--;
    // Stopped by this build's own Ctrl-C: not a failure of the task; it ends as not run (interrupted).
    if (failure.kind === 'interrupted' && opts.signal?.aborted) return;
    const spec = specs.get(id);
    const scale = executor.scaleResources && spec ? (f: Extract<TaskFailure, { kind: 'resource' }>) => executor.scaleResources!(spec, f) : undefined;
    const d = stopping || opts.signal?.aborted ? null : decideRetry(failure, tries(id, n), opts.retry, scale);
    if (d === null || !d.retry) {
      finish(id, failed(id, n, failure, log));
      return;
    }
    if (d.resources) resources.set(id, d.resources);
    hooks.emit({ type: 'retry', id, attempt: n + 1, failure, delayMs: d.delayMs, ...(d.resources ? { resources: d.resources } : {}) });
    attempt.set(id, n + 1);
    if (d.delayMs > 0) delayed.push({ due: clock.now() + d.delayMs, id, failure, attempt: n, ...(log !== undefined ? { log } : {}) });
    else readyJobs.push(id); // resubmitted by the next fill
  };

  /** Moves retries whose back-off is over to the ready queue; returns the next due time (or null). */
  const releaseDue = (): number | null => {
    const now = clock.now();
    let next: number | null = null;
    for (let i = 0; i < delayed.length;) {
      const e = delayed[i]!;
      if (e.due <= now) {
        delayed.splice(i, 1);
        readyJobs.push(e.id);
      } else {
        next = next === null ? e.due : Math.min(next, e.due);
        i++;
      }
    }
    return next;
  };

  for (const id of blocked) finish(id, { status: 'skipped', why: 'dependency' });
  const adopted = new Set<string>();
  if (opts.adopt?.length) {
    const live = await executor.adopt(opts.adopt);
    // An entry the executor could not find was never submitted, or is gone without a result: forgotten.
    const found = new Set(live.map((e) => `${e.nodeId}\u0000${e.attempt}`));
    for (const e of opts.adopt) if (!found.has(`${e.nodeId}\u0000${e.attempt}`)) void hooks.journal?.remove(e.nodeId, e.attempt);
    for (const e of live) {
      if (!waiting.has(e.nodeId) || inflight.has(e.nodeId)) continue;
      attempt.set(e.nodeId, e.attempt);
      base.set(e.nodeId, e.attempt);
      inflight.add(e.nodeId);
      jobsInflight++;
      adopted.add(e.nodeId);
      hooks.emit({ type: 'start', id: e.nodeId, attempt: e.attempt });
    }
  }
  for (const t of tasks) if (unmet.get(t.id) === 0 && !outcomes.has(t.id) && !adopted.has(t.id)) enqueue(t.id);

  for (;;) {
    if (opts.signal?.aborted) stopping = true;
    if (stopping && executor.withdraw) {
      // Submitted ahead but not started: they are not run (they end as 'stopped' below).
      for (const j of executor.withdraw()) if (inflight.delete(j.nodeId)) jobsInflight--;
    }
    if (stopping) {
      // A retry still waiting for its back-off is not started any more: its last failure is final.
      for (const e of delayed.splice(0)) finish(e.id, failed(e.id, e.attempt, e.failure, e.log));
    }
    const nextDue = releaseDue();
    const room = Math.max(0, executor.capacity - jobsInflight);
    if (!stopping && room > 0 && readyJobs.length > 0) {
      const batch: JobSpec[] = [];
      for (const id of readyJobs.splice(0, room)) {
        if (outcomes.has(id) || inflight.has(id)) continue;
        let n = attempt.get(id);
        if (n === undefined) {
          n = hooks.firstAttempt?.(id) ?? 1;
          base.set(id, n);
        }
        attempt.set(id, n);
        const spec = await hooks.prepare(id, n);
        if (!spec.ok) { finish(id, failed(id, n, spec.error)); continue; }
        const res = resources.get(id);
        if (res !== undefined) spec.value.resources = res;
        specs.set(id, spec.value);
        inflight.add(id);
        jobsInflight++;
        batch.push(spec.value);
      }
      if (batch.length) await executor.submit(batch);
      continue; // re-evaluate: more may fit (batch executors have large capacity)
    }
    // Inline tasks (merges) start after the jobs are submitted: a merge runs in this thread, and
    // a worker whose next chunk was not sent before it would wait for the merge to end.
    while (!stopping && readyInline.length > 0 && inlineRunning.size < inlineSlots) {
      const id = readyInline.shift()!;
      inflight.add(id);
      hooks.emit({ type: 'start', id, attempt: 1 });
      const p: Promise<void> = hooks.inline(id).then(
        (r) => finish(id, r.ok ? { status: 'succeeded', attempts: 1, attempt: 1, eventsProcessed: r.value.eventsProcessed } : failed(id, 1, r.error)),
        (err: unknown) => finish(id, failed(id, 1, { kind: 'infrastructure', reason: `bug: ${String(err)}` })),
      ).finally(() => { inlineRunning.delete(p); });
      inlineRunning.add(p);
    }
    const jobsRunning = jobsInflight > 0;
    if (!jobsRunning && inlineRunning.size === 0 && nextDue === null) {
      if (waiting.size === 0 || stopping || (readyJobs.length === 0 && readyInline.length === 0)) break;
      continue;
    }
    if (opts.detach && jobsRunning && inlineRunning.size === 0 && nextDue === null) break;
    if (jobsRunning && nextP === null) nextP = executor.next().then((v) => { nextResult = v; });
    const waits: Array<Promise<unknown>> = [signalled];
    if (nextP) waits.push(nextP);
    waits.push(...inlineRunning);
    if (nextDue !== null) {
      sleeping ??= clock.sleep(nextDue - clock.now(), sleepCancel.signal).then(() => { sleeping = null; });
      waits.push(sleeping);
    }
    await Promise.race(waits);
    if (opts.signal?.aborted && !cancelled) {
      cancelled = true;
      stopping = true;
      // Batch jobs outlive an interrupted coordinator: the next build re-attaches, `heppy cancel` cancels.
      if (executor.kind === 'local') await executor.cancelAll();
    }
    if (opts.signal?.aborted && nextResult === null && inlineRunning.size === 0) break;
    if (nextResult === null) continue;
    const settled: ExecutorEvent[] = nextResult;
    nextResult = null;
    nextP = null;
    for (const ev of settled) {
      switch (ev.type) {
        case 'submitted': {
          const s = specs.get(ev.nodeId);
          if (hooks.journal) await hooks.journal.put({ nodeId: ev.nodeId, attempt: ev.attempt, jobId: ev.jobId,
            key: hooks.keyOf?.(ev.nodeId) ?? '', submittedAt: Date.now(), executor: executor.kind, name: s?.name, chunkDir: s?.chunkDir,
            ...(ev.taskLog !== undefined ? { taskLog: ev.taskLog } : {}) } as JournalEntry);
          break;
        }
        case 'started':
          hooks.emit({ type: 'start', id: ev.nodeId, attempt: ev.attempt });
          break;
        case 'progress':
          hooks.emit({ type: 'progress', id: ev.nodeId, events: ev.events, ...(ev.expected !== undefined ? { expected: ev.expected } : {}) });
          break;
        case 'ended': {
          const end = ev.end;
          if (!inflight.has(end.nodeId)) break; // a stale end (an earlier attempt) is ignored
          // Not awaited: a stale entry only costs a re-attach attempt that finds nothing.
          if (hooks.journal) void hooks.journal.remove(end.nodeId, end.attempt);
          if (end.status === 'succeeded') {
            const c = await hooks.confirm(end.nodeId, end.attempt, end.eventsProcessed, end.reported);
            if (c.ok) finish(end.nodeId, { status: 'succeeded', attempts: tries(end.nodeId, end.attempt), attempt: end.attempt, eventsProcessed: c.value.eventsProcessed });
            else failAttempt(end.nodeId, end.attempt, c.error);
          } else if (end.status === 'failed') {
            failAttempt(end.nodeId, end.attempt, end.failure, end.log);
          } else assertNever(end, 'attempt end');
          break;
        }
        default:
          assertNever(ev, 'executor event');
      }
    }
    if (!stopping && !opts.signal?.aborted) executor.resume?.();
  }
  sleepCancel.abort();
  // Retries still waiting for their back-off when the build stopped: their last failure is final.
  for (const e of delayed.splice(0)) finish(e.id, failed(e.id, e.attempt, e.failure, e.log));
  const why: SkipReason = opts.signal?.aborted ? 'interrupted' : opts.detach ? 'detached' : 'stopped';
  for (const id of waiting) if (!outcomes.has(id)) outcomes.set(id, { status: 'skipped', why });
  return outcomes;
}
