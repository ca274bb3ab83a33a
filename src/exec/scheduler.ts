// The scheduler: runs a DAG of tasks through any Executor. Owns the ready queue, retries and the
// failure policy; knows nothing about chunks or ROOT. 'job' tasks go to the executor, 'inline'
// tasks (the hadd merges) run in this process, up to `inlineSlots` at once (default one). A task whose dependency failed is
// skipped. With keepGoing off, the first failure stops new submissions (running ones finish).
// Retries follow the failure's kind (retry-policy.ts): delayed ones wait in `delayed` until due.
import type { AttemptEnd, Executor, ExecutorEvent, JobSpec, JournalEntry, Resources } from './executor.js';
import { decideRetry, realClock, type SchedClock } from './retry-policy.js';
import type { SchedTask, SchedulerHooks, SchedulerOptions, SkipReason, TaskOutcome } from './sched-types.js';
import type { TaskFailure } from '../util/failure.js';
import { assertNever } from '../util/result.js';

export type { SchedEvent, SchedTask, SchedulerHooks, SchedulerOptions, SkipReason, TaskOutcome } from './sched-types.js';

export async function schedule(tasks: readonly SchedTask[], done: ReadonlySet<string>, executor: Executor,
  hooks: SchedulerHooks, opts: SchedulerOptions): Promise<Map<string, TaskOutcome>> {
  return new SchedRun(tasks, done, executor, hooks, opts).run();
}

/** A retry waiting for its back-off: due time, task, and its last failure (final if stopped). */
interface Delayed { due: number; id: string; failure: TaskFailure; attempt: number; log?: string }

/** One run of the scheduler: its state, and the steps of its loop. */
class SchedRun {
  private readonly outcomes = new Map<string, TaskOutcome>();
  private readonly byId: Map<string, SchedTask>;
  private readonly waiting: Set<string>;
  private readonly attempt = new Map<string, number>();
  // The first attempt number of each job task in this run: retries and `attempts` count from it.
  private readonly base = new Map<string, number>();
  private readonly specs = new Map<string, JobSpec>();
  private readonly resources = new Map<string, Resources>();
  private readonly clock: SchedClock;
  private readonly delayed: Delayed[] = [];
  private readonly sleepCancel = new AbortController();
  private sleeping: Promise<void> | null = null;
  private readonly inflight = new Set<string>();
  private jobsInflight = 0;
  // Incremental readiness (a build has 10,000 tasks: no rescans): unmet dependency counts,
  // reverse edges, and FIFO queues of ready tasks.
  private readonly unmet = new Map<string, number>();
  private readonly dependents = new Map<string, string[]>();
  private readonly readyJobs: string[] = [];
  private readonly readyInline: string[] = [];
  private readonly blocked: string[] = [];
  private stopping = false;
  private cancelled = false;
  private readonly inlineRunning = new Set<Promise<void>>();
  private readonly inlineSlots: number;
  private nextP: Promise<unknown> | null = null;
  private nextResult: ExecutorEvent[] | null = null;
  private readonly signalled: Promise<void>;

  constructor(private readonly tasks: readonly SchedTask[], done: ReadonlySet<string>, private readonly executor: Executor,
    private readonly hooks: SchedulerHooks, private readonly opts: SchedulerOptions) {
    this.byId = new Map(tasks.map((t) => [t.id, t]));
    this.waiting = new Set(tasks.map((t) => t.id));
    this.clock = opts.clock ?? realClock;
    this.inlineSlots = Math.max(1, opts.inlineSlots ?? 1);
    this.signalled = new Promise<void>((res) => {
      if (opts.signal?.aborted) res();
      opts.signal?.addEventListener('abort', () => res(), { once: true });
    });
    this.index(done);
  }

  /** Unmet dependency counts and reverse edges; a task with a dependency not in the graph (nor done) is blocked. */
  private index(done: ReadonlySet<string>): void {
    for (const t of this.tasks) {
      let n = 0;
      let missing = false;
      for (const d of t.deps) {
        if (done.has(d)) continue;
        if (!this.byId.has(d)) { missing = true; continue; }
        n++;
        const list = this.dependents.get(d);
        if (list) list.push(t.id);
        else this.dependents.set(d, [t.id]);
      }
      this.unmet.set(t.id, n);
      if (missing) this.blocked.push(t.id);
    }
  }

