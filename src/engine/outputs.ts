// Recorded outputs of a node, checked against the disk; and the shared job that checks the
// outputs of every record of a big plan from two threads at once (see output-check.ts).
import { statSync } from 'node:fs';
import type { OutputRecord } from '../store/records.js';
import type { RecordHeads } from '../store/heads.js';

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
  const blockAt = new Int32Array(new SharedArrayBuffer(8 * (Math.ceil(nodes / BLOCK) + 1)));
  const sizes = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, outputs)));
  const mtimes = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, outputs)));
  let paths = '';
  let dirs = '';
  let k = 0;
  for (let i = 0; i < nodes; i++) {
    const r = at[i]!;
    if (i % BLOCK === 0) {
      blockAt[2 * (i / BLOCK)] = dirs.length;
      blockAt[2 * (i / BLOCK) + 1] = paths.length;
    }
    dirs += dirOf(heads.ids[r]!) + '\n';
    for (let o = heads.starts[r]!; o < heads.starts[r + 1]!; o++) {
      paths += heads.paths[heads.pathIdx[o]!]! + '\n';
      sizes[k] = heads.sizes[o]!;
      mtimes[k] = heads.mtimes[o]!;
      k++;
    }
    starts[i + 1] = k;
  }
  return { nodes, dirs, paths, starts: starts.buffer as SharedArrayBuffer, blockAt: blockAt.buffer as SharedArrayBuffer,
    sizes: sizes.buffer as SharedArrayBuffer, mtimes: mtimes.buffer as SharedArrayBuffer, next: new SharedArrayBuffer(4),
    verdict: new SharedArrayBuffer(Math.max(1, nodes)) };
}

