// Checking recorded outputs (size + mtime) is the largest part of a no-op build: ~5 stats per
// chunk. With HEPPY_OUTPUT_THREAD=1 the stats are shared between a worker thread and the main thread: the
// worker is booted early (warmOutputCheck: its ~40 ms start-up overlaps loading the heppyfile),
// starts on the job as soon as the records are read, and the main thread joins in
// (`assistOutputCheck`) once it has computed the keys. Blocks of nodes are claimed through a shared
// counter, so both cores stat until nothing is left. The result is the set of nodes whose outputs
// changed, with the first difference.
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { workerThreadsModule } from '../util/lazy-node.js';
import { dirOfNodeId } from '../graph/dag.js';
import type { RecordHeads } from '../store/heads.js';
import type { SnapshotFile } from '../store/snapshot-file.js';
import { guardHolds, type WorkerReply, type WorkerRequest } from './output-early.js';
import { makeJob, okRecords, outputsChanged, workOnJob, type OutputJob } from './outputs.js';
import { envFlag } from '../util/env.js';
import { bundledOr } from '../util/bundled.js';

// The thread is off unless HEPPY_OUTPUT_THREAD=1 (then for any plan). On two cores it cost more
// CPU than it took off the main thread (a Node isolate's start-up, the snapshot parsed there and
// cloned back, its own garbage collection: +12 % of the no-op's CPU) for no gain in wall time,
// quiet or loaded (bench/README.md, sessions 18 and 19); without it the planner stats each node's
// outputs from the record heads as it decides the node (plan.ts, outputs.ts headOutputsChanged).
const threadOn = (): boolean => envFlag('HEPPY_OUTPUT_THREAD') === true;

const ignore = (): void => undefined;

function boot(): Worker | null {
  try {
    // The bundled entry when fresh (one file or few to load in the cold isolate, not ~10 modules).
    const w = new (workerThreadsModule().Worker)(bundledOr('output-check', fileURLToPath(new URL('./output-check-worker.js', import.meta.url))));
    w.unref();   // an idle worker never keeps the process alive
    w.on('error', ignore);
    return w;
  } catch {
    return null;
  }
}

// Booted by warmOutputCheck as soon as a planning command knows its cache directory, when that
// suggests a big plan, so that the worker's ~40 ms start-up overlaps loading the heppyfile; never
// at import (the demo's no-op, every non-planning command and the batch jobs have no use for it).
let spare: Worker | null = null;

/** Starts the worker ahead of checkOutputs (HEPPY_OUTPUT_THREAD=1 only). */
export function warmOutputCheck(): void {
  if (spare === null && threadOn() && workerThreadsModule().isMainThread) spare = boot();
}

function takeWorker(): Worker | null {
  const w = spare ?? boot();
  spare = null;
  return w;
}

/** A job plus what only this thread needs to name the changed nodes. */
interface LocalJob {
  job: OutputJob;
  /** The record (in `heads`) of each node of the job: the ok records, in order. */
  at: number[];
  heads: RecordHeads;
  dirOf: (id: string) => string;
}

function toJob(heads: RecordHeads, dirOf: (id: string) => string): LocalJob {
  return { job: makeJob(heads, dirOf), at: okRecords(heads), heads, dirOf };
}

/** The job's answer: a node not checked by any thread (a worker that died) is checked here. */
function collect(l: LocalJob): Map<string, string> {
  const verdict = new Uint8Array(l.job.verdict);
  const out = new Map<string, string>();
  for (let i = 0; i < l.at.length; i++) {
    if (verdict[i] === 1) continue;
    const id = l.heads.ids[l.at[i]!]!;
    // Re-checked for the reason; a file that changed back in between still counts as changed.
    const changed = outputsChanged(l.dirOf(id), l.heads.outputs(l.at[i]!)) ?? (verdict[i] === 2 ? 'output changed while it was checked' : null);
    if (changed) out.set(id, changed);
  }
  return out;
}

/** Jobs whose worker is running: the main thread can help with them. */
const running = new Set<OutputJob>();

/** Runs a job on this thread alone: node id → the first difference, for nodes whose outputs changed. */
function runHere(l: LocalJob): Map<string, string> {
  workOnJob(l.job);
  return collect(l);
}

