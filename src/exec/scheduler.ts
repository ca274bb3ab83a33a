// The scheduler: runs a DAG of tasks through any Executor. Owns the ready queue, retries and the
// failure policy; knows nothing about chunks or ROOT. 'job' tasks go to the executor, 'inline'
// tasks (the hadd merges) run in this process, one at a time. A task whose dependency failed is
// skipped. With keepGoing off, the first failure stops new submissions (running ones finish).
import type { Executor, ExecutorEvent, JobSpec, JournalEntry } from './executor.js';
import { assertNever, type Result } from '../util/result.js';

export interface SchedTask {
  id: string;
  deps: string[];
  kind: 'job' | 'inline';
}

export type TaskOutcome =
  | { status: 'succeeded'; attempts: number; eventsProcessed: number }
  | { status: 'failed'; attempts: number; reason: string; log?: string }
  | { status: 'skipped'; reason: string };

export type SchedEvent =
  | { type: 'start'; id: string; attempt: number }
  | { type: 'progress'; id: string; events: number }
  | { type: 'retry'; id: string; attempt: number; reason: string }
  | { type: 'end'; id: string; outcome: TaskOutcome };

export interface SchedulerHooks {
  /** Makes an attempt ready to submit (writes chunk.json …). A Failure fails the task at once. */
  prepare(id: string, attempt: number): Promise<Result<JobSpec>>;
  /** Runs an inline task (a merge). */
  inline(id: string): Promise<Result<{ eventsProcessed: number }>>;
  /**
   * Confirms a succeeded attempt (reads its marker, records it). A Failure turns it into a failed
   * attempt (retried like any other).
   */
  confirm(id: string, attempt: number, eventsProcessed: number): Promise<Result<{ eventsProcessed: number }>>;
  /** Records a failed attempt's outcome (may be the final one). */
  emit(e: SchedEvent): void;
  journal?: {
    put(e: JournalEntry): Promise<unknown>;
    remove(nodeId: string, attempt: number): Promise<unknown>;
  };
  /** The key each job is submitted for (journaled so that a re-attach can check it). */
  keyOf?(id: string): string;
}

export interface SchedulerOptions {
  retries: number;
  keepGoing: boolean;
  signal?: AbortSignal;
  /** Jobs of an interrupted build to re-attach to (already filtered to tasks in this graph). */
  adopt?: JournalEntry[];
  /** Batch executors: stop once everything runnable is submitted, leaving the jobs queued (--detach). */
  detach?: boolean;
}

