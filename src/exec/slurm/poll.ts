// One poll round of the Slurm executor: read the markers (the truth), then ask Slurm at most once
// (squeue for the whole build, filtered by the names of its sbatch calls; sacct only for jobs
// that left the queue without a marker), within a bound on queries per minute. Attempts that end
// without a marker are failed with Slurm's state.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { AttemptEnd } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import { journalEntry, type Tracked } from '../batch/tracker.js';
import type { SlurmContext, SlurmRoundStats } from './context.js';
import { slurmFailure } from './failure.js';
import type { SlurmResources } from './resources.js';
import { arrayJobOf, classifyState, isActive, type JobState } from './states.js';
import { pendingCancelled } from './queries.js';

export class SlurmPoller {
  lastRoundAt = 0;

  constructor(private readonly c: SlurmContext, private readonly res: SlurmResources, private readonly rounds: SlurmRoundStats) {}

  async round(): Promise<void> {
    const { tracker, q, o } = this.c;
    const now = Date.now();
    this.lastRoundAt = now;
    this.rounds.pollRounds++;
    tracker.scan(this.withState);
    if (tracker.inflight.size === 0) return;
    if (now - q.lastQueryAt >= 60_000 / o.maxQueriesPerMinute) {
      const gone = [...tracker.inflight.values()].filter((t) => t.goneSince !== undefined && now - t.goneSince >= o.markerGraceMs);
      if (gone.length > 0) await this.askSacct(gone);
      else await this.askSqueue();
    }
    await this.judgeFinished(Date.now());
  }

  /**
   * The state of a tracked attempt among `states`; an attempt journaled before sbatch answered
   * gets its job id here from its sbatch call's name (any task of that array gives the array id),
   * and that id is journaled.
   */
  stateOf(t: Tracked, states: Map<string, JobState>): JobState | undefined {
    if (t.jobId === '' && t.jobName !== undefined && t.arrayTask !== undefined) {
      for (const s of states.values()) {
        if (s.name !== t.jobName) continue;
        t.jobId = `${arrayJobOf(s.jobId)}_${t.arrayTask}`;
        if (this.c.journal) void this.c.journal(journalEntry(t, 'slurm'));
        break;
      }
    }
    return t.jobId === '' ? undefined : states.get(t.jobId);
  }

  applyState(t: Tracked, s: JobState, now: number): void {
    t.state = s.state;
    if (s.exitCode !== undefined) t.exitCode = s.exitCode;
    if (s.reqMem !== undefined) t.reqMem = s.reqMem;
    if (s.timelimit !== undefined) t.timelimit = s.timelimit;
    const c = classifyState(s.state);
    t.goneSince = undefined;
    if (isActive(c)) {
      t.finishedSeenAt = undefined;
      // With packing a running task may not have reached this chunk yet: started files tell.
      if (c === 'running' && this.c.o.chunksPerJob === 1) this.c.tracker.markStarted(t);
    } else {
      t.finishedSeenAt ??= now;
    }
  }

  /**
   * A job killed by a signal (scancel, time limit, memory limit, node failure) leaves a marker that
   * cannot say which: hold it until Slurm's state is known (a round or two), then let that state
   * say what the failure is.
   */
  readonly withState = (t: Tracked, end: AttemptEnd): AttemptEnd | null => {
    if (end.status !== 'failed' || end.failure.kind !== 'resource' || end.failure.resource !== 'signal') return end;
    const c = t.state !== undefined ? classifyState(t.state) : null;
    if (c !== null && !isActive(c)) {
      const f = this.failureOf(t, 'ended');
      return c === 'done' ? end : { ...end, failure: { ...f, reason: `${end.failure.reason}; ${f.reason}` } };
    }
    const now = Date.now();
    t.killedSeenAt ??= now;
    return now - t.killedSeenAt < this.c.o.markerGraceMs ? null : end;
  };