  async run(): Promise<Map<string, TaskOutcome>> {
    for (const id of this.blocked) this.finish(id, { status: 'skipped', why: 'dependency' });
    const adopted = this.opts.adopt?.length ? await this.adoptLive(this.opts.adopt) : new Set<string>();
    for (const t of this.tasks) if (this.unmet.get(t.id) === 0 && !this.outcomes.has(t.id) && !adopted.has(t.id)) this.enqueue(t.id);
    const { opts } = this;
    for (;;) {
      if (opts.signal?.aborted) this.stopping = true;
      if (this.stopping) this.dropQueued();
      const nextDue = this.releaseDue();
      const room = Math.max(0, this.executor.capacity - this.jobsInflight);
      if (!this.stopping && room > 0 && this.readyJobs.length > 0) {
        await this.submitReady(room);
        continue; // re-evaluate: more may fit (batch executors have large capacity)
      }
      this.startInline();
      const jobsRunning = this.jobsInflight > 0;
      if (!jobsRunning && this.inlineRunning.size === 0 && nextDue === null) {
        if (this.waiting.size === 0 || this.stopping || (this.readyJobs.length === 0 && this.readyInline.length === 0)) break;
        continue;
      }
      if (opts.detach && jobsRunning && this.inlineRunning.size === 0 && nextDue === null) break;
      await this.waitForAny(jobsRunning, nextDue);
      if (opts.signal?.aborted && !this.cancelled) {
        this.cancelled = true;
        this.stopping = true;
        // Batch jobs outlive an interrupted coordinator: the next build re-attaches, `heppy cancel` cancels.
        if (this.executor.kind === 'local') await this.executor.cancelAll();
      }
      if (opts.signal?.aborted && this.nextResult === null && this.inlineRunning.size === 0) break;
      if (this.nextResult === null) continue;
      const settled: ExecutorEvent[] = this.nextResult;
      this.nextResult = null;
      this.nextP = null;
      for (const ev of settled) {
        const p = this.onEvent(ev);
        if (p) await p;
      }
      if (!this.stopping && !opts.signal?.aborted) this.executor.resume?.();
    }
    return this.end();
  }

  private enqueue(id: string): void {
    if (this.byId.get(id)!.kind === 'job') this.readyJobs.push(id);
    else this.readyInline.push(id);
  }

  /** Attempts made in this run by attempt number n. */
  private tries(id: string, n: number): number {
    return n - (this.base.get(id) ?? 1) + 1;
  }

  private finish(id: string, outcome: TaskOutcome): void {
    if (this.outcomes.has(id)) return;
    this.outcomes.set(id, outcome);
    this.waiting.delete(id);
    if (this.inflight.delete(id) && this.byId.get(id)?.kind === 'job') this.jobsInflight--;
    if (outcome.status === 'failed' && !this.opts.keepGoing) this.stopping = true;
    this.hooks.emit({ type: 'end', id, outcome });
    for (const u of this.dependents.get(id) ?? []) {
      if (outcome.status !== 'succeeded') this.finish(u, { status: 'skipped', why: 'dependency' });
      else {
        const n = this.unmet.get(u)! - 1;
        this.unmet.set(u, n);
        if (n === 0 && !this.outcomes.has(u)) this.enqueue(u);
      }
    }
  }

  private failed(id: string, n: number, failure: TaskFailure, log?: string): TaskOutcome {
    return { status: 'failed', attempts: this.tries(id, n), attempt: n, failure, ...(log !== undefined ? { log } : {}) };
  }

