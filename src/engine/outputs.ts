// Recorded outputs of a node, checked against the disk; and the shared job that checks the
// outputs of every record of a big plan from two threads at once (see output-check.ts).
import { statSync } from 'node:fs';
import type { OutputRecord } from '../store/records.js';

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

/**
 * Every ok record's outputs, in a form that is cheap to post to a worker thread and cheap for its
 * garbage collector: one string of absolute paths and shared typed arrays (no per-file objects).
 */
export interface OutputJob {
  nodes: number;
  /** Each node's directory followed by '\n'. */
  dirs: string;
  /** Paths of all outputs relative to their node's directory, each followed by '\n', node by node. */
  paths: string;
  /** Int32Array [2b, 2b + 1]: where block b's first directory and first path start in `dirs`, `paths`. */
  blockAt: SharedArrayBuffer;
  /** Int32Array: node i's outputs are [starts[i], starts[i + 1]). */
  starts: SharedArrayBuffer;
  /** Float64Array of recorded sizes, then Float64Array of recorded mtimes (ms), per output. */
  sizes: SharedArrayBuffer;
  mtimes: SharedArrayBuffer;
  /** Int32Array [next block to claim], shared by the threads that work on the job. */
  next: SharedArrayBuffer;
  /** Uint8Array per node: 0 not checked yet, 1 intact, 2 changed or missing. */
  verdict: SharedArrayBuffer;
}

/** Nodes per claimed block: small enough that both threads finish together. */
export const BLOCK = 64;

/** Claims blocks of the job until none is left (any number of threads may do this at once). */
export function workOnJob(job: OutputJob): void {
  const next = new Int32Array(job.next);
  const verdict = new Uint8Array(job.verdict);
  const starts = new Int32Array(job.starts);
  const blockAt = new Int32Array(job.blockAt);
  const sizes = new Float64Array(job.sizes);
  const mtimes = new Float64Array(job.mtimes);
  const paths = job.paths;
  const dirs = job.dirs;
  for (;;) {
    const b = Atomics.add(next, 0, 1);
    const from = b * BLOCK;
    // Written so that a malformed job (nodes not a number) ends the loop instead of spinning.
    if (!(from < job.nodes)) return;
    const to = Math.min(job.nodes, from + BLOCK);
    let k = starts[from]!;
    let dpos = blockAt[2 * b]!;
    let pos = blockAt[2 * b + 1]!;
    for (let i = from; i < to; i++) {
      const dnl = dirs.indexOf('\n', dpos);
      const dir = dirs.slice(dpos, dnl) + '/';
      dpos = dnl + 1;
      let intact = true;
      for (const end = starts[i + 1]!; k < end; k++) {
        const nl = paths.indexOf('\n', pos);
        if (intact) {
          const st = statSync(dir + paths.slice(pos, nl), { throwIfNoEntry: false });
          if (st === undefined || st.size !== sizes[k] || st.mtimeMs !== mtimes[k]) intact = false;
        }
        pos = nl + 1;
      }
      verdict[i] = intact ? 1 : 2;
    }
  }
}
