// Reading one cluster's columns: which representation is active, the page bytes (adjacent
// pages read together, checksums verified, decompressed), decoded into one array per column.
import { decompress } from '../read/decompress.js';
import { columnType, columnTypeName, allocValues, decodePage, pageBytes, type TypeInfo, type Values } from './columns.js';
import type { ClusterDesc, ColumnRange, Descriptor, FieldDesc, PageDesc } from './descriptor.js';
import { RNTupleFormatError } from './rbuf.js';
import { xxh3 } from './xxh3.js';

/** Where page bytes come from (a RootFileReader). */
export interface ByteSource { readBytes(pos: number, len: number): Promise<Uint8Array> }

const MAX_GAP = 64 << 10;
const MAX_RUN = 16 << 20;

/** The active (not suppressed) columns of a field in a cluster, or null when it has none there (deferred). */
export function activeColumns(d: Descriptor, c: ClusterDesc, f: FieldDesc): number[] | null {
  const byRepr = new Map<number, number[]>();
  for (const id of f.columns) {
    const r = d.columns[id]!.repr;
    let l = byRepr.get(r);
    if (l === undefined) byRepr.set(r, (l = []));
    l.push(id);
  }
  for (const cols of [...byRepr.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])) {
    const range = c.columns[cols[0]!];
    if (range !== undefined && !range.suppressed) return cols;
  }
  return null;
}

export function elementsIn(range: ColumnRange): number {
  let n = 0;
  for (const p of range.pages) n += p.elements;
  return n;
}

/** Decoded columns of one cluster, each decoded once however many branches use it. */
export class ClusterColumns {
  private readonly decoded = new Map<number, Values>();
  private readonly fetched = new Map<PageDesc, Uint8Array>();
  private readonly windows = new Map<string, Values>();

  constructor(private readonly src: ByteSource, private readonly d: Descriptor, readonly cluster: ClusterDesc) {}

  /** Reads the pages of these physical columns, adjacent ones in one read. */
  async prefetch(columns: Iterable<number>): Promise<void> {
    const pages: PageDesc[] = [];
    for (const id of new Set(columns)) {
      const r = this.cluster.columns[id];
      if (r === undefined || r.suppressed || this.decoded.has(id)) continue;
      pages.push(...r.pages);
    }
    await this.fetchPages(pages);
  }

  private async fetchPages(all: PageDesc[]): Promise<void> {
    const pages = all.filter((p) => !this.fetched.has(p));
    pages.sort((a, b) => a.locator.offset - b.locator.offset);
    for (let i = 0; i < pages.length;) {
      const start = pages[i]!.locator.offset;
      let end = start + span(pages[i]!), j = i + 1;
      while (j < pages.length) {
        const p = pages[j]!;
        if (p.locator.offset < end || p.locator.offset - end > MAX_GAP || p.locator.offset + span(p) - start > MAX_RUN) break;
        end = p.locator.offset + span(p);
        j++;
      }
      const run = await this.src.readBytes(start, end - start);
      for (let k = i; k < j; k++) {
        const p = pages[k]!;
        this.fetched.set(p, run.subarray(p.locator.offset - start, p.locator.offset - start + span(p)));
      }
      i = j;
    }
  }

