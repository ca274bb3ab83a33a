// The one interface behind `--executor local|slurm|command`. The scheduler (scheduler.ts) owns
// retries and failure policy; an executor only runs attempts and reports how each one ended.
// Batch executors judge an attempt by the marker file the job writes (heppy-status.json);
// the scheduler/store never trusts a scheduler state alone when a marker exists.

import type { ChunkMarker } from '../chunkdir/marker.js';
import type { TaskFailure } from '../util/failure.js';

export type ExecutorKind = 'local' | 'slurm' | 'command';

/**
 * What a batch attempt asks of its batch system. Absent fields: the executor's flags (--mem,
 * --time). The scheduler raises them after a resource failure (Executor.scaleResources).
 */
export interface Resources {
  memMB?: number;
  timeMin?: number;
}

/** One attempt of one chunk. The chunk directory already holds chunk.json (and batchScript.sh). */
export interface JobSpec {
  nodeId: string;
  name: string;        // chunk name, e.g. ggH_125_Chunk3
  chunkDir: string;    // absolute
  attempt: number;     // 1-based
  /** The chunk spec itself, so that the local pool can hand it over without a file round trip. */
  spec?: unknown;
  /** Batch executors: resources of this attempt, raised after a resource failure. */
  resources?: Resources;
  /** Local pool: the output cache's directory (cache/outputs) where the worker keeps a success. */
  keepIn?: string;
}

/** A file of a finished run's result, as the run stat-ed it when it wrote the marker. */
export interface ResultFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * What a run that wrote its own marker reports of it (the local pool: the worker ran it in process
 * and swapped the directory into place), so that the build need not read the directory again.
 */
export interface ReportedResult {
  /** The key in the marker it wrote (status ok). */
  key: string;
  /** The result's files: the marker's outputs minus chunk.json and batchScript.sh, then the marker. */
  files: ResultFile[];
  /** Why the result could not be kept in the output cache (the build shows it as a warning). */
  cacheWarning?: string;
  /** The marker it wrote, as written (the build's trace line is made from it, not read back). */
  marker?: ChunkMarker;
}

/**
 * How an attempt ended. A failure is typed where it happened (the marker's `failure`, or the
 * executor's reading of the batch system's state); the scheduler decides retries by its kind.
 */
export type AttemptEnd =
  | { nodeId: string; attempt: number; status: 'succeeded'; eventsProcessed: number; reported?: ReportedResult }
  | { nodeId: string; attempt: number; status: 'failed'; failure: TaskFailure; log?: string; exitCode?: number };

export type ExecutorEvent =
  | { type: 'submitted'; nodeId: string; attempt: number; jobId: string; taskLog?: string }
  | { type: 'started'; nodeId: string; attempt: number }
  | { type: 'progress'; nodeId: string; events: number; /** the chunk's event window, when known */ expected?: number }
  | { type: 'ended'; end: AttemptEnd };

/**
 * A batch job recorded in the store's journal, so that an interrupted build can re-attach. Written
 * twice: before the submission (jobId '', with the job name heppy chose) and once the batch system
 * has answered (jobId). An entry without a jobId is a submission that may or may not have reached
 * the batch system: a later build looks the job up by its name.
 */
export interface JournalEntry {
  nodeId: string;
  attempt: number;
  jobId: string;       // scheduler job id, e.g. '1234_7' for an array task, or a pid for nohup; '' = not confirmed
  /** The job name heppy gave the submission (Slurm: the sbatch call's; -b: $HEPPY_JOB_NAME). */
  jobName?: string;
  /** Slurm: the array task that runs this chunk. */
  arrayTask?: number;
  key: string;         // the node key the job was submitted for
  submittedAt: number;
  executor: ExecutorKind;
  /** Chunk name and absolute chunk directory: a batch executor re-attaching reads the marker there. */
  name?: string;
  chunkDir?: string;
  /** Slurm: the array task's own output (where slurmstepd says it killed the job over its memory). */
  taskLog?: string;
}

export interface Executor {
  readonly kind: ExecutorKind;
  /** How many attempts it wants in flight at once (local: -j; batch: effectively unbounded). */
  readonly capacity: number;
  /** Hand attempts over (one submission round). Resolves when they are submitted, not when done. */
  submit(jobs: JobSpec[]): Promise<void>;
  /**
   * Re-attach to jobs of an earlier, interrupted build. Returns the entries that are still queued,
   * running, or ended (their end comes through next()); entries it cannot find are not returned.
   */
  adopt(entries: JournalEntry[]): Promise<JournalEntry[]>;
  /** Waits until something happens (or the poll interval passes) and returns what happened. */
  next(): Promise<ExecutorEvent[]>;
  /**
   * Batch executors: the resources of the next attempt after `failure` (kind 'resource') of `job`,
   * e.g. 1.5 times the memory after an out-of-memory kill, bounded by --max-mem; null when no more
   * can be given (then the failure is final). Absent: a resource failure is retried as it is.
   */
  scaleResources?(job: JobSpec, failure: Extract<TaskFailure, { kind: 'resource' }>): Resources | null;
  /**
   * Takes back the submitted attempts that have not started (the local pool's waiting queue), so
   * that a build stopping after a failure starts nothing more. Absent: nothing waits on this side.
   */
  withdraw?(): JobSpec[];
  /**
   * Called once the scheduler has handled the ends reported so far and is not stopping: an
   * executor that holds its waiting attempts after a failure (the local pool) starts them again.
   */
  resume?(): void;
  /** Cancel every job of this build that is still queued or running. */
  cancelAll(): Promise<void>;
  /** Stop workers/pollers; queued batch jobs are left alone unless cancelAll() was called. */
  close(): Promise<void>;
}
