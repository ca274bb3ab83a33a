// The scheduler's contract (types only): the tasks it runs, what it reports of them, the hooks it
// calls and its options. The scheduler itself is scheduler.ts.
import type { JobSpec, JournalEntry, ReportedResult, Resources } from './executor.js';
import type { RetryPolicy, SchedClock } from './retry-policy.js';
import type { TaskFailure } from '../util/failure.js';
import type { Result } from '../util/result.js';

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
