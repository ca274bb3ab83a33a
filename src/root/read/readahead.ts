// Read-ahead of basket bytes: the baskets a read will need are sorted by file position, and
// a basket not yet read is read together with the ones that follow it on disk (small gaps
// included) in one system call, up to a byte budget. Fewer, larger reads: 200 → 1 for
// issue412, 57 → 1 for HZZ; it matters more on network file systems than on a local disk.
// Memory: at most BUDGET bytes of basket keys read but not yet decoded.
import { readAt } from './basket.js';
import type { FileHandle } from './basket.js';
import type { BasketRef } from './branches.js';

const BUDGET = 4 << 20;
const MAX_GAP = 64 << 10;

export class ReadAhead {
  private readonly order: BasketRef[];
  private readonly pos = new Map<BasketRef, number>();
  private readonly ready = new Map<BasketRef, Uint8Array>();

  /** `refs`: the baskets the read will ask for (embedded or impossible ones are left to the caller). */
  constructor(private readonly h: FileHandle, refs: BasketRef[]) {
    this.order = [...new Set(refs)]
      .filter((r) => r.embedded === null && r.bytes >= 30 && r.seek >= 0 && r.seek + r.bytes <= h.size)
      .sort((a, b) => a.seek - b.seek);
    this.order.forEach((r, i) => this.pos.set(r, i));
  }

  /** The key bytes of a basket, or null when it is not one this read-ahead covers. */
  take(ref: BasketRef): Uint8Array | null {
    const got = this.ready.get(ref);
    if (got !== undefined) { this.ready.delete(ref); return got; }
    const i = this.pos.get(ref);
    if (i === undefined) return null;
    // One read from this basket over the following ones while they are close and within budget.
    const start = ref.seek;
    let end = start + ref.bytes, j = i + 1;
    for (; j < this.order.length; j++) {
      const r = this.order[j]!;
      if (this.ready.has(r)) break;
      if (r.seek < end || r.seek - end > MAX_GAP || r.seek + r.bytes - start > BUDGET) break; // overlap: corrupt, read alone
      end = r.seek + r.bytes;
    }
    if (j === i + 1) return null; // nothing to share the read with
    const run = readAt(this.h, start, end - start);
    for (let k = i + 1; k < j; k++) {
      const r = this.order[k]!;
      this.ready.set(r, run.subarray(r.seek - start, r.seek - start + r.bytes));
    }
    return run.subarray(0, ref.bytes);
  }
}
