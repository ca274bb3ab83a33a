// Recorded outputs of a node, checked against the disk; and the shared job that checks the
// outputs of every record of a big plan from two threads at once (see output-check.ts).
import { statNumbers } from '../util/stat-numbers.js';
import type { OutputRecord } from '../store/records.js';
import type { RecordHeads } from '../store/heads.js';

/** The first difference between the recorded outputs and the disk, or null when intact. */
export function outputsChanged(dir: string, outputs: readonly OutputRecord[]): string | null {
  for (const o of outputs) {
    const st = statNumbers(dir + '/' + o.path);
    if (st === undefined) return `output missing: ${o.path}`;
    if (st.size !== o.size || st.mtimeMs !== o.mtimeMs) return `output changed: ${o.path}`;
  }
  return null;
}

/**
 * outputsChanged for record `i` of `heads`, read straight from its columns: the planner's check of
 * a node on one thread (no object per output, no job over every record).
 */
export function headOutputsChanged(heads: RecordHeads, i: number, dir: string): string | null {
  const { starts, pathIdx, sizes, mtimes, paths } = heads;
  for (let k = starts[i]!, end = starts[i + 1]!; k < end; k++) {
    const path = paths[pathIdx[k]!]!;
    const st = statNumbers(dir + '/' + path);
    if (st === undefined) return `output missing: ${path}`;
    if (st.size !== sizes[k] || st.mtimeMs !== mtimes[k]) return `output changed: ${path}`;
  }
  return null;
}

/**
 * Every ok record's outputs, in a form that is cheap to post to a worker thread and cheap to make:
 * one directory string per node, the few distinct relative paths once, and shared typed arrays
 * (no per-file objects or strings until a path is stat-ed).
 */
export interface OutputJob {
  nodes: number;
  /** Each node's directory (absolute, without the trailing '/'). */
  dirs: string[];
  /** The distinct output paths, relative to their node's directory (the record heads' `paths`). */
  pathTable: string[];
  /** Int32Array per output: its path's index in `pathTable`. */
  pathIdx: SharedArrayBuffer;
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
  const pathIdx = new Int32Array(job.pathIdx);
  const sizes = new Float64Array(job.sizes);
  const mtimes = new Float64Array(job.mtimes);
  const { dirs, pathTable } = job;
  for (;;) {
    const b = Atomics.add(next, 0, 1);
    const from = b * BLOCK;
    // Written so that a malformed job (nodes not a number) ends the loop instead of spinning.
    if (!(from < job.nodes)) return;
    const to = Math.min(job.nodes, from + BLOCK);
    for (let i = from; i < to; i++) {
      const dir = dirs[i] + '/';
      let intact = true;
      for (let k = starts[i]!, end = starts[i + 1]!; intact && k < end; k++) {
        const st = statNumbers(dir + pathTable[pathIdx[k]!]);
        if (st === undefined || st.size !== sizes[k] || st.mtimeMs !== mtimes[k]) intact = false;
      }
      verdict[i] = intact ? 1 : 2;
    }
  }
}

/** The records whose outputs are checked: every ok record, in order. */
export function okRecords(heads: RecordHeads): number[] {
  const at: number[] = [];
  for (let r = 0; r < heads.size; r++) if (heads.ok(r)) at.push(r);
  return at;
}

/** The job over every ok record's outputs, straight from the record heads' columns (either thread makes it). */
export function makeJob(heads: RecordHeads, dirOf: (id: string) => string): OutputJob {
  const at = okRecords(heads);
  const nodes = at.length;
  let outputs = 0;
  for (const r of at) outputs += heads.starts[r + 1]! - heads.starts[r]!;
  const starts = new Int32Array(new SharedArrayBuffer(4 * (nodes + 1)));
  const pathIdx = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, outputs)));
  const sizes = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, outputs)));
  const mtimes = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, outputs)));
  const dirs = new Array<string>(nodes);
  let k = 0;
  for (let i = 0; i < nodes; i++) {
    const r = at[i]!;
    dirs[i] = dirOf(heads.ids[r]!);
    for (let o = heads.starts[r]!, end = heads.starts[r + 1]!; o < end; o++, k++) {
      pathIdx[k] = heads.pathIdx[o]!;
      sizes[k] = heads.sizes[o]!;
      mtimes[k] = heads.mtimes[o]!;
    }
    starts[i + 1] = k;
  }
  return { nodes, dirs, pathTable: [...heads.paths], pathIdx: pathIdx.buffer as SharedArrayBuffer, starts: starts.buffer as SharedArrayBuffer,
    sizes: sizes.buffer as SharedArrayBuffer, mtimes: mtimes.buffer as SharedArrayBuffer, next: new SharedArrayBuffer(4),
    verdict: new SharedArrayBuffer(Math.max(1, nodes)) };
}
