// RNTupleWriter: an RNTuple in a file written by RootFileWriter, from the same branch specs as a
// TTree (scalars, fixed arrays, jagged arrays with an i4 counter). Columns use ROOT's default
// encodings (split + zigzag/delta when compressed); pages are compressed with the file's setting,
// carry an XXH3 checksum, and each cluster's pages go into one RBlob key. finish() (run when the
// file closes) writes the page list, footer and the ROOT::RNTuple anchor key.
import type { NumType } from '../types.js';
import type { BranchSpec, FillValue } from '../write/tree.js';
import type { RootFileWriter } from '../write/file.js';
import { compressPayload, type Compression } from '../write/compress.js';
import { ColType, columnType, encodePage, pageBytes, type Values } from './columns.js';
import { ColBuf, kindOf } from './col-buf.js';
import { Role, FIELD_REPETITIVE, type ClusterDesc, type ColumnDesc, type FieldDesc, type PageDesc } from './descriptor.js';
import { footerEnvelope, headerEnvelope, pageListEnvelope, type GroupOut } from './serialize.js';
import { ANCHOR_CLASS, serializeAnchor } from './anchor.js';
import { anchorStreamer } from './anchor-streamer.js';
import { initXxh3, xxh3 } from './xxh3.js';
import { RNTupleFormatError } from './rbuf.js';
import { assertNever } from '../../util/result.js';

export interface RNTupleSpec { name: string; description?: string; dir?: string; branches: BranchSpec[]; clusterBytes?: number; pageBytes?: number }

const cppType: Record<NumType, string> = {
  bool: 'bool', i1: 'std::int8_t', u1: 'std::uint8_t', i2: 'std::int16_t', u2: 'std::uint16_t', i4: 'std::int32_t',
  u4: 'std::uint32_t', i8: 'std::int64_t', u8: 'std::uint64_t', f4: 'float', f8: 'double',
};
const splitCol: Record<NumType, ColType> = {
  bool: ColType.Bit, i1: ColType.Int8, u1: ColType.UInt8, i2: ColType.SplitInt16, u2: ColType.SplitUInt16, i4: ColType.SplitInt32,
  u4: ColType.SplitUInt32, i8: ColType.SplitInt64, u8: ColType.SplitUInt64, f4: ColType.SplitReal32, f8: ColType.SplitReal64,
};
const plainCol: Record<NumType, ColType> = {
  bool: ColType.Bit, i1: ColType.Int8, u1: ColType.UInt8, i2: ColType.Int16, u2: ColType.UInt16, i4: ColType.Int32,
  u4: ColType.UInt32, i8: ColType.Int64, u8: ColType.UInt64, f4: ColType.Real32, f8: ColType.Real64,
};
const bitsOf = (c: ColType): number => { const t = columnType(c); return typeof t === 'string' ? 0 : t.kind === 'bit' ? 1 : t.bytes * 8; };

// Booking is synchronous (RootFileWriter.create, analyzers' beginLoop): the hash is ready at import.
await initXxh3();

const WRITER = 'heppy';
const DEFAULT_CLUSTER_BYTES = 32 << 20;
const DEFAULT_PAGE_BYTES = 1 << 20;
const MAX_BLOB = 256 << 20;

interface Slot { spec: BranchSpec; kind: 'scalar' | 'fixed' | 'jagged'; size: number; index: ColBuf | null; values: ColBuf; counter: number | null }

export class RNTupleWriter {
  private readonly fields: FieldDesc[] = [];
  private readonly columns: ColBuf[] = [];
  private readonly slots: Slot[] = [];
  private readonly byName = new Map<string, number>();
  private readonly header: Uint8Array;
  private readonly headerChecksum: bigint;
  private readonly headerLoc: { offset: number; size: number };
  private readonly clusters: ClusterDesc[] = [];
  private readonly compression: Compression;
  private readonly clusterBytes: number;
  private readonly pageBytes: number;
  private nEntries = 0;
  private clusterStart = 0;
  private done = false;

