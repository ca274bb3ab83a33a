// Bookkeeping shared by the batch executors: the attempts in flight, the events not yet handed to
// the scheduler, and one cheap file-system pass per poll round (markers, "started" files).
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { AttemptEnd, ExecutorEvent, ExecutorKind, JobSpec, JournalEntry } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import { judgeMarker, logOf } from './attempt-marker.js';
import { batchPaths, jobLogPath } from '../../chunkdir/layout.js';

export interface Tracked {
  job: JobSpec;
  key: string;
  /** '' until the batch system's answer is known (a journal entry written before submission). */
  jobId: string;
  /** The name heppy gave the job, and its array task: how a job without a jobId is found. */
  jobName?: string;
  arrayTask?: number;
  jobLog: string;
  submittedAt: number;
  started: boolean;
  /** Last scheduler state seen (Slurm word), and when it was first seen finished. */
  state?: string;
  exitCode?: string;
  finishedSeenAt?: number;
  /** When the job was first missing from the queue (no marker either). */
  goneSince?: number;
  /** When a marker saying the job was killed by a signal was first seen (waiting for the state). */
  killedSeenAt?: number;
  /** Slurm: the array task's own output, where slurmstepd says why it killed the job. */
  taskLog?: string;
  /** Slurm: what the job asked for, as sacct reports it (the base for scaling after a resource failure). */
  reqMem?: string;
  timelimit?: string;
}

/** Amends an attempt's end read from its marker, or returns null to look again next round. */
export type EndAdjuster = (t: Tracked, end: AttemptEnd) => AttemptEnd | null;

export interface StartedInfo {
  host: string;
  pid: number;
  at: number;
}

export const trackKey = (nodeId: string, attempt: number): string => `${nodeId}\u0000${attempt}`;

export class Tracker {
  readonly inflight = new Map<string, Tracked>();
  private readonly queue: ExecutorEvent[] = [];
  private wakeUp: (() => void) | null = null;
  private closed = false;

  constructor(private readonly outdirOf: (t: Tracked) => string) {}

  add(t: Tracked): void {
    this.inflight.set(trackKey(t.job.nodeId, t.job.attempt), t);
  }

  emit(ev: ExecutorEvent): void {
    this.queue.push(ev);
    this.wakeUp?.();
  }

  /** Ends an attempt: removes it and queues its `ended` event. */
  end(t: Tracked, end: AttemptEnd): void {
    if (!this.inflight.delete(trackKey(t.job.nodeId, t.job.attempt))) return;
    this.emit({ type: 'ended', end });
  }

  /** A failed end with the best log available. */
  fail(t: Tracked, failure: TaskFailure, exitCode?: number): void {
    this.end(t, {
      nodeId: t.job.nodeId,
      attempt: t.job.attempt,
      status: 'failed',
      failure,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...logOf(t.job, t.jobLog),
    });
  }

  /**
   * Reads this attempt's marker; ends the attempt when there is one. Returns true if it ended.
   * `adjust` may add to the end (e.g. the batch system's state) or hold it for a later round (null).
   */
  checkMarker(t: Tracked, adjust?: EndAdjuster): boolean {
    const v = judgeMarker({ nodeId: t.job.nodeId, chunkDir: t.job.chunkDir, attempt: t.job.attempt, key: t.key }, t.jobLog);
    if (v.kind === 'none') return false;
    const end = adjust ? adjust(t, v.end) : v.end;
    if (end === null) return false;
    if (!t.started) this.emit({ type: 'started', nodeId: t.job.nodeId, attempt: t.job.attempt });
    t.started = true;
    this.end(t, end);
    return true;
  }

  /** The "started" file batchScript.sh writes, if it was written for this attempt. */
  startedInfo(t: Tracked): StartedInfo | null {
    const file = join(batchPaths(this.outdirOf(t)).started, t.job.name);
    try {
      // Second-granularity clocks: accept a file written just before submittedAt was taken.
      if (statSync(file).mtimeMs < t.submittedAt - 2000) return null;
      const [host, pid, at, attempt] = readFileSync(file, 'utf8').trim().split(/\s+/);
      if (!host || !pid) return null;
      if (attempt !== undefined && attempt !== '' && Number(attempt) !== t.job.attempt) return null;
      return { host, pid: Number(pid), at: Number(at) * 1000 };
    } catch {
      return null;
    }
  }

  markStarted(t: Tracked): void {
    if (t.started) return;
    t.started = true;
    this.emit({ type: 'started', nodeId: t.job.nodeId, attempt: t.job.attempt });
  }

  /** One file-system pass: markers first (the truth), then started files. */
  scan(adjust?: EndAdjuster): void {
    for (const t of [...this.inflight.values()]) {
      if (this.checkMarker(t, adjust)) continue;
      if (!t.started && this.startedInfo(t) !== null) this.markStarted(t);
    }
  }

  take(): ExecutorEvent[] {
    return this.queue.splice(0, this.queue.length);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sleeps up to `ms`, or less when an event is emitted or the tracker is closed. */
  async sleep(ms: number): Promise<void> {
    if (this.closed || this.queue.length > 0 || ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = null;
  }

  close(): void {
    this.closed = true;
    this.wakeUp?.();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

export const thisHost = hostname();

/** True while a process (or process group, with a negative id) exists on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The journal entry of a submitted attempt. */
export function journalEntry(t: Tracked, executor: ExecutorKind): JournalEntry {
  return { nodeId: t.job.nodeId, attempt: t.job.attempt, jobId: t.jobId, key: t.key, submittedAt: t.submittedAt, executor, name: t.job.name, chunkDir: t.job.chunkDir,
    ...(t.taskLog !== undefined ? { taskLog: t.taskLog } : {}), ...(t.jobName !== undefined ? { jobName: t.jobName } : {}),
    ...(t.arrayTask !== undefined ? { arrayTask: t.arrayTask } : {}) };
}

/** The tracked attempt of a journal entry an interrupted build left (adopted as already started). */
export function trackedFromJournal(e: JournalEntry & { chunkDir: string }, outdir: string): Tracked {
  const name = e.name ?? basename(e.chunkDir);
  return {
    job: { nodeId: e.nodeId, name, chunkDir: e.chunkDir, attempt: e.attempt },
    // The scheduler reports an adopted attempt as started itself.
    key: e.key, jobId: e.jobId, jobLog: jobLogPath(outdir, name, e.attempt), submittedAt: e.submittedAt, started: true,
    ...(e.taskLog !== undefined ? { taskLog: e.taskLog } : {}), ...(e.jobName !== undefined ? { jobName: e.jobName } : {}),
    ...(e.arrayTask !== undefined ? { arrayTask: e.arrayTask } : {}),
  };
}
