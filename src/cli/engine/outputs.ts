// Recorded outputs of a node, checked against the disk; and the shared job that checks the
// outputs of every record of a big plan from two threads at once (see output-check.ts).
import { statSync } from 'node:fs';
import type { OutputRecord } from '../../store/records.js';

/** The first difference between the recorded outputs and the disk, or null when intact. */
export function outputsChanged(dir: string, outputs: readonly OutputRecord[]): string | null {
  for (const o of outputs) {
    // throwIfNoEntry: a missing file is an answer here, not an exception to build and catch.
    const st = statSync(dir + '/' + o.path, { throwIfNoEntry: false });
    if (st === undefined) return `output missing: ${o.path}`;
    if (st.size !== o.size || st.mtimeMs !== o.mtimeMs) return `output changed: ${o.path}`;
  }
  return null;
}

/** Every ok record's outputs, flattened (cheap to post to a worker thread). */
export interface OutputJob {
  ids: string[];
  dirs: string[];
  starts: number[];          // node i's outputs are [starts[i], starts[i + 1])
  paths: string[];
  sizes: number[];
  mtimes: number[];
  /** Int32Array [next block to claim] shared by the threads that work on the job. */
  next: SharedArrayBuffer;
  /** Uint8Array per node: 0 not checked yet, 1 intact, 2 changed or missing. */
  verdict: SharedArrayBuffer;
}

/** Nodes per claimed block: small enough that both threads finish together. */
export const BLOCK = 64;

function checkNode(job: OutputJob, i: number): boolean {
  const dir = job.dirs[i]! + '/';
  for (let k = job.starts[i]!, end = job.starts[i + 1]!; k < end; k++) {
    const st = statSync(dir + job.paths[k]!, { throwIfNoEntry: false });
    if (st === undefined || st.size !== job.sizes[k] || st.mtimeMs !== job.mtimes[k]) return false;
  }
  return true;
}

/** Claims blocks of the job until none is left (any number of threads may do this at once). */
export function workOnJob(job: OutputJob): void {
  const next = new Int32Array(job.next);
  const verdict = new Uint8Array(job.verdict);
  const n = job.ids.length;
  for (;;) {
    const from = Atomics.add(next, 0, 1) * BLOCK;
    if (from >= n) return;
    const to = Math.min(n, from + BLOCK);
    for (let i = from; i < to; i++) verdict[i] = checkNode(job, i) ? 1 : 2;
  }
}