  private async askSqueue(): Promise<void> {
    const states = await this.c.q.squeue(this.c.tracker.inflight.values());
    if (states === null) return;
    const now = Date.now();
    for (const t of [...this.c.tracker.inflight.values()]) {
      const s = this.stateOf(t, states);
      if (s) this.applyState(t, s, now);
      else if (t.goneSince === undefined && t.finishedSeenAt === undefined) t.goneSince = now;
    }
  }

  private async askSacct(gone: Tracked[]): Promise<void> {
    const states = await this.c.q.sacct(gone);
    const now = Date.now();
    for (const t of gone) {
      if (this.c.tracker.checkMarker(t, this.withState)) continue;
      const s = states !== null ? this.stateOf(t, states) : undefined;
      if (s) {
        this.applyState(t, s, now);
        // sacct is behind: it still says queued/running although squeue forgot the job; look again later.
        if (isActive(classifyState(s.state))) t.goneSince = now;
      } else if (states !== null && pendingCancelled(t, states)) {
        // Not vanished: the user (or an admin) cancelled it before it started. Not retried.
        this.c.tracker.fail(t, { kind: 'interrupted', reason: `Slurm job ${t.jobId} was cancelled while pending (scancel): gone from the queue and from its array's pending tasks in accounting` });
      } else if (now - t.goneSince! >= this.c.o.vanishGraceMs) {
        const job = t.jobId !== '' ? `Slurm job ${t.jobId}` : `Slurm job ${t.jobName ?? this.c.jobPrefix} (array task ${t.arrayTask ?? '?'}; its id was never journaled)`;
        this.c.tracker.fail(t, { kind: 'infrastructure', reason: `${job} vanished: not in the queue, not in accounting, and no marker after ${Math.round((now - t.goneSince!) / 1000)} s` });
      }
    }
  }

  /** The failure of a job Slurm says is over (state, exit code, the task's output). */
  private failureOf(t: Tracked, what: string): TaskFailure {
    this.res.note(t.job.nodeId, t.reqMem, t.timelimit);
    return slurmFailure(t.jobId, t.state ?? 'unknown', t.exitCode, t.taskLog !== undefined ? tailOf(t.taskLog) : '', what);
  }

  /** Jobs Slurm says are over, still without a marker after the grace period, have failed. */
  private async judgeFinished(now: number): Promise<void> {
    const { tracker, q, o } = this.c;
    const over: Tracked[] = [];
    for (const t of [...tracker.inflight.values()]) {
      if (t.killedSeenAt !== undefined && tracker.checkMarker(t, this.withState)) continue;
      if (t.finishedSeenAt === undefined || now - t.finishedSeenAt < o.markerGraceMs) continue;
      if (tracker.checkMarker(t, this.withState)) continue;
      over.push(t);
    }
    // squeue knows the state only: sacct adds the exit code and what the job asked for (one call).
    const unknown = over.filter((t) => classifyState(t.state ?? '') !== 'done' && t.exitCode === undefined);
    if (unknown.length > 0) {
      const acct = await q.sacct(unknown);
      for (const t of unknown) {
        const s = acct?.get(t.jobId);
        if (s && !isActive(classifyState(s.state))) this.applyState(t, s, now);
      }
    }
    for (const t of over) {
      const what = classifyState(t.state ?? '') === 'done' ? 'finished' : 'ended';
      const f = this.failureOf(t, what);
      tracker.fail(t, { ...f, reason: `${f.reason} without writing the chunk's marker` });
    }
    if (q.failingSince !== null && now - q.failingSince >= 5 * o.vanishGraceMs) {
      for (const t of [...tracker.inflight.values()]) {
        if (!tracker.checkMarker(t)) tracker.fail(t, { kind: 'infrastructure', reason: `Slurm does not answer (${q.lastError}); job ${t.jobId} is lost to heppy` });
      }
    }
  }
}

/** The last 16 KB of a job's output (slurmstepd's messages come at the end), '' when unreadable. */
function tailOf(file: string): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const n = Math.min(size, 16_384);
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, size - n);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
