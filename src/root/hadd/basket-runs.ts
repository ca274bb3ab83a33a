// The stored baskets of one input, in file order, grouped in contiguous runs to copy, and the
// merged branches' basket lists. Flat typed arrays, not an object per basket: a merge of large
// files handles tens of thousands of baskets once each, in a fresh process whose JIT has not
// compiled these loops yet (bench/README.md, "Session 19 (mergecli4)").
import { basketsOf, type BasketRef } from '../read/branches.js';
import type { JsBranch } from '../read/jsroot.js';

/** One input branch's baskets in flat lists; BasketRef objects only for embedded ones (and on demand). */
export interface BranchBaskets {
  n: number;
  /** Position in the branch's basket arrays, first and last + 1 entry, key position and size (0 when embedded). */
  index: number[]; start: number[]; stop: number[]; seek: number[]; bytes: number[];
  /** Per basket, its ref when embedded in the TTree key (null when stored); null when none is. */
  embedded: (BasketRef | null)[] | null;
}

/**
 * The baskets of a branch as read/branches.ts basketsOf gives them (same checks, same order),
 * read straight from its basket arrays when none is embedded in the TTree key (the usual case).
 */
export function branchBaskets(b: JsBranch): BranchBaskets {
  const emb = Array.isArray(b.fBaskets?.arr) ? b.fBaskets.arr : [];
  if (emb.some((bk) => bk && bk.fNevBuf > 0)) return basketsFromRefs(basketsOf(b));
  const n = Math.max(0, b.fWriteBasket | 0);
  const room = Math.min(b.fBasketSeek?.length ?? 0, b.fBasketBytes?.length ?? 0, b.fBasketEntry?.length ?? 0);
  if (n > room) throw new Error(`branch ${b.fName} claims ${n} baskets, its basket arrays hold ${room}`);
  const l = lists(n);
  const entry = b.fBasketEntry, seek = b.fBasketSeek, bytes = b.fBasketBytes;
  for (let i = 0; i < n; i++) {
    l.index.push(i);
    l.start.push(Number(entry[i] ?? 0));
    l.stop.push(Number(entry[i + 1] ?? b.fEntries));
    l.seek.push(Number(seek[i]));
    l.bytes.push(Number(bytes[i]));
  }
  return l;
}

// Plain arrays of numbers filled by push (packed doubles): as compact as typed arrays for the
// thousands of baskets of a large input, and cheaper to make for the one or two of a small one.
function lists(n: number): BranchBaskets {
  return { n, index: [], start: [], stop: [], seek: [], bytes: [], embedded: null };
}

/** Flat lists of basketsOf's refs (the branches with embedded baskets). */
export function basketsFromRefs(refs: BasketRef[]): BranchBaskets {
  const l = lists(refs.length);
  l.embedded = refs.map((r) => (r.embedded === null ? null : r));
  for (const r of refs) { l.index.push(r.index); l.start.push(r.entryStart); l.stop.push(r.entryStop); l.seek.push(r.seek); l.bytes.push(r.bytes); }
  return l;
}

/** Whether basket i is embedded in the TTree key (not a key of its own). */
export function isEmbedded(l: BranchBaskets, i: number): boolean { return l.embedded !== null && l.embedded[i] !== null; }

/** Basket i as a BasketRef (the slow paths: rewrite, recompress, appended inputs). */
export function refAt(l: BranchBaskets, i: number): BasketRef {
  return l.embedded?.[i] ?? { index: l.index[i]!, entryStart: l.start[i]!, entryStop: l.stop[i]!, seek: l.seek[i]!, bytes: l.bytes[i]!, embedded: null };
}

/** Baskets are copied in contiguous runs of at most this size (bigger baskets: one per run). */
export const RUN_BYTES = 1024 * 1024;

/** Stored baskets sorted by seek: branch j, index i within it, position and size; runs over them. */
export interface BasketRuns {
  n: number;
  branch: number[]; index: number[]; seek: number[]; bytes: number[];
  /** Run r covers sorted baskets start[r] .. start[r + 1] - 1. */
  runs: number; start: number[];
}

