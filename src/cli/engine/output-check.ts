// Checking recorded outputs (size + mtime) is the largest part of a no-op build: ~5 stats per
// chunk. For big plans the stats are shared between a worker thread and the main thread: the
// worker is booted when this module loads (its ~40 ms start-up overlaps loading the heppyfile),
// starts on the job as soon as the records are read, and the main thread joins in
// (`assistOutputCheck`) once it has computed the keys. Blocks of nodes are claimed through a shared
// counter, so both cores stat until nothing is left. The result is the set of nodes whose outputs
// changed, with the first difference.
import { isMainThread, Worker } from 'node:worker_threads';
import type { TaskSummary } from '../../store/records.js';
import { outputsChanged, workOnJob, type OutputJob } from './outputs.js';

/** Below this many records the thread costs more than it saves. */
const THREAD_MIN = 2000;
const threadsOff = (): boolean => process.env.HEPPY_OUTPUT_THREAD === '0';

function boot(): Worker | null {
  try {
    const w = new Worker(new URL('./output-check-worker.js', import.meta.url));
    w.unref();   // an idle worker never keeps the process alive
    w.on('error', () => undefined);
    return w;
  } catch {
    return null;
  }
}

let spare: Worker | null = isMainThread && !threadsOff() ? boot() : null;

function takeWorker(): Worker | null {
  const w = spare ?? boot();
  spare = null;
  return w;
}

function toJob(records: ReadonlyMap<string, TaskSummary>, dirOf: (id: string) => string): OutputJob {
  const ids: string[] = [];
  const dirs: string[] = [];
  const starts: number[] = [0];
  const paths: string[] = [];
  const sizes: number[] = [];
  const mtimes: number[] = [];
  for (const r of records.values()) {
    if (r.status !== 'ok') continue;
    ids.push(r.nodeId);
    dirs.push(dirOf(r.nodeId));
    for (const o of r.outputs) {
      paths.push(o.path);
      sizes.push(o.size);
      mtimes.push(o.mtimeMs);
    }
    starts.push(paths.length);
  }
  return { ids, dirs, starts, paths, sizes, mtimes, next: new SharedArrayBuffer(4), verdict: new SharedArrayBuffer(Math.max(1, ids.length)) };
}

/** The job's answer: a node not checked by any thread (a worker that died) is checked here. */
function collect(job: OutputJob): Map<string, string> {
  const verdict = new Uint8Array(job.verdict);
  const out = new Map<string, string>();
  for (let i = 0; i < job.ids.length; i++) {
    if (verdict[i] === 1) continue;
    const outputs = [];
    for (let k = job.starts[i]!; k < job.starts[i + 1]!; k++) outputs.push({ path: job.paths[k]!, size: job.sizes[k]!, mtimeMs: job.mtimes[k]! });
    // Re-checked for the reason; a file that changed back in between still counts as changed.
    const changed = outputsChanged(job.dirs[i]!, outputs) ?? (verdict[i] === 2 ? 'output changed while it was checked' : null);
    if (changed) out.set(job.ids[i]!, changed);
  }
  return out;
}

/** Jobs whose worker is running: the main thread can help with them. */
const running = new Set<OutputJob>();

/** Runs a job on this thread alone: node id → the first difference, for nodes whose outputs changed. */
export function runOutputJob(job: OutputJob): Map<string, string> {
  workOnJob(job);
  return collect(job);
}

/** Starts the check of every ok record's outputs; shared with a worker thread when there are many. */
export function checkOutputs(records: ReadonlyMap<string, TaskSummary>, dirOf: (id: string) => string): Promise<Map<string, string>> {
  const job = toJob(records, dirOf);
  if (job.ids.length < THREAD_MIN || threadsOff()) return Promise.resolve(runOutputJob(job));
  const w = takeWorker();
  if (w === null) return Promise.resolve(runOutputJob(job));
  running.add(job);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      running.delete(job);
      w.removeAllListeners();
      w.on('error', () => undefined);
      void w.terminate();
      // A worker that failed left its blocks unclaimed or unfinished: this thread does them.
      workOnJob(job);
      resolve(collect(job));
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
