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
  index: Int32Array; start: Float64Array; stop: Float64Array; seek: Float64Array; bytes: Float64Array;
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
    l.index[i] = i;
    l.start[i] = Number(entry[i] ?? 0);
    l.stop[i] = Number(entry[i + 1] ?? b.fEntries);
    l.seek[i] = Number(seek[i]);
    l.bytes[i] = Number(bytes[i]);
  }
  return l;
}

function lists(n: number): BranchBaskets {
  return { n, index: new Int32Array(n), start: new Float64Array(n), stop: new Float64Array(n), seek: new Float64Array(n), bytes: new Float64Array(n), embedded: null };
}

/** Flat lists of basketsOf's refs (the branches with embedded baskets). */
export function basketsFromRefs(refs: BasketRef[]): BranchBaskets {
  const l = lists(refs.length);
  l.embedded = refs.map((r) => (r.embedded === null ? null : r));
  refs.forEach((r, i) => { l.index[i] = r.index; l.start[i] = r.entryStart; l.stop[i] = r.entryStop; l.seek[i] = r.seek; l.bytes[i] = r.bytes; });
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
  branch: Int32Array; index: Int32Array; seek: Float64Array; bytes: Float64Array;
  /** Run r covers sorted baskets start[r] .. start[r + 1] - 1. */
  runs: number; start: Int32Array;
}

/** Orders the stored (not embedded) baskets of `refs` (per branch) by seek and cuts them into runs of ≤ RUN_BYTES. */
export function runsOf(refs: readonly BranchBaskets[]): BasketRuns {
  let n = 0;
  for (const l of refs) for (let i = 0; i < l.n; i++) if (!isEmbedded(l, i)) n++;
  const br = new Int32Array(n), ix = new Int32Array(n), sk = new Float64Array(n), by = new Float64Array(n);
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
  const order = sortedBySeek(sk, maxSeek);
  const branch = new Int32Array(n), index = new Int32Array(n), seek = new Float64Array(n), bytes = new Float64Array(n);
  for (let s = 0; s < n; s++) { const o = order[s]!; branch[s] = br[o]!; index[s] = ix[o]!; seek[s] = sk[o]!; bytes[s] = by[o]!; }
  const start = new Int32Array(n + 1);
  let runs = 0;
  for (let s0 = 0; s0 < n;) {
    let s1 = s0 + 1, len = bytes[s0]!;
    const at = seek[s0]!;
    while (s1 < n && seek[s1] === at + len && len + bytes[s1]! <= RUN_BYTES) { len += bytes[s1]!; s1++; }
    start[runs++] = s0;
    s0 = s1;
  }
  start[runs] = n;
  return { n, branch, index, seek, bytes, runs, start };
}

/** Positions 0..n-1 ordered by seek (stable): one native sort of packed (seek, position) doubles where they fit in 53 bits. */
function sortedBySeek(seek: Float64Array, maxSeek: number): Int32Array {
  const n = seek.length;
  const order = new Int32Array(n);
  let m = 1;
  while (m < n) m *= 2;
  if ((maxSeek + 1) * m <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
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