  constructor(private readonly file: RootFileWriter, readonly spec: RNTupleSpec) {
    this.compression = file.compression;
    this.clusterBytes = Math.max(4096, spec.clusterBytes ?? DEFAULT_CLUSTER_BYTES);
    this.pageBytes = Math.max(64, spec.pageBytes ?? DEFAULT_PAGE_BYTES);
    const split = this.compression.algorithm !== 'none';
    for (const b of spec.branches) {
      if (this.byName.has(b.name)) throw new RangeError(`rntuple ${spec.name}: field ${b.name} declared twice`);
      if (b.name === '' || /[./\\ \x00-\x1f]/.test(b.name)) throw new RangeError(`rntuple ${spec.name}: field name ${JSON.stringify(b.name)} is not allowed (no '.', '/', '\\', spaces or control characters)`);
      this.byName.set(b.name, this.slots.length);
      this.slots.push(this.slot(b, split));
    }
    for (const s of this.slots) {
      if (s.kind !== 'jagged') continue;
      const cname = (s.spec.shape as { counter: string }).counter;
      const ci = this.byName.get(cname);
      if (ci === undefined) throw new RangeError(`rntuple ${spec.name}: field ${s.spec.name} names counter ${cname}, which is not a field`);
      const c = this.slots[ci]!;
      if (c.spec.type !== 'i4' || c.kind !== 'scalar') throw new RangeError(`rntuple ${spec.name}: counter ${cname} must be an i4 scalar field`);
      s.counter = ci;
    }
    const descs = this.columns.map((c) => c.desc);
    this.header = headerEnvelope(spec.name, spec.description ?? '', WRITER, this.fields, descs);
    this.headerChecksum = new DataView(this.header.buffer, this.header.byteOffset).getBigUint64(this.header.length - 8, true);
    this.headerLoc = this.writeEnvelope(this.header);
    file.addStreamerInfos([anchorStreamer]);
    file.onClose(() => this.finish());
  }

  private field(parentId: number | null, name: string, type: string, role: Role, flags = 0, arraySize = 0): FieldDesc {
    const id = this.fields.length;
    const f: FieldDesc = { id, fieldVersion: 0, typeVersion: 0, parentId: parentId ?? id, role, flags, name, type, alias: '', description: '', arraySize, sourceId: -1, typeChecksum: 0, children: [], columns: [], path: '' };
    this.fields.push(f);
    return f;
  }

  private column(f: FieldDesc, type: ColType, field: string): ColBuf {
    const desc: ColumnDesc = { id: this.columns.length, type, bits: bitsOf(type), fieldId: f.id, flags: 0, repr: 0, firstElement: 0, min: 0, max: 0 };
    f.columns.push(desc.id);
    const c = new ColBuf(desc, kindOf(type), `rntuple ${this.spec.name}: field ${field}`);
    this.columns.push(c);
    return c;
  }

  private slot(b: BranchSpec, split: boolean): Slot {
    const shape = b.shape ?? 'scalar';
    const col = split ? splitCol[b.type] : plainCol[b.type];
    if (shape === 'scalar') {
      const f = this.field(null, b.name, cppType[b.type], Role.Leaf);
      return { spec: b, kind: 'scalar', size: 1, index: null, values: this.column(f, col, b.name), counter: null };
    }
    if ('fixed' in shape) {
      if (!Number.isInteger(shape.fixed) || shape.fixed < 1) throw new RangeError(`rntuple ${this.spec.name}: field ${b.name}: fixed size must be a positive integer`);
      const f = this.field(null, b.name, `std::array<${cppType[b.type]},${shape.fixed}>`, Role.Leaf, FIELD_REPETITIVE, shape.fixed);
      const item = this.field(f.id, '_0', cppType[b.type], Role.Leaf);
      return { spec: b, kind: 'fixed', size: shape.fixed, index: null, values: this.column(item, col, b.name), counter: null };
    }
    // A jagged branch: std::vector<T> (on disk the same as ROOT's RVec<T>, which jsroot 7.11 reads as
    // offsets), an index column of offsets and the values in its `_0` sub-field.
    const f = this.field(null, b.name, `std::vector<${cppType[b.type]}>`, Role.Collection);
    const index = this.column(f, split ? ColType.SplitIndex64 : ColType.Index64, b.name);
    const item = this.field(f.id, '_0', cppType[b.type], Role.Leaf);
    return { spec: b, kind: 'jagged', size: 0, index, values: this.column(item, col, b.name), counter: null };
  }

