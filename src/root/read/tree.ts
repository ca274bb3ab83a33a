// TreeReader: reads entry ranges of numeric branches basket by basket into columns.
import type { BranchInfo, Column, NumArray, NumColumn, StringColumn } from '../types.js';
import { RootError } from '../errors.js';
import { RemoteError } from '../../io/errors.js';
import { allocArray, concatOffsets } from './decode.js';
import { typeSize } from '../types.js';
import type { BranchPlan } from './branches.js';
import { BasketError, decodeBasket, readRawBasket } from './basket.js';
import type { DecodedBasket, FileHandle, RawBasket } from './basket.js';
import { ReadAhead } from './readahead.js';
import { concatStrings, decodeStrings, sliceStrings, stringShape, type DecodedStrings } from './strings.js';
import { codecThreadEnabled, decompressAhead, worthAhead } from '../codec-ahead.js';
import type { BasketRef } from './branches.js';

/** Windows of fewer compressed bytes are decoded on the calling thread. */
const MIN_AHEAD_BYTES = 256 << 10;

/** The basket of a branch being sliced into windows (memory: one decoded basket per branch). */
interface Cursor { idx: number; basket: DecodedBasket | null; strings: DecodedStrings | null }

export interface Batch { start: number; stop: number; columns: Record<string, Column> }

export class TreeReader {
  readonly branches: BranchInfo[];
  private readonly plans = new Map<string, BranchPlan>();
  /**
   * Set by the event loop's source: batches() decompresses the next window's baskets on the
   * codec thread (../codec-ahead.ts) while the caller works on this one, and prefetch() starts
   * the first window of a later read (the next file of a chunk).
   */
  decodeAhead = false;
  /** Baskets being read and decompressed ahead, each taken once by rawBasket(). */
  private readonly early = new Map<BasketRef, Promise<RawBasket>>();

  constructor(
    private readonly h: FileHandle,
    readonly path: string,
    readonly entries: number,
    plans: BranchPlan[],
  ) {
    for (const p of plans) if (!this.plans.has(p.info.name)) this.plans.set(p.info.name, p);
    this.branches = plans.map((p) => p.info);
  }

  /** The reading plan of a branch (internal: summaries and inspect use it). */
  plan(name: string): BranchPlan {
    const p = this.plans.get(name);
    if (p === undefined) throw this.err(name, `no branch named ${JSON.stringify(name)} (branches: ${[...this.plans.keys()].slice(0, 20).join(', ')}${this.plans.size > 20 ? ', …' : ''})`);
    return p;
  }

  err(object: string, reason: string): RootError {
    return new RootError(this.h.path, `${this.path}${object ? `/${object}` : ''}`, reason);
  }

  /** Raw bytes of one basket (for strings, leaf-lists and objects). */
  async rawBasket(p: BranchPlan, i: number, ahead: ReadAhead | null = null): Promise<RawBasket> {
    const ref = p.baskets[i]!;
    const started = this.early.get(ref);
    if (started !== undefined) this.early.delete(ref);
    try {
      return await (started ?? readRawBasket(this.h, p, ref, ahead === null ? null : await ahead.take(ref)));
    } catch (e) {
      if (e instanceof RemoteError) throw e; // the network, not the file's bytes: retried as such
      // Anything thrown while reading file bytes is caused by those bytes (a RangeError from a
      // corrupt length included): report it as the basket's error.
      if (e instanceof Error) throw this.err(p.info.name, `basket ${ref.index} (entries ${ref.entryStart}-${ref.entryStop}${ref.embedded ? ', embedded' : `, at byte ${ref.seek}`}): ${e.message}`);
      throw e;
    }
  }

  private async decoded(p: BranchPlan, i: number, ahead: ReadAhead | null): Promise<DecodedBasket> {
    return (await this.decodedWithRaw(p, i, ahead)).d;
  }

  private async decodedWithRaw(p: BranchPlan, i: number, ahead: ReadAhead | null = null): Promise<{ raw: RawBasket; d: DecodedBasket }> {
    const raw = await this.rawBasket(p, i, ahead);
    if (raw.offsets === null && raw.n > 0 && p.info.shape === 'jagged' && p.layout.kind === 'leaf') {
      raw.offsets = await this.offsetsFromCounter(p, i, raw.data.length);
    }
    try {
      return { raw, d: decodeBasket(p, raw) };
    } catch (e) {
      if (e instanceof BasketError) throw this.err(p.info.name, `basket ${p.baskets[i]!.index}: ${e.message}`);
      throw e;
    }
  }