/** Orders the stored (not embedded) baskets of `refs` (per branch) by seek and cuts them into runs of ≤ RUN_BYTES. */
export function runsOf(refs: readonly BranchBaskets[]): BasketRuns {
  let n = 0;
  for (const l of refs) for (let i = 0; i < l.n; i++) if (!isEmbedded(l, i)) n++;
  // Scratch reused across inputs: a merge of many small files calls this once per input.
  if (scratch.seek.length < n) scratch = newScratch(n);
  const { branch: br, index: ix, seek: sk, bytes: by } = scratch;
  let k = 0, maxSeek = 0;
  for (let j = 0; j < refs.length; j++) {
    const l = refs[j]!;
    for (let i = 0; i < l.n; i++) {
      if (isEmbedded(l, i)) continue;
      const at = l.seek[i]!;
      br[k] = j; ix[k] = i; sk[k] = at; by[k] = l.bytes[i]!; k++;
      if (at > maxSeek) maxSeek = at;
    }
  }
  const order = sortedBySeek(sk, n, maxSeek);
  const branch: number[] = [], index: number[] = [], seek: number[] = [], bytes: number[] = [];
  for (let s = 0; s < n; s++) { const o = order[s]!; branch.push(br[o]!); index.push(ix[o]!); seek.push(sk[o]!); bytes.push(by[o]!); }
  const start: number[] = [];
  for (let s0 = 0; s0 < n;) {
    let s1 = s0 + 1, len = bytes[s0]!;
    const at = seek[s0]!;
    while (s1 < n && seek[s1] === at + len && len + bytes[s1]! <= RUN_BYTES) { len += bytes[s1]!; s1++; }
    start.push(s0);
    s0 = s1;
  }
  const runs = start.length;
  start.push(n);
  return { n, branch, index, seek, bytes, runs, start };
}

function newScratch(n: number): { branch: Int32Array; index: Int32Array; seek: Float64Array; bytes: Float64Array; keys: Float64Array; order: Int32Array } {
  const c = Math.max(n, 1024);
  return { branch: new Int32Array(c), index: new Int32Array(c), seek: new Float64Array(c), bytes: new Float64Array(c), keys: new Float64Array(c), order: new Int32Array(c) };
}
let scratch = newScratch(0);

/** Positions 0..n-1 of seek ordered by it (stable): one native sort of packed (seek, position) doubles where they fit in 53 bits. */
function sortedBySeek(seek: Float64Array, n: number, maxSeek: number): Int32Array {
  const order = scratch.order;
  let m = 1;
  while (m < n) m *= 2;
  if ((maxSeek + 1) * m <= Number.MAX_SAFE_INTEGER) {
    const keys = scratch.keys.subarray(0, n);
    for (let s = 0; s < n; s++) keys[s] = seek[s]! * m + s;
    keys.sort();
    for (let s = 0; s < n; s++) order[s] = keys[s]! % m;
    return order;
  }
  const idx = Array.from({ length: n }, (_, s) => s);
  idx.sort((a, b) => seek[a]! - seek[b]! || a - b);
  for (let s = 0; s < n; s++) order[s] = idx[s]!;
  return order;
}

/**
 * One merged branch's basket lists as TBranch streams them (fBasketBytes, fBasketEntry,
 * fBasketSeek): sized once for every input's baskets, plus ROOT's spare slot, at least 10.
 */
export class MergedBaskets {
  readonly cap: number;
  readonly bytes: Int32Array;
  readonly entry: Float64Array;
  readonly seek: Float64Array;
  n = 0;
  tot = 0;
  zip = 0;
  entries = 0;
  constructor(total: number) {
    this.cap = Math.max(10, total + 1);
    this.bytes = new Int32Array(this.cap);
    this.entry = new Float64Array(this.cap);
    this.seek = new Float64Array(this.cap);
  }

  /** Basket k (counted over every input) is at `seek`, `nbytes` long, `tot` bytes uncompressed with its key. */
  put(k: number, seek: number, nbytes: number, tot: number): void {
    this.seek[k] = seek; this.bytes[k] = nbytes; this.tot += tot; this.zip += nbytes;
  }

  /** Whether basket k has a place yet (a stored basket is never at 0). */
  placed(k: number): boolean { return this.seek[k] !== 0; }
}