  get entries(): number { return this.nEntries; }

  /**
   * Appends one entry to every field, or to none (as TreeWriter.fill): a row with a bad value (a
   * missing field, a string for a number, an array that disagrees with its counter or its size, a
   * non-integer for an i8/u8) throws a RangeError naming the field and leaves the RNTuple as it was.
   */
  fill(row: Record<string, FillValue>): void {
    if (this.done) throw new Error(`rntuple ${this.spec.name}: fill after the file was closed`);
    this.check(row);
    try {
      this.append(row);
    } catch (e) {
      this.takeBack();
      throw e;
    }
    this.nEntries++;
    if ((this.nEntries & 255) !== 0) return; // the cluster's size is looked at every 256 entries
    let bytes = 0;
    for (const c of this.columns) bytes += c.bytes;
    if (bytes >= this.clusterBytes) this.flushCluster();
  }

  /** What can be seen of a row without appending it: a missing value, the wrong shape, a disagreeing counter. */
  private check(row: Record<string, FillValue>): void {
    const name = this.spec.name;
    for (const s of this.slots) {
      const v = row[s.spec.name];
      if (s.kind === 'jagged') {
        if (v === undefined || typeof v !== 'object') throw new RangeError(`rntuple ${name}: field ${s.spec.name} needs an array`);
        const c = this.slots[s.counter!]!;
        const cv = row[c.spec.name] ?? this.counted(c, row);
        if (cv !== null && Number(cv) !== v.length) throw new RangeError(`rntuple ${name}: field ${s.spec.name} has ${v.length} values but its counter says ${Number(cv)}`);
      } else if (s.kind === 'fixed') {
        if (v === undefined || typeof v !== 'object' || v.length !== s.size) throw new RangeError(`rntuple ${name}: field ${s.spec.name} needs ${s.size} values`);
      } else if (v === undefined) {
        if (this.counted(s, row) === null) throw new RangeError(`rntuple ${name}: no value for field ${s.spec.name}`);
      } else if (typeof v === 'object') throw new RangeError(`rntuple ${name}: field ${s.spec.name} is a scalar`);
      else if (typeof v === 'string') throw new RangeError(`rntuple ${name}: field ${s.spec.name} is numeric, got a string`);
    }
  }

  /** The checked row into the columns; a value a column cannot hold (1.5 for an i8) throws part way (takeBack undoes it). */
  private append(row: Record<string, FillValue>): void {
    for (const s of this.slots) {
      const v = row[s.spec.name];
      if (s.kind === 'scalar') { s.values.push((v ?? this.counted(s, row)!) as number | bigint | boolean); continue; }
      s.values.pushAll(v as ArrayLike<number | bigint>);
      if (s.index !== null) s.index.push(s.values.n);
    }
  }

  /**
   * Puts every column back where it stood before the row being appended, from the entries the open
   * cluster holds: a scalar column has one element per entry, a fixed array `size`, and a jagged
   * field's values end at its index column's last offset (offsets count from the cluster's start).
   */
  private takeBack(): void {
    const pending = this.nEntries - this.clusterStart;
    for (const s of this.slots) {
      switch (s.kind) {
        case 'scalar': s.values.n = pending; break;
        case 'fixed': s.values.n = pending * s.size; break;
        case 'jagged':
          s.index!.n = pending;
          s.values.n = pending === 0 ? 0 : Number(s.index!.values[pending - 1]);
          break;
        default: assertNever(s.kind, 'field kind');
      }
    }
  }

  /** A counter left out of the row: the length of the first array it counts. */
  private counted(s: Slot, row: Record<string, FillValue>): number | null {
    const i = this.slots.indexOf(s);
    const user = this.slots.find((x) => x.counter === i);
    const v = user ? row[user.spec.name] : undefined;
    return v !== undefined && typeof v === 'object' ? v.length : null;
  }

