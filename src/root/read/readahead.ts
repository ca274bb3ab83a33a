// Read-ahead of basket bytes: the baskets a read will need are sorted by file position, and a
// basket not yet read is read together with the ones that follow it in one vector read (local:
// coalesced preads; XRootD: kXR_readv; HTTP: a multi-range GET), up to a byte budget. Fewer,
// larger reads: 200 → 1 for issue412, 57 → 1 for HZZ. Over a network the runs are pipelined:
// the first is small (128 kB: decoding starts as soon as it arrives, not after the whole range
// crossed the network), each next one twice as big up to 8 MB, and runs are requested back to
// back while the bytes requested and not yet taken stay under a 16 MB window, so the transfer
// overlaps the decoding and no run waits for a round trip after the first. The replies are read
// from the socket by the event loop, which a read decoding baskets already here (promises that
// resolve at once) never reaches: the server can only send what the socket buffers hold, and
// the kernel grows a connection's receive buffer (from 128 kB) only as the program reads. So while
// runs are in flight, take() lets the event loop run every 0.5 ms. On this machine's loopback,
// with a connection whose buffer had grown to 5.6 MB, the reader's wait for prefetched baskets
// went from 4–10 ms a read to 0–2 ms with wall time and CPU unchanged within the noise (the
// kernel held the runs anyway): the gain is for a connection's first megabytes and for a WAN,
// where the window limits (bench/README.md, session 18).
// Memory: locally one run, remotely the window, of basket keys read but not yet decoded.
import { readAt } from './basket.js';
import { countRead } from './io-stats.js';
import type { FileHandle } from './basket.js';
import type { BasketRef } from './branches.js';

const BUDGET = 4 << 20;
const MAX_GAP = 64 << 10;
const REMOTE_FIRST = 128 << 10;
const REMOTE_RUN = 8 << 20;
const REMOTE_WINDOW = 16 << 20;
/**
 * Remote, runs in flight: yieldMs is the longest the decoding goes on without letting the event
 * loop read their replies (bench/remote-prefetch.ts sets it to compare). waitMs and waits: the time
 * and the number of times reads of this process waited for baskets already requested (what the
 * prefetch did not hide).
 */
export const readAheadSettings = { yieldMs: 0.5 };
export const readAheadStats = { waitMs: 0, waits: 0 };

export class ReadAhead {
  private readonly order: BasketRef[];
  private readonly pos = new Map<BasketRef, number>();
  private readonly ready = new Map<BasketRef, Uint8Array>();
  private readonly inflight = new Map<BasketRef, Promise<void>>();
  private readonly remote: boolean;
  /** Index in `order` up to which every basket was requested (prefetch continues from there). */
  private frontier = 0;
  /** When take() last let the event loop run (remote, runs in flight). */
  private yielded = 0;

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
        this.outstanding -= ref.bytes;
        if (this.remote) {
          this.fill();
          if (this.inflight.size > 0 && performance.now() - this.yielded >= readAheadSettings.yieldMs) {
            await new Promise<void>((r) => setImmediate(r));
            this.yielded = performance.now();
          }
        }
        return got;
      }
      const pending = this.inflight.get(ref);
      if (pending !== undefined) {
        const t0 = performance.now();
        await pending;
        readAheadStats.waitMs += performance.now() - t0;
        readAheadStats.waits++;
        continue;
      }
      const i = this.pos.get(ref);
      if (i === undefined) return null;
      const run = this.runFrom(i, this.remote ? this.nextRun() : BUDGET);
      if (run.length === 1 && !this.remote) return null; // nothing to share the read with
      const p = this.fetch(run);
      if (this.remote) this.fill();
      await p;
    }
  }

  /** Bytes of baskets requested (in flight or ready) and not taken yet. */
  private outstanding = 0;
  private runBudget = REMOTE_FIRST;

  /** The budget of the next remote run: 128 kB, then doubled up to 8 MB. */
  private nextRun(): number {
    const b = this.runBudget;
    this.runBudget = Math.min(REMOTE_RUN, b * 2);
    return b;
  }

  /** Remote: requests the next runs from the frontier while the window has room. */
  private fill(): void {
    let from = this.frontier;
    while (this.outstanding < REMOTE_WINDOW) {
      while (from < this.order.length && (this.ready.has(this.order[from]!) || this.inflight.has(this.order[from]!))) from++;
      if (from >= this.order.length) return;
      const run = this.runFrom(from, Math.min(this.nextRun(), REMOTE_WINDOW - this.outstanding));
      void this.fetch(run);
      from = this.frontier;
    }
  }

  /** Baskets from order[i] on, not yet read or being read, within the budget (locally: close on disk); at least one. */
  private runFrom(i: number, budget: number): BasketRef[] {
    const first = this.order[i]!;
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
    let bytes = 0;
    for (const r of run) bytes += r.bytes;
    this.outstanding += bytes;
    const p = (async () => {
      try {
        let parts: Uint8Array[];
        if (this.h.source !== undefined) {
          for (const r of run) countRead(r.bytes);
          parts = await this.h.source.readv(run.map((r) => ({ pos: r.seek, len: r.bytes })));
        } else parts = await contiguous(this.h, run);
        run.forEach((r, k) => this.ready.set(r, parts[k]!));
      } catch (e) {
        this.outstanding -= bytes; // not read: asked for again by whoever needs one of its baskets
        throw e;
      } finally {
        for (const r of run) this.inflight.delete(r);
      }
    })();
    for (const r of run) this.inflight.set(r, p);
    p.catch(() => undefined); // a failed prefetch is reported to whoever waits for one of its baskets
    return p;
  }
}

/** A run of close baskets read with one pread (descriptor-only handles). */
async function contiguous(h: FileHandle, run: BasketRef[]): Promise<Uint8Array[]> {
  const start = run[0]!.seek, end = run[run.length - 1]!.seek + run[run.length - 1]!.bytes;
  const bytes = await readAt(h, start, end - start);
  return run.map((r) => bytes.subarray(r.seek - start, r.seek - start + r.bytes));
}