  /**
   * Entry offsets of a jagged basket written without an offset table (some writers omit it):
   * rebuilt from the counter branch over the basket's entries.
   */
  private async offsetsFromCounter(p: BranchPlan, i: number, dataLen: number): Promise<Int32Array> {
    const ref = p.baskets[i]!;
    const where = `basket ${ref.index}: no entry offsets`;
    const counter = p.info.counter;
    if (counter === undefined || counter === p.info.name || !this.plans.has(counter)) throw this.err(p.info.name, `${where} and no counter branch`);
    const cp = this.plan(counter);
    if (cp.info.shape !== 'scalar' || cp.info.type === null || cp.info.type === 'i8' || cp.info.type === 'u8' || cp.info.type === 'f4' || cp.info.type === 'f8' || cp.info.type === 'bool') {
      throw this.err(p.info.name, `${where} and counter ${counter} is not an integer scalar`);
    }
    const counts = (await this.column(counter, ref.entryStart, ref.entryStop)).values as Int32Array;
    const bytes = typeSize[p.info.type!] * p.mult;
    const off = new Int32Array(counts.length + 1);
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k]!;
      if (c < 0) throw this.err(p.info.name, `${where}; counter ${counter} is negative (${c}) at entry ${ref.entryStart + k}`);
      off[k + 1] = off[k]! + c * bytes;
    }
    if (off[counts.length] !== dataLen) throw this.err(p.info.name, `${where}; counter ${counter} sums to ${off[counts.length]} bytes, the basket has ${dataLen}`);
    return off;
  }

  /** One basket of a numeric branch, decoded whole (summaries walk baskets this way). */
  async basketColumn(name: string, i: number): Promise<{ compression: string; entries: number; column: NumColumn }> {
    const p = this.plan(name);
    this.checkReadable(p);
    const { raw, d } = await this.decodedWithRaw(p, i);
    return { compression: raw.compression, entries: raw.n, column: slice(p, d, 0, raw.n) };
  }

  /** Checks that a branch is a numeric or string column and that its baskets cover every entry exactly once. */
  checkReadable(p: BranchPlan): void {
    if (stringShape(p) !== null) { this.checkCoverage(p); return; }
    if (p.info.type === null || p.layout.kind === 'string' || p.layout.kind === 'leaflist' || p.layout.kind === 'unsupported') {
      const why = p.layout.kind === 'unsupported' ? p.layout.why : `${p.info.typename} is not a numeric column`;
      throw this.err(p.info.name, `unsupported branch type: ${why}`);
    }
    this.checkCoverage(p);
  }

  /** Checks that the baskets of a branch cover every entry of the tree exactly once. */
  checkCoverage(p: BranchPlan): void {
    if (p.entries !== this.entries) throw this.err(p.info.name, `branch has ${p.entries} entries, the tree ${this.entries}`);
    let at = 0;
    for (const b of p.baskets) {
      if (b.entryStart !== at || b.entryStop < b.entryStart) throw this.err(p.info.name, `basket ${b.index} covers entries ${b.entryStart}-${b.entryStop}, expected to start at ${at}`);
      at = b.entryStop;
    }
    if (at !== this.entries) throw this.err(p.info.name, `baskets cover ${at} entries, the tree has ${this.entries}`);
  }

  async *batches(names: string[], start = 0, stop = this.entries): AsyncIterable<Batch> {
    if (!(start >= 0) || !(stop <= this.entries) || !(start <= stop) || !Number.isInteger(start) || !Number.isInteger(stop)) {
      throw this.err('', `entry range [${start}, ${stop}) is outside [0, ${this.entries})`);
    }
    const plans = names.map((n) => this.plan(n));
    for (const p of plans) this.checkReadable(p);
    if (start === stop) return;
    const bounds = windowBounds(plans, start, stop);
    const cursors: Cursor[] = plans.map(() => ({ idx: -1, basket: null, strings: null }));
    const ahead = new ReadAhead(this.h, plans.flatMap((p) => p.baskets.filter((r) => r.entryStop > start && r.entryStart < stop)));
    const early = this.decodeAhead && codecThreadEnabled();
    // The first window: the thread takes half of its bytes while this thread decodes the rest.
    if (early) this.startEarly(plans, cursors, bounds[0]!, bounds[1]!, ahead, 0.5);
    for (let w = 0; w + 1 < bounds.length; w++) {
      const a = bounds[w]!, b = bounds[w + 1]!;
      const columns: Record<string, Column> = {};
      for (let k = 0; k < plans.length; k++) columns[plans[k]!.info.name] = await this.window(plans[k]!, cursors[k]!, a, b, ahead);
      if (early && w + 2 < bounds.length) this.startEarly(plans, cursors, b, bounds[w + 2]!, ahead, 1);
      yield { start: a, stop: b, columns };
    }
  }

  /**
   * Starts decoding, on the codec thread, the first window of a later batches(names, start,
   * stop) (the event loop's next file); nothing when decodeAhead or the thread is off. Problems are left to
   * that batches() call to report.
   */
  prefetch(names: string[], start = 0, stop = this.entries): void {
    if (!this.decodeAhead || !codecThreadEnabled() || !(start >= 0 && start < stop && stop <= this.entries)) return;
    const plans: BranchPlan[] = [];
    for (const n of names) {
      const p = this.plans.get(n);
      if (p === undefined) return;
      try { this.checkReadable(p); } catch { return; }
      plans.push(p);
    }
    const bounds = windowBounds(plans, start, stop);
    const a = bounds[0]!, b = bounds[1]!;
    const ahead = new ReadAhead(this.h, plans.flatMap((p) => p.baskets.filter((r) => r.entryStop > a && r.entryStart < b)));
    this.startEarly(plans, null, a, b, ahead, 1);
  }

  /**
   * Reads the baskets of entries [a, b) that no cursor holds and starts their decompression on
   * the codec thread; with share < 1 only the last baskets, that share of the compressed
   * bytes (the caller decodes the others meanwhile).
   */
  private startEarly(plans: BranchPlan[], cursors: Cursor[] | null, a: number, b: number, ahead: ReadAhead, share: number): void {
    const todo: { p: BranchPlan; ref: BasketRef }[] = [];
    let bytes = 0;
    plans.forEach((p, k) => {
      for (let i = firstBasket(p, a); i < p.baskets.length && p.baskets[i]!.entryStart < b; i++) {
        const ref = p.baskets[i]!;
        if ((cursors !== null && cursors[k]!.idx === i && (cursors[k]!.basket !== null || cursors[k]!.strings !== null)) || ref.embedded !== null || this.early.has(ref)) continue;
        todo.push({ p, ref });
        bytes += ref.bytes;
      }
    });
    // Small reads stay here: a message round trip would cost more than their inflate.
    if (!worthAhead(bytes, MIN_AHEAD_BYTES)) return;
    let budget = share >= 1 ? Infinity : bytes * share;
    for (let j = todo.length - 1; j >= 0 && budget > 0; j--) {
      const { p, ref } = todo[j]!;
      budget -= ref.bytes;
      const started = (async () => readRawBasket(this.h, p, ref, await ahead.take(ref), decompressAhead))();
      started.catch(() => undefined); // reported when taken; never taken if the read stops early
      this.early.set(ref, started);
    }
  }

  async column(name: string, start = 0, stop = this.entries): Promise<Column> {
    const parts: Column[] = [];
    for await (const b of this.batches([name], start, stop)) parts.push(b.columns[name]!);
    const p = this.plan(name);
    if (parts.length === 1) return parts[0]!;
    if (stringShape(p) !== null) return concatStrings(parts as StringColumn[]);
    return concat(p, parts as NumColumn[]);
  }

  /** Entries [a, b) of one branch, from the baskets that overlap them. */
  private async window(p: BranchPlan, cur: Cursor, a: number, b: number, ahead: ReadAhead): Promise<Column> {
    if (stringShape(p) !== null) return this.stringWindow(p, cur, a, b, ahead);
    const pieces: NumColumn[] = [];
    let i = cur.idx >= 0 && p.baskets[cur.idx]!.entryStart <= a ? cur.idx : firstBasket(p, a);
    for (; i < p.baskets.length && p.baskets[i]!.entryStart < b; i++) {
      const ref = p.baskets[i]!;
      if (ref.entryStop <= a) continue;
      if (cur.idx !== i || cur.basket === null) {
        cur.idx = i;
        cur.basket = null; // let the previous basket go before the next is read
        cur.basket = await this.decoded(p, i, ahead);
      }
      const lo = Math.max(a, ref.entryStart) - ref.entryStart, hi = Math.min(b, ref.entryStop) - ref.entryStart;
      pieces.push(slice(p, cur.basket, lo, hi));
    }
    if (pieces.length === 1) return pieces[0]!;
    return concat(p, pieces);
  }

  /** Entries [a, b) of a string branch. */
  private async stringWindow(p: BranchPlan, cur: Cursor, a: number, b: number, ahead: ReadAhead): Promise<StringColumn> {
    const pieces: StringColumn[] = [];
    let i = cur.idx >= 0 && p.baskets[cur.idx]!.entryStart <= a ? cur.idx : firstBasket(p, a);
    for (; i < p.baskets.length && p.baskets[i]!.entryStart < b; i++) {
      const ref = p.baskets[i]!;
      if (ref.entryStop <= a) continue;
      if (cur.idx !== i || cur.strings === null) {
        cur.idx = i;
        cur.strings = null;
        const raw = await this.rawBasket(p, i, ahead);
        try { cur.strings = decodeStrings(p, raw); } catch (e) {
          if (e instanceof BasketError) throw this.err(p.info.name, `basket ${ref.index}: ${e.message}`);
          throw e;
        }
      }
      pieces.push(sliceStrings(cur.strings, Math.max(a, ref.entryStart) - ref.entryStart, Math.min(b, ref.entryStop) - ref.entryStart));
    }
    return pieces.length === 1 ? pieces[0]! : concatStrings(pieces);
  }
}