  private failAttempt(id: string, n: number, failure: TaskFailure, log?: string): void {
    const { executor, opts } = this;
    if (this.inflight.delete(id) && this.byId.get(id)?.kind === 'job') this.jobsInflight--;
    // Stopped by this build's own Ctrl-C: not a failure of the task; it ends as not run (interrupted).
    if (failure.kind === 'interrupted' && opts.signal?.aborted) return;
    const spec = this.specs.get(id);
    const scale = executor.scaleResources && spec ? (f: Extract<TaskFailure, { kind: 'resource' }>) => executor.scaleResources!(spec, f) : undefined;
    const d = this.stopping || opts.signal?.aborted ? null : decideRetry(failure, this.tries(id, n), opts.retry, scale);
    if (d === null || !d.retry) {
      this.finish(id, this.failed(id, n, failure, log));
      return;
    }
    if (d.resources) this.resources.set(id, d.resources);
    this.hooks.emit({ type: 'retry', id, attempt: n + 1, failure, delayMs: d.delayMs, ...(d.resources ? { resources: d.resources } : {}) });
    this.attempt.set(id, n + 1);
    if (d.delayMs > 0) this.delayed.push({ due: this.clock.now() + d.delayMs, id, failure, attempt: n, ...(log !== undefined ? { log } : {}) });
    else this.readyJobs.push(id); // resubmitted by the next fill
  }

  /** Moves retries whose back-off is over to the ready queue; returns the next due time (or null). */
  private releaseDue(): number | null {
    const now = this.clock.now();
    let next: number | null = null;
    for (let i = 0; i < this.delayed.length;) {
      const e = this.delayed[i]!;
      if (e.due <= now) {
        this.delayed.splice(i, 1);
        this.readyJobs.push(e.id);
      } else {
        next = next === null ? e.due : Math.min(next, e.due);
        i++;
      }
    }
    return next;
  }

  /** Re-attaches to the jobs of an interrupted build that are still live; returns the tasks adopted. */
  private async adoptLive(entries: JournalEntry[]): Promise<Set<string>> {
    const adopted = new Set<string>();
    const live = await this.executor.adopt(entries);
    // An entry the executor could not find was never submitted, or is gone without a result: forgotten.
    const found = new Set(live.map((e) => `${e.nodeId}\u0000${e.attempt}`));
    for (const e of entries) if (!found.has(`${e.nodeId}\u0000${e.attempt}`)) void this.hooks.journal?.remove(e.nodeId, e.attempt);
    for (const e of live) {
      if (!this.waiting.has(e.nodeId) || this.inflight.has(e.nodeId)) continue;
      this.attempt.set(e.nodeId, e.attempt);
      this.base.set(e.nodeId, e.attempt);
      this.inflight.add(e.nodeId);
      this.jobsInflight++;
      adopted.add(e.nodeId);
      this.hooks.emit({ type: 'start', id: e.nodeId, attempt: e.attempt });
    }
    return adopted;
  }

  /** Once stopping: what was submitted ahead but not started, and retries waiting for their back-off, are not run. */
  private dropQueued(): void {
    if (this.executor.withdraw) {
      // Submitted ahead but not started: they are not run (they end as 'stopped' below).
      for (const j of this.executor.withdraw()) if (this.inflight.delete(j.nodeId)) this.jobsInflight--;
    }
    // A retry still waiting for its back-off is not started any more: its last failure is final.
    for (const e of this.delayed.splice(0)) this.finish(e.id, this.failed(e.id, e.attempt, e.failure, e.log));
  }

  /** Prepares up to `room` ready jobs (a failed preparation fails its task) and submits them in one batch. */
  private async submitReady(room: number): Promise<void> {
    const batch: JobSpec[] = [];
    for (const id of this.readyJobs.splice(0, room)) {
      if (this.outcomes.has(id) || this.inflight.has(id)) continue;
      let n = this.attempt.get(id);
      if (n === undefined) {
        n = this.hooks.firstAttempt?.(id) ?? 1;
        this.base.set(id, n);
      }
      this.attempt.set(id, n);
      const spec = await this.hooks.prepare(id, n);
      if (!spec.ok) { this.finish(id, this.failed(id, n, spec.error)); continue; }
      const res = this.resources.get(id);
      if (res !== undefined) spec.value.resources = res;
      this.specs.set(id, spec.value);
      this.inflight.add(id);
      this.jobsInflight++;
      batch.push(spec.value);
    }
    if (batch.length) await this.executor.submit(batch);
  }