  /**
   * Column `k` of a field's active representation: every element of the cluster, decoded.
   * `need` (when known) is checked; a deferred column absent from the cluster reads as zeros.
   */
  async column(f: FieldDesc, k: number, need: number | null): Promise<Values> {
    const cols = activeColumns(this.d, this.cluster, f);
    const any = this.d.columns[f.columns[k] ?? -1];
    if (any === undefined) throw new RNTupleFormatError(`field ${f.path} has no column ${k}`);
    if (cols === null || cols[k] === undefined) {
      const t = columnType(any.type, any);
      if (typeof t === 'string') throw new RNTupleFormatError(`field ${f.path}: ${t}`);
      if (need === null) throw new RNTupleFormatError(`field ${f.path}: column ${any.id} has no pages in cluster ${this.cluster.id}`);
      return allocValues(t.kind, need);
    }
    const id = cols[k]!;
    const hit = this.decoded.get(id);
    if (hit !== undefined) return hit;
    const desc = this.d.columns[id]!;
    const t = columnType(desc.type, desc);
    if (typeof t === 'string') throw new RNTupleFormatError(`field ${f.path}: ${t}`);
    const range = this.cluster.columns[id]!;
    const have = elementsIn(range);
    const total = need ?? have;
    // A deferred column starts mid-way: its leading elements are zeros (no pages for them).
    const lead = total - have;
    if (lead < 0 || (lead > 0 && desc.firstElement <= range.elementOffset)) {
      throw new RNTupleFormatError(`field ${f.path}: column ${id} (${columnTypeName(desc.type)}) has ${have} elements in cluster ${this.cluster.id}, expected ${total}`);
    }
    await this.prefetch([id]);
    const out = allocValues(t.kind, total);
    let at = lead;
    for (const p of range.pages) {
      await this.decodeInto(f, t, p, out, at);
      at += p.elements;
    }
    this.decoded.set(id, out);
    return out;
  }

  /**
   * Elements [from, to) of column `k` of a field in this cluster, decoding only the pages that
   * overlap them (a chunk's entry range rarely covers whole clusters). `need`: as in column().
   */
  async range(f: FieldDesc, k: number, from: number, to: number, need: number | null): Promise<Values> {
    const cols = activeColumns(this.d, this.cluster, f);
    const id = cols?.[k];
    const whole = (): Promise<Values> => this.column(f, k, need).then((v) => v.subarray(from, to) as Values);
    if (id === undefined || this.decoded.has(id) || (from === 0 && (need === null || to >= need))) return whole();
    const desc = this.d.columns[id]!, t = columnType(desc.type, desc);
    const range = this.cluster.columns[id]!;
    if (typeof t === 'string' || (need !== null && elementsIn(range) !== need)) return whole(); // errors and deferred columns: the full path
    const key = `${id}:${from}:${to}`;
    const hit = this.windows.get(key);
    if (hit !== undefined) return hit;
    const sel: { p: PageDesc; start: number }[] = [];
    let start = 0;
    for (const p of range.pages) {
      if (start + p.elements > from && start < to) sel.push({ p, start });
      start += p.elements;
    }
    if (to > start || from > to) throw new RNTupleFormatError(`field ${f.path}: elements ${from}-${to} requested, column ${id} has ${start} in cluster ${this.cluster.id}`);
    if (sel.length === 0) return allocValues(t.kind, 0);
    await this.fetchPages(sel.map((x) => x.p));
    const first = sel[0]!.start, last = sel[sel.length - 1]!.start + sel[sel.length - 1]!.p.elements;
    const out = allocValues(t.kind, last - first);
    for (const x of sel) await this.decodeInto(f, t, x.p, out, x.start - first);
    const v = out.subarray(from - first, to - first) as Values;
    this.windows.set(key, v);
    return v;
  }

  /** Checks, decompresses and decodes one fetched page into out[at, at + elements). */
  private async decodeInto(f: FieldDesc, t: TypeInfo, p: PageDesc, out: Values, at: number): Promise<void> {
    const stored = this.fetched.get(p)!;
    const body = stored.subarray(0, p.locator.size);
    if (p.checksum) {
      const want = new DataView(stored.buffer, stored.byteOffset + p.locator.size, 8).getBigUint64(0, true);
      if (xxh3(body) !== want) throw new RNTupleFormatError(`field ${f.path}: page at byte ${p.locator.offset} of cluster ${this.cluster.id}: checksum mismatch (corrupt page)`);
    }
    const len = pageBytes(t, p.elements);
    let raw: Uint8Array;
    try {
      raw = body.length === len ? body : await decompress(body, len);
    } catch (e) {
      throw new RNTupleFormatError(`field ${f.path}: page at byte ${p.locator.offset} of cluster ${this.cluster.id}: ${(e as Error).message}`);
    }
    decodePage(t, raw, p.elements, out, at);
  }
}

function span(p: PageDesc): number {
  return p.locator.size + (p.checksum ? 8 : 0);
}