  private writeEnvelope(bytes: Uint8Array): { offset: number; size: number } {
    const stored = compressPayload(bytes, this.compression);
    const k = this.file.writeKey({ className: 'RBlob', name: '', title: '', dir: this.file.dir('') as never, compress: false, list: false, cycle: 1, payload: () => stored });
    return { offset: k.seek + k.keylen, size: stored.length };
  }

  /** Writes the open cluster: every column's pages (compressed, checksummed) in RBlob keys. */
  flushCluster(): void {
    if (this.nEntries === this.clusterStart) return;
    const cluster: ClusterDesc = { id: this.clusters.length, firstEntry: this.clusterStart, entries: this.nEntries - this.clusterStart, columns: [] };
    const setting = this.file.compressionSetting;
    let blob: Uint8Array[] = [], blobBytes = 0;
    let pending: { page: PageDesc; at: number }[] = [];
    const flushBlob = (): void => {
      if (blobBytes === 0) return;
      const all = new Uint8Array(blobBytes);
      let p = 0;
      for (const b of blob) { all.set(b, p); p += b.length; }
      const k = this.file.writeKey({ className: 'RBlob', name: '', title: '', dir: this.file.dir('') as never, compress: false, list: false, cycle: 1, payload: () => all });
      for (const x of pending) x.page.locator.offset = k.seek + k.keylen + x.at;
      blob = []; blobBytes = 0; pending = [];
    };
    for (const c of this.columns) {
      const t = columnType(c.desc.type);
      if (typeof t === 'string') throw new RNTupleFormatError(t);
      const per = Math.max(8, Math.floor((this.pageBytes * 8) / Math.max(1, t.kind === 'bit' ? 1 : t.bytes * 8)) & ~7);
      const pages: PageDesc[] = [];
      for (let s = 0; s < c.n; s += per) {
        const n = Math.min(per, c.n - s);
        const raw = encodePage(t, c.values.subarray(s, s + n) as Values, n);
        if (raw.length !== pageBytes(t, n)) throw new RNTupleFormatError(`page encoding of ${n} elements gave ${raw.length} bytes`);
        const stored = compressPayload(raw, this.compression);
        const sum = new Uint8Array(8);
        new DataView(sum.buffer).setBigUint64(0, xxh3(stored), true);
        const page: PageDesc = { elements: n, checksum: true, locator: { offset: 0, size: stored.length } };
        pending.push({ page, at: blobBytes });
        blob.push(stored, sum);
        blobBytes += stored.length + 8;
        pages.push(page);
        if (blobBytes >= MAX_BLOB) flushBlob();
      }
      cluster.columns.push({ elementOffset: c.before, suppressed: false, compression: setting, pages });
      c.before += c.n;
      c.n = 0;
    }
    flushBlob();
    this.clusters.push(cluster);
    this.clusterStart = this.nEntries;
  }

  /** Last cluster, page list, footer, anchor key (RootFileWriter.close runs it). */
  finish(): void {
    if (this.done) return;
    this.flushCluster();
    this.done = true;
    const groups: GroupOut[] = [];
    if (this.clusters.length > 0) {
      const pl = pageListEnvelope(this.headerChecksum, this.clusters, this.columns.length);
      groups.push({ minEntry: 0, entrySpan: this.nEntries, clusters: this.clusters.length, length: pl.length, locator: this.writeEnvelope(pl) });
    }
    const footer = footerEnvelope(this.headerChecksum, groups);
    const fl = this.writeEnvelope(footer);
    const anchor = serializeAnchor({
      epoch: 1, major: 0, minor: 0, patch: 0,
      seekHeader: this.headerLoc.offset, nbytesHeader: this.headerLoc.size, lenHeader: this.header.length,
      seekFooter: fl.offset, nbytesFooter: fl.size, lenFooter: footer.length, maxKeySize: 0x40000000,
    });
    this.file.writeKey({ className: ANCHOR_CLASS, name: this.spec.name, title: '', dir: this.file.dir(this.spec.dir ?? '') as never, compress: false, payload: () => anchor });
  }
}
