// Little-endian writer of RNTuple envelopes (the inverse of rbuf.ts / descriptor.ts): frames,
// strings, locators, and the header, footer and page-list envelopes heppy writes.
import { Envelope, FIELD_REPETITIVE, type ClusterDesc, type ColumnDesc, type FieldDesc } from './descriptor.js';
import type { Locator } from './rbuf.js';
import { xxh3 } from './xxh3.js';

export class LBuf {
  private buf = new Uint8Array(4096);
  private dv = new DataView(this.buf.buffer);
  pos = 0;

  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const b = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
      b.set(this.buf.subarray(0, this.pos));
      this.buf = b; this.dv = new DataView(b.buffer);
    }
    const p = this.pos; this.pos += n; return p;
  }
  // room() may replace the buffer: the position is taken before the view is used.
  u16(v: number): void { const p = this.room(2); this.dv.setUint16(p, v, true); }
  u32(v: number): void { const p = this.room(4); this.dv.setUint32(p, v, true); }
  i32(v: number): void { const p = this.room(4); this.dv.setInt32(p, v, true); }
  u64(v: number | bigint): void { const p = this.room(8); this.dv.setBigUint64(p, BigInt(v), true); }
  i64(v: number | bigint): void { const p = this.room(8); this.dv.setBigInt64(p, BigInt(v), true); }
  f64(v: number): void { const p = this.room(8); this.dv.setFloat64(p, v, true); }
  raw(b: Uint8Array): void { const p = this.room(b.length); this.buf.set(b, p); }
  string(s: string): void { const b = Buffer.from(s, 'utf8'); this.u32(b.length); this.raw(b); }
  setI64(at: number, v: number): void { this.dv.setBigInt64(at, BigInt(v), true); }
  bytes(): Uint8Array { return this.buf.subarray(0, this.pos); }

  /** Opens a record (items = null) or list frame; close it with end(). */
  frame(items: number | null): number {
    const at = this.pos;
    this.i64(0);
    if (items !== null) this.u32(items);
    return items === null ? at : -at - 1;
  }
  end(token: number): void {
    const list = token < 0, at = list ? -token - 1 : token;
    const size = this.pos - at;
    this.setI64(at, list ? -size : size);
  }
  locator(l: Locator): void {
    if (l.size > 0x7fffffff) throw new RangeError(`page or envelope of ${l.size} bytes is too large for a locator`);
    this.i32(l.size); this.u64(l.offset);
  }
}

/** Wraps a payload into an envelope: type + length preamble, payload, XXH3 of both. */
export function envelope(type: Envelope, payload: (b: LBuf) => void): Uint8Array {
  const b = new LBuf();
  b.u64(0);
  payload(b);
  const len = b.pos + 8;
  const head = (BigInt(len) << 16n) | BigInt(type);
  new DataView(b.bytes().buffer, b.bytes().byteOffset).setBigUint64(0, head, true);
  b.u64(xxh3(b.bytes()));
  return b.bytes().slice();
}

function schema(b: LBuf, fields: FieldDesc[], columns: ColumnDesc[]): void {
  const fl = b.frame(fields.length);
  for (const f of fields) {
    const r = b.frame(null);
    b.u32(f.fieldVersion); b.u32(f.typeVersion); b.u32(f.parentId); b.u16(f.role); b.u16(f.flags);
    b.string(f.name); b.string(f.type); b.string(f.alias); b.string(f.description);
    if (f.flags & FIELD_REPETITIVE) b.u64(f.arraySize);
    b.end(r);
  }
  b.end(fl);
  const cl = b.frame(columns.length);
  for (const c of columns) {
    const r = b.frame(null);
    b.u16(c.type); b.u16(c.bits); b.u32(c.fieldId); b.u16(0); b.u16(c.repr);
    b.end(r);
  }
  b.end(cl);
  b.end(b.frame(0)); // alias columns
  b.end(b.frame(0)); // extra type information
}

export function headerEnvelope(name: string, description: string, writer: string, fields: FieldDesc[], columns: ColumnDesc[]): Uint8Array {
  return envelope(Envelope.Header, (b) => {
    b.u64(0); // feature flags
    b.string(name); b.string(description); b.string(writer);
    schema(b, fields, columns);
  });
}

export interface GroupOut { minEntry: number; entrySpan: number; clusters: number; length: number; locator: Locator }

export function footerEnvelope(headerChecksum: bigint, groups: GroupOut[]): Uint8Array {
  return envelope(Envelope.Footer, (b) => {
    b.u64(0);
    b.u64(headerChecksum);
    const ext = b.frame(null);
    schema(b, [], []);
    b.end(ext);
    const gl = b.frame(groups.length);
    for (const g of groups) {
      const r = b.frame(null);
      b.u64(g.minEntry); b.u64(g.entrySpan); b.u32(g.clusters);
      b.u64(g.length); b.locator(g.locator);
      b.end(r);
    }
    b.end(gl);
  });
}

/** The page list of a cluster group; every cluster lists every column (none suppressed). */
export function pageListEnvelope(headerChecksum: bigint, clusters: ClusterDesc[], ncolumns: number): Uint8Array {
  return envelope(Envelope.PageList, (b) => {
    b.u64(headerChecksum);
    const sl = b.frame(clusters.length);
    for (const c of clusters) {
      const r = b.frame(null);
      b.u64(c.firstEntry); b.u64(c.entries); // flags (top 8 bits) 0
      b.end(r);
    }
    b.end(sl);
    const top = b.frame(clusters.length);
    for (const c of clusters) {
      const outer = b.frame(ncolumns);
      for (let k = 0; k < ncolumns; k++) {
        const range = c.columns[k]!;
        const inner = b.frame(range.pages.length);
        for (const p of range.pages) { b.i32(p.checksum ? -p.elements : p.elements); b.locator(p.locator); }
        if (range.suppressed) {
          b.i64(-(2n ** 63n)); // a suppressed column: no pages, no compression setting
        } else {
          b.i64(range.elementOffset);
          b.u32(range.compression);
        }
        b.end(inner);
      }
      b.end(outer);
    }
    b.end(top);
  });
}