export async function schedule(tasks: readonly SchedTask[], done: ReadonlySet<string>, executor: Executor,
  hooks: SchedulerHooks, opts: SchedulerOptions): Promise<Map<string, TaskOutcome>> {
  const outcomes = new Map<string, TaskOutcome>();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waiting = new Set(tasks.map((t) => t.id));
  const attempt = new Map<string, number>();
  const specs = new Map<string, JobSpec>();
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
  let inlineRunning: Promise<void> | null = null;
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
      if (outcome.status !== 'succeeded') finish(u, { status: 'skipped', reason: 'a dependency failed' });
      else {
        const n = unmet.get(u)! - 1;
        unmet.set(u, n);
        if (n === 0 && !outcomes.has(u)) enqueue(u);
      }
    }
  };

  const failAttempt = async (id: string, n: number, reason: string, log?: string): Promise<void> => {
    if (inflight.delete(id) && byId.get(id)?.kind === 'job') jobsInflight--;
    if (n <= opts.retries && !stopping && !opts.signal?.aborted) {
      hooks.emit({ type: 'retry', id, attempt: n + 1, reason });
      attempt.set(id, n + 1);
      readyJobs.push(id); // resubmitted by the next fill
      return;
    }
    finish(id, { status: 'failed', attempts: n, reason, log });
  };

  for (const id of blocked) finish(id, { status: 'skipped', reason: 'a dependency failed' });
  const adopted = new Set<string>();
  if (opts.adopt?.length) {
    const live = await executor.adopt(opts.adopt);
    for (const e of live) {
      if (!waiting.has(e.nodeId) || inflight.has(e.nodeId)) continue;
      attempt.set(e.nodeId, e.attempt);
      inflight.add(e.nodeId);
      jobsInflight++;
      adopted.add(e.nodeId);
      hooks.emit({ type: 'start', id: e.nodeId, attempt: e.attempt });
    }
  }
  for (const t of tasks) if (unmet.get(t.id) === 0 && !outcomes.has(t.id) && !adopted.has(t.id)) enqueue(t.id);

  for (;;) {
    if (opts.signal?.aborted) stopping = true;
    if (!stopping && readyInline.length > 0 && inlineRunning === null) {
      const id = readyInline.shift()!;
      inflight.add(id);
      hooks.emit({ type: 'start', id, attempt: 1 });
      inlineRunning = hooks.inline(id).then(
        (r) => finish(id, r.ok ? { status: 'succeeded', attempts: 1, eventsProcessed: r.value.eventsProcessed } : { status: 'failed', attempts: 1, reason: r.error.reason }),
        (err: unknown) => finish(id, { status: 'failed', attempts: 1, reason: `bug: ${String(err)}` }),
      ).finally(() => { inlineRunning = null; });
    }
    const room = Math.max(0, executor.capacity - jobsInflight);
    if (!stopping && room > 0 && readyJobs.length > 0) {
      const batch: JobSpec[] = [];
      for (const id of readyJobs.splice(0, room)) {
        if (outcomes.has(id) || inflight.has(id)) continue;
        const n = attempt.get(id) ?? 1;
        attempt.set(id, n);
        const spec = await hooks.prepare(id, n);
        if (!spec.ok) { finish(id, { status: 'failed', attempts: n, reason: spec.error.reason }); continue; }
        specs.set(id, spec.value);
        inflight.add(id);
        jobsInflight++;
        batch.push(spec.value);
      }
      if (batch.length) await executor.submit(batch);
      continue; // re-evaluate: more may fit (batch executors have large capacity)
    }
    const jobsRunning = jobsInflight > 0;
    if (!jobsRunning && inlineRunning === null) {
      if (waiting.size === 0 || stopping || (readyJobs.length === 0 && readyInline.length === 0)) break;
      continue;
    }
    if (opts.detach && jobsRunning && inlineRunning === null) break;
    if (jobsRunning && nextP === null) nextP = executor.next().then((v) => { nextResult = v; });
    const waits: Array<Promise<unknown>> = [signalled];
    if (nextP) waits.push(nextP);
    if (inlineRunning) waits.push(inlineRunning);
    await Promise.race(waits);
    if (opts.signal?.aborted && !cancelled) {
      cancelled = true;
      stopping = true;
      // Batch jobs outlive an interrupted coordinator: the next build re-attaches, `heppy cancel` cancels.
      if (executor.kind === 'local') await executor.cancelAll();
    }
    if (opts.signal?.aborted && nextResult === null && inlineRunning === null) break;
    if (nextResult === null) continue;
    const settled: ExecutorEvent[] = nextResult;
    nextResult = null;
    nextP = null;
    for (const ev of settled) {
      switch (ev.type) {
        case 'submitted': {
          const s = specs.get(ev.nodeId);
          if (hooks.journal) await hooks.journal.put({ nodeId: ev.nodeId, attempt: ev.attempt, jobId: ev.jobId,
            key: hooks.keyOf?.(ev.nodeId) ?? '', submittedAt: Date.now(), executor: executor.kind, name: s?.name, chunkDir: s?.chunkDir } as JournalEntry);
          break;
        }
        case 'started':
          hooks.emit({ type: 'start', id: ev.nodeId, attempt: ev.attempt });
          break;
        case 'progress':
          hooks.emit({ type: 'progress', id: ev.nodeId, events: ev.events });
          break;
        case 'ended': {
          const end = ev.end;
          if (!inflight.has(end.nodeId)) break; // a stale end (an earlier attempt) is ignored
          // Not awaited: a stale entry only costs a re-attach attempt that finds nothing.
          if (hooks.journal) void hooks.journal.remove(end.nodeId, end.attempt);
          if (end.status === 'succeeded') {
            const c = await hooks.confirm(end.nodeId, end.attempt, end.eventsProcessed);
            if (c.ok) finish(end.nodeId, { status: 'succeeded', attempts: end.attempt, eventsProcessed: c.value.eventsProcessed });
            else await failAttempt(end.nodeId, end.attempt, c.error.reason);
          } else if (end.status === 'failed') {
            await failAttempt(end.nodeId, end.attempt, end.reason, end.log);
          } else assertNever(end, 'attempt end');
          break;
        }
        default:
          assertNever(ev, 'executor event');
      }
    }
  }
  for (const id of waiting) if (!outcomes.has(id)) outcomes.set(id, { status: 'skipped', reason: opts.signal?.aborted ? 'interrupted' : opts.detach ? 'detached' : 'stopped after a failure (--no-keep-going)' });
  return outcomes;
}