/** Starts the check of every ok record's outputs; shared with a worker thread when there are many. */
export function checkOutputs(heads: RecordHeads, dirOf: (id: string) => string): Promise<Map<string, string>> {
  const l = toJob(heads, dirOf);
  const job = l.job;
  if (!threadOn()) return Promise.resolve(runHere(l));
  const w = takeWorker();
  if (w === null) return Promise.resolve(runHere(l));
  running.add(job);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      running.delete(job);
      w.removeAllListeners();
      // A module-level function: an arrow made here would keep this job (every record) alive
      // for as long as the worker object lives.
      w.on('error', ignore);
      void w.terminate();
      // A worker that failed left its blocks unclaimed or unfinished: this thread does them.
      workOnJob(job);
      resolve(collect(l));
    };
    w.ref();
    w.once('message', finish);
    w.once('error', finish);
    w.once('exit', finish);
    try {
      w.postMessage({ kind: 'job', job } satisfies WorkerRequest);
    } catch {
      finish();
    }
  });
}

/**
 * The planner's output check: shared with the output-check thread for a big plan (as
 * checkOutputs), else undefined: the planner stats each node's outputs itself, from the record
 * heads' columns, as it decides the node (no job over every record, no map of answers).
 */
export function startOutputCheck(heads: RecordHeads, dirOf: (id: string) => string): Promise<Map<string, string>> | undefined {
  if (!threadOn()) return undefined;
  return checkOutputs(heads, dirOf);
}

/** The early output check (output-early.ts), once its thread has read the snapshot. */
export interface EarlyCheck {
  /** The snapshot file it checks (the main thread decides whether to trust it: snapshot.ts). */
  readonly file: SnapshotFile;
  /** Whether the early stats may stand for stats taken now: call just before taking the lock. */
  holds(): boolean;
  /** The nodes whose outputs changed, for `heads` made from `file`'s columns (as checkOutputs answers). */
  changed(heads: RecordHeads): Promise<Map<string, string>>;
  /** Stops it (its answer is not used). */
  cancel(): void;
}

/**
 * Starts the early check in the output-check thread (before the heppyfile is loaded) when the
 * thread is on (HEPPY_OUTPUT_THREAD=1; else null); it answers null when the thread cannot start or
 * there is no snapshot of this heppy version under `cacheDir`.
 */
export function startEarlyCheck(cacheDir: string, heppyVersion: string): Promise<EarlyCheck | null> | null {
  if (!threadOn() || !workerThreadsModule().isMainThread) return null;
  const w = takeWorker();
  if (w === null) return Promise.resolve(null);
  return new Promise((resolve) => {
    let job: OutputJob | null = null;
    let markDone = (): void => undefined;
    const done = new Promise<void>((r) => { markDone = r; });
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      if (job !== null) running.delete(job);
      w.removeAllListeners();
      w.on('error', ignore);
      void w.terminate();
      markDone();
      resolve(null);   // nothing if the check was already answered
    };
    w.on('message', (m: WorkerReply) => {
      if (m.kind === 'done') return end();
      if (m.kind === 'job') {
        // Made by the thread after its start was answered (the main thread does not wait for it).
        if (!ended) running.add(job = m.job);
        return;
      }
      if (m.start === null) return end();
      const start = m.start;
      w.unref();   // answered: a build that stops early (a bad heppyfile) does not wait for the stats
      const outdir = start.file.outdir;
      const dirOf = (id: string): string => `${outdir}/${dirOfNodeId(id)}`;
      resolve({
        file: start.file,
        holds: () => guardHolds(outdir, start.guard),
        changed: async (heads) => {
          w.ref();
          await done;
          // A thread that died before its job: the whole job here (stats taken now, under the lock);
          // else the blocks it left unclaimed.
          const j = job ?? makeJob(heads, dirOf);
          workOnJob(j);
          return collect({ job: j, at: okRecords(heads), heads, dirOf });
        },
        cancel: () => {
          if (job !== null) Atomics.store(new Int32Array(job.next), 0, 1 << 30);   // no block left to claim
          end();
        },
      });
    });
    w.once('error', end);
    w.once('exit', end);
    w.ref();
    try {
      w.postMessage({ kind: 'early', cacheDir, heppyVersion } satisfies WorkerRequest);
    } catch {
      end();
    }
  });
}

/** The main thread joins every running check (call it when it would otherwise wait for one). */
export function assistOutputCheck(): void {
  for (const job of running) workOnJob(job);
}
