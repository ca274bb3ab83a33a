// Checking recorded outputs (size + mtime) is the largest part of a no-op build: ~5 stats per
// chunk. For big plans the stats are shared between a worker thread and the main thread: the
// worker is booted early (warmOutputCheck: its ~40 ms start-up overlaps loading the heppyfile),
// starts on the job as soon as the records are read, and the main thread joins in
// (`assistOutputCheck`) once it has computed the keys. Blocks of nodes are claimed through a shared
// counter, so both cores stat until nothing is left. The result is the set of nodes whose outputs
// changed, with the first difference.
import { isMainThread, Worker } from 'node:worker_threads';
import type { RecordHeads } from '../store/heads.js';
import { BLOCK, outputsChanged, workOnJob, type OutputJob } from './outputs.js';

/** Below this many records the thread costs more than it saves. */
const THREAD_MIN = 2000;
const threadsOff = (): boolean => process.env.HEPPY_OUTPUT_THREAD === '0';

const ignore = (): void => undefined;

function boot(): Worker | null {
  try {
    const w = new Worker(new URL('./output-check-worker.js', import.meta.url));
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

/**
 * Starts the worker ahead of checkOutputs when about `expectedRecords` records are expected (an
 * estimate: a wrong guess costs an idle thread, or only the overlap).
 */
export function warmOutputCheck(expectedRecords: number): void {
  if (spare === null && isMainThread && expectedRecords >= THREAD_MIN && !threadsOff()) spare = boot();
}

function takeWorker(): Worker | null {
  const w = spare ?? boot();
  spare = null;
  return w;
}

/** A job plus what only this thread needs to name the changed nodes. */
interface LocalJob {
  job: OutputJob;
  ids: string[];
  dirs: string[];
  /** The record (in `heads`) of each node of the job. */
  at: number[];
  heads: RecordHeads;
}

/** The job over every ok record's outputs, straight from the record heads' columns. */
function toJob(heads: RecordHeads, dirOf: (id: string) => string): LocalJob {
  const ids: string[] = [];
  const dirs: string[] = [];
  const at: number[] = [];
  let outputs = 0;
  for (let i = 0; i < heads.size; i++) if (heads.ok(i)) outputs += heads.starts[i + 1]! - heads.starts[i]!;
  const nodes = heads.size;
  const starts = new Int32Array(new SharedArrayBuffer(4 * (nodes + 1)));
  const blockAt = new Int32Array(new SharedArrayBuffer(8 * (Math.ceil(nodes / BLOCK) + 1)));
  const sizes = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, outputs)));
  const mtimes = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, outputs)));
  let paths = '';
  let k = 0;
  let dpos = 0;
  for (let r = 0; r < heads.size; r++) {
    if (!heads.ok(r)) continue;
    const i = ids.length;
    if (i % BLOCK === 0) {
      blockAt[2 * (i / BLOCK)] = dpos;
      blockAt[2 * (i / BLOCK) + 1] = paths.length;
    }
    const id = heads.ids[r]!;
    const dir = dirOf(id);
    ids.push(id);
    dirs.push(dir);
    at.push(r);
    dpos += dir.length + 1;
    for (let o = heads.starts[r]!; o < heads.starts[r + 1]!; o++) {
      paths += heads.paths[heads.pathIdx[o]!]! + '\n';
      sizes[k] = heads.sizes[o]!;
      mtimes[k] = heads.mtimes[o]!;
      k++;
    }
    starts[i + 1] = k;
  }
  const job: OutputJob = { nodes: ids.length, dirs: dirs.join('\n') + '\n', paths, starts: starts.buffer as SharedArrayBuffer, blockAt: blockAt.buffer as SharedArrayBuffer,
    sizes: sizes.buffer as SharedArrayBuffer, mtimes: mtimes.buffer as SharedArrayBuffer, next: new SharedArrayBuffer(4),
    verdict: new SharedArrayBuffer(Math.max(1, ids.length)) };
  return { job, ids, dirs, at, heads };
}

/** The job's answer: a node not checked by any thread (a worker that died) is checked here. */
function collect(l: LocalJob): Map<string, string> {
  const verdict = new Uint8Array(l.job.verdict);
  const out = new Map<string, string>();
  for (let i = 0; i < l.ids.length; i++) {
    if (verdict[i] === 1) continue;
    const id = l.ids[i]!;
    // Re-checked for the reason; a file that changed back in between still counts as changed.
    const changed = outputsChanged(l.dirs[i]!, l.heads.outputs(l.at[i]!)) ?? (verdict[i] === 2 ? 'output changed while it was checked' : null);
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
  if (job.nodes < THREAD_MIN || threadsOff()) return Promise.resolve(runHere(l));
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
      w.postMessage(job);
    } catch {
      finish();
    }
  });
}

/** The main thread joins every running check (call it when it would otherwise wait for one). */
export function assistOutputCheck(): void {
  for (const job of running) workOnJob(job);
}
