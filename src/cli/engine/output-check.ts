// Checking recorded outputs (size + mtime) is the largest part of a no-op build: ~5 stats per
// chunk. For big plans the stats run in a worker thread while the main thread digests inputs and
// computes keys; the result is the set of nodes whose outputs changed, with the first difference.
import { Worker } from 'node:worker_threads';
import type { TaskSummary } from '../../store/records.js';
import { outputsChanged } from './outputs.js';

/** Below this many records the thread costs more than it saves. */
const THREAD_MIN = 2000;

export interface OutputJob {
  ids: string[];
  dirs: string[];
  counts: number[];          // outputs per node
  paths: string[];
  sizes: number[];
  mtimes: number[];
}

function toJob(records: ReadonlyMap<string, TaskSummary>, dirOf: (id: string) => string): OutputJob {
  const job: OutputJob = { ids: [], dirs: [], counts: [], paths: [], sizes: [], mtimes: [] };
  for (const r of records.values()) {
    if (r.status !== 'ok') continue;
    job.ids.push(r.nodeId);
    job.dirs.push(dirOf(r.nodeId));
    job.counts.push(r.outputs.length);
    for (const o of r.outputs) {
      job.paths.push(o.path);
      job.sizes.push(o.size);
      job.mtimes.push(o.mtimeMs);
    }
  }
  return job;
}

/** Runs a job here: node id → the first difference, for nodes whose outputs changed. */
export function runOutputJob(job: OutputJob): Map<string, string> {
  const out = new Map<string, string>();
  let k = 0;
  for (let i = 0; i < job.ids.length; i++) {
    const n = job.counts[i]!;
    const outputs = [];
    for (let j = 0; j < n; j++, k++) outputs.push({ path: job.paths[k]!, size: job.sizes[k]!, mtimeMs: job.mtimes[k]! });
    const changed = outputsChanged(job.dirs[i]!, outputs);
    if (changed) out.set(job.ids[i]!, changed);
  }
  return out;
}

/** Starts the check of every ok record's outputs; in a thread when there are many. */
export function checkOutputs(records: ReadonlyMap<string, TaskSummary>, dirOf: (id: string) => string): Promise<Map<string, string>> {
  const job = toJob(records, dirOf);
  if (job.ids.length < THREAD_MIN || process.env.HEPPY_OUTPUT_THREAD === '0') return Promise.resolve(runOutputJob(job));
  return new Promise((resolve) => {
    let settled = false;
    const fallback = (): void => {
      if (settled) return;
      settled = true;
      resolve(runOutputJob(job));
    };
    let w: Worker;
    try {
      w = new Worker(new URL('./output-check-worker.js', import.meta.url), { workerData: job });
    } catch {
      fallback();
      return;
    }
    w.once('message', (m: Array<[string, string]>) => {
      if (settled) return;
      settled = true;
      resolve(new Map(m));
      void w.terminate();
    });
    w.once('error', fallback);
    w.once('exit', fallback);
  });
}