/**
 * Window boundaries of a read of entries [start, stop): they follow the baskets of the branch
 * with the fewest boundaries in range, so that the big baskets are not cut and the small ones
 * are concatenated.
 */
function windowBounds(plans: BranchPlan[], start: number, stop: number): number[] {
  let driver: number[] | null = null;
  for (const p of plans) {
    const cuts = p.baskets.map((b) => b.entryStop).filter((e) => e > start && e < stop);
    if (driver === null || cuts.length < driver.length) driver = cuts;
  }
  return [start, ...(driver ?? []), stop];
}

function firstBasket(p: BranchPlan, entry: number): number {
  let lo = 0, hi = p.baskets.length; // first basket whose entryStop > entry
  while (lo < hi) { const m = (lo + hi) >> 1; if (p.baskets[m]!.entryStop <= entry) lo = m + 1; else hi = m; }
  return lo;
}

function slice(p: BranchPlan, d: DecodedBasket, lo: number, hi: number): NumColumn {
  const type = p.info.type!;
  if (p.info.shape === 'jagged') {
    const off = d.offsets!;
    const v0 = off[lo]!, v1 = off[hi]!;
    if (lo === 0 && hi === d.n && v0 === 0) return { kind: 'jagged', type, values: d.values.subarray(0, v1) as NumArray, offsets: off };
    const offsets = new Int32Array(hi - lo + 1);
    for (let i = 0; i <= hi - lo; i++) offsets[i] = off[lo + i]! - v0;
    return { kind: 'jagged', type, values: d.values.subarray(v0, v1) as NumArray, offsets };
  }
  const values = d.values.subarray(lo * p.mult, hi * p.mult) as NumArray;
  if (p.info.shape === 'fixed') return { kind: 'fixed', type, size: p.mult, values };
  return { kind: 'flat', type, values };
}

function concat(p: BranchPlan, parts: NumColumn[]): NumColumn {
  const type = p.info.type!;
  let nv = 0;
  for (const c of parts) nv += c.values.length;
  const values = allocArray(type, nv);
  let at = 0;
  for (const c of parts) { (values as { set(a: ArrayLike<unknown>, o: number): void }).set(c.values as ArrayLike<unknown>, at); at += c.values.length; }
  if (p.info.shape === 'jagged') {
    const offsets = concatOffsets(parts as Array<{ offsets: Int32Array }>);
    return { kind: 'jagged', type, values, offsets };
  }
  if (p.info.shape === 'fixed') return { kind: 'fixed', type, size: p.mult, values };
  return { kind: 'flat', type, values };
}
