// Read-ahead of basket bytes: the baskets a read will need are sorted by file position, and a
// basket not yet read is read together with the ones that follow it in one vector read (local:
// coalesced preads; XRootD: kXR_readv; HTTP: a multi-range GET), up to a byte budget. Fewer,
// larger reads: 200 → 1 for issue412, 57 → 1 for HZZ. Over a network the next run is fetched
// while the current one is decoded (one run in flight at most).
// Memory: at most two budgets of basket keys read but not yet decoded.
import { readAt } from './basket.js';
import { countRead } from './io-stats.js';
import type { FileHandle } from './basket.js';
import type { BasketRef } from './branches.js';

const BUDGET = 4 << 20;
const REMOTE_BUDGET = 8 << 20;
const MAX_GAP = 64 << 10;

export class ReadAhead {
  private readonly order: BasketRef[];
  private readonly pos = new Map<BasketRef, number>();
  private readonly ready = new Map<BasketRef, Uint8Array>();
  private readonly inflight = new Map<BasketRef, Promise<void>>();
  private readonly remote: boolean;
  /** Index in `order` up to which every basket was requested (prefetch continues from there). */
  private frontier = 0;

  /** `refs`: the baskets the read will ask for (embedded or impossible ones are left to the caller). */
  constructor(private readonly h: FileHandle, refs: BasketRef[]) {
    this.order = [...new Set(refs)]
      .filter((r) => r.embedded === null && r.bytes >= 30 && r.seek >= 0 && r.seek + r.bytes <= h.size)
      .sort((a, b) => a.seek - b.seek);
    this.order.forEach((r, i) => this.pos.set(r, i));
    this.remote = h.source?.remote === true;
  }

  /** The key bytes of a basket, or null when it is not one this read-ahead covers. */
  async take(ref: BasketRef): Promise<Uint8Array | null> {
    for (;;) {
      const got = this.ready.get(ref);
      if (got !== undefined) {
        this.ready.delete(ref);
        if (this.remote && this.inflight.size === 0 && this.ready.size * 2 < this.runLength) this.prefetch(this.frontier);
        return got;
      }
      const pending = this.inflight.get(ref);
      if (pending !== undefined) { await pending; continue; }
      const i = this.pos.get(ref);
      if (i === undefined) return null;
      const run = this.runFrom(i);
      if (run.length === 1 && !this.remote) return null; // nothing to share the read with
      await this.fetch(run);
    }
  }

  private runLength = 0;

  /** Baskets from order[i] on, not yet read or being read, within the budget (locally: close on disk). */
  private runFrom(i: number): BasketRef[] {
    const first = this.order[i]!;
    const budget = this.remote ? REMOTE_BUDGET : BUDGET;
    const run = [first];
    let end = first.seek + first.bytes, bytes = first.bytes;
    for (let j = i + 1; j < this.order.length; j++) {
      const r = this.order[j]!;
      if (this.ready.has(r) || this.inflight.has(r)) break;
      if (r.seek < end) break; // overlap: corrupt, read alone
      if (!this.remote && (r.seek - end > MAX_GAP || r.seek + r.bytes - first.seek > budget)) break;
      if (this.remote && bytes + r.bytes > budget) break;
      run.push(r);
      end = r.seek + r.bytes; bytes += r.bytes;
    }
    return run;
  }

  private fetch(run: BasketRef[]): Promise<void> {
    const last = this.pos.get(run[run.length - 1]!)!;
    if (last + 1 > this.frontier) this.frontier = last + 1;
    this.runLength = run.length;
    const p = (async () => {
      try {
        let parts: Uint8Array[];
        if (this.h.source !== undefined) {
          for (const r of run) countRead(r.bytes);
          parts = await this.h.source.readv(run.map((r) => ({ pos: r.seek, len: r.bytes })));
        } else parts = await contiguous(this.h, run);
        run.forEach((r, k) => this.ready.set(r, parts[k]!));
      } finally {
        for (const r of run) this.inflight.delete(r);
      }
    })();
    for (const r of run) this.inflight.set(r, p);
    p.catch(() => undefined); // a failed prefetch is reported to whoever waits for one of its baskets
    return p;
  }

  private prefetch(from: number): void {
    while (from < this.order.length && (this.ready.has(this.order[from]!) || this.inflight.has(this.order[from]!))) from++;
    if (from < this.order.length) void this.fetch(this.runFrom(from));
  }
}

/** A run of close baskets read with one pread (descriptor-only handles). */
async function contiguous(h: FileHandle, run: BasketRef[]): Promise<Uint8Array[]> {
  const start = run[0]!.seek, end = run[run.length - 1]!.seek + run[run.length - 1]!.bytes;
  const bytes = await readAt(h, start, end - start);
  return run.map((r) => bytes.subarray(r.seek - start, r.seek - start + r.bytes));
}