  // Inline tasks (merges) start after the jobs are submitted: a merge runs in this thread, and
  // a worker whose next chunk was not sent before it would wait for the merge to end.
  private startInline(): void {
    while (!this.stopping && this.readyInline.length > 0 && this.inlineRunning.size < this.inlineSlots) {
      const id = this.readyInline.shift()!;
      this.inflight.add(id);
      this.hooks.emit({ type: 'start', id, attempt: 1 });
      const p: Promise<void> = this.hooks.inline(id).then(
        (r) => this.finish(id, r.ok ? { status: 'succeeded', attempts: 1, attempt: 1, eventsProcessed: r.value.eventsProcessed } : this.failed(id, 1, r.error)),
        (err: unknown) => this.finish(id, this.failed(id, 1, { kind: 'infrastructure', reason: `bug: ${String(err)}` })),
      ).finally(() => { this.inlineRunning.delete(p); });
      this.inlineRunning.add(p);
    }
  }

  /** Settles when the executor reports, an inline task ends, the next retry is due, or the signal aborts. */
  private waitForAny(jobsRunning: boolean, nextDue: number | null): Promise<unknown> {
    if (jobsRunning && this.nextP === null) this.nextP = this.executor.next().then((v) => { this.nextResult = v; });
    const waits: Array<Promise<unknown>> = [this.signalled];
    if (this.nextP) waits.push(this.nextP);
    waits.push(...this.inlineRunning);
    if (nextDue !== null) {
      this.sleeping ??= this.clock.sleep(nextDue - this.clock.now(), this.sleepCancel.signal).then(() => { this.sleeping = null; });
      waits.push(this.sleeping);
    }
    return Promise.race(waits);
  }

  /**
   * One event of the executor. Returns a promise only when the event needs one (a journal write, a
   * confirm): the loop awaits nothing else between events.
   */
  private onEvent(ev: ExecutorEvent): Promise<unknown> | undefined {
    const { hooks } = this;
    switch (ev.type) {
      case 'submitted': {
        const s = this.specs.get(ev.nodeId);
        return hooks.journal?.put({ nodeId: ev.nodeId, attempt: ev.attempt, jobId: ev.jobId,
          key: hooks.keyOf?.(ev.nodeId) ?? '', submittedAt: Date.now(), executor: this.executor.kind, name: s?.name, chunkDir: s?.chunkDir,
          ...(ev.taskLog !== undefined ? { taskLog: ev.taskLog } : {}) } as JournalEntry);
      }
      case 'started':
        hooks.emit({ type: 'start', id: ev.nodeId, attempt: ev.attempt });
        return undefined;
      case 'progress':
        hooks.emit({ type: 'progress', id: ev.nodeId, events: ev.events, ...(ev.expected !== undefined ? { expected: ev.expected } : {}) });
        return undefined;
      case 'ended':
        return this.onEnded(ev.end);
      default:
        return assertNever(ev, 'executor event');
    }
  }

  private onEnded(end: AttemptEnd): Promise<unknown> | undefined {
    if (!this.inflight.has(end.nodeId)) return undefined; // a stale end (an earlier attempt) is ignored
    // Not awaited: a stale entry only costs a re-attach attempt that finds nothing.
    if (this.hooks.journal) void this.hooks.journal.remove(end.nodeId, end.attempt);
    if (end.status === 'succeeded') {
      return this.hooks.confirm(end.nodeId, end.attempt, end.eventsProcessed, end.reported).then((c) => {
        if (c.ok) this.finish(end.nodeId, { status: 'succeeded', attempts: this.tries(end.nodeId, end.attempt), attempt: end.attempt, eventsProcessed: c.value.eventsProcessed });
        else this.failAttempt(end.nodeId, end.attempt, c.error);
      });
    } else if (end.status === 'failed') {
      this.failAttempt(end.nodeId, end.attempt, end.failure, end.log);
    } else assertNever(end, 'attempt end');
    return undefined;
  }

  /** The loop ended: retries still waiting are final, and every task not run says why. */
  private end(): Map<string, TaskOutcome> {
    this.sleepCancel.abort();
    // Retries still waiting for their back-off when the build stopped: their last failure is final.
    for (const e of this.delayed.splice(0)) this.finish(e.id, this.failed(e.id, e.attempt, e.failure, e.log));
    const why: SkipReason = this.opts.signal?.aborted ? 'interrupted' : this.opts.detach ? 'detached' : 'stopped';
    for (const id of this.waiting) if (!this.outcomes.has(id)) this.outcomes.set(id, { status: 'skipped', why });
    return this.outcomes;
  }
}
