// The RNTuple descriptor: fields, columns, clusters and their pages, deserialised from the
// header, footer and page-list envelopes (BinaryFormatSpecification.md, "Envelopes").
import { RBuf, RNTupleFormatError, type EnvelopeLink, type Locator } from './rbuf.js';
import { xxh3 } from './xxh3.js';

export const enum Role { Leaf = 0, Collection = 1, Record = 2, Variant = 3, Streamer = 4 }
export const FIELD_REPETITIVE = 0x01, FIELD_PROJECTED = 0x02, FIELD_CHECKSUM = 0x04;
export const COLUMN_DEFERRED = 0x01, COLUMN_RANGE = 0x02;

export interface FieldDesc {
  id: number;
  fieldVersion: number; typeVersion: number;
  parentId: number; role: number; flags: number;
  name: string; type: string; alias: string; description: string;
  arraySize: number; sourceId: number; typeChecksum: number;
  /** Sub-fields, by id. */
  children: number[];
  /** Physical column ids attached (an alias column gives its physical column), in serialization order. */
  columns: number[];
  /** Dotted path from the top-level field ('_collection0._0.Muon_pt'). */
  path: string;
}

export interface ColumnDesc {
  id: number; type: number; bits: number; fieldId: number; flags: number; repr: number;
  firstElement: number; min: number; max: number;
}

export interface PageDesc { elements: number; checksum: boolean; locator: Locator }
export interface ColumnRange { elementOffset: number; suppressed: boolean; compression: number; pages: PageDesc[] }
export interface ClusterDesc { id: number; firstEntry: number; entries: number; columns: (ColumnRange | undefined)[] }
export interface ClusterGroup { minEntry: number; entrySpan: number; clusters: number; pageList: EnvelopeLink }

export interface Descriptor {
  name: string; description: string; writer: string;
  fields: FieldDesc[];
  columns: ColumnDesc[];
  headerChecksum: bigint;
  /** Fields and columns described by the header itself (more come from the footer's schema extension). */
  headerFields: number; headerColumns: number;
  groups: ClusterGroup[];
  clusters: ClusterDesc[];
}

export const enum Envelope { Header = 1, Footer = 2, PageList = 3 }

/** Checks an envelope's type, length and trailing XXH3; returns a reader positioned after the preamble. */
export function openEnvelope(bytes: Uint8Array, type: Envelope, what: string): { r: RBuf; checksum: bigint } {
  if (bytes.length < 16) throw new RNTupleFormatError(`${what}: envelope of ${bytes.length} bytes`);
  const r = new RBuf(bytes.subarray(0, bytes.length - 8), what);
  const pre = r.u64big();
  const t = Number(pre & 0xffffn), len = Number(pre >> 16n);
  if (t !== type) throw new RNTupleFormatError(`${what}: envelope type ${t}, expected ${type}`);
  if (len !== bytes.length) throw new RNTupleFormatError(`${what}: envelope says ${len} bytes, has ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const want = dv.getBigUint64(bytes.length - 8, true);
  const have = xxh3(bytes.subarray(0, bytes.length - 8));
  if (want !== have) throw new RNTupleFormatError(`${what}: checksum mismatch (corrupt envelope)`);
  return { r, checksum: want };
}

function checkFlags(r: RBuf, what: string): void {
  const words = r.featureFlags();
  if (words.some((w) => w !== 0n)) throw new RNTupleFormatError(`${what}: uses format features this reader does not know (feature flags ${words.map((w) => w.toString(16)).join(',')})`);
}

function readField(r: RBuf, id: number): FieldDesc {
  const f = r.frame(false);
  const fieldVersion = r.u32(), typeVersion = r.u32(), parentId = r.u32(), role = r.u16(), flags = r.u16();
  const name = r.string(), type = r.string(), alias = r.string(), description = r.string();
  const arraySize = flags & FIELD_REPETITIVE ? r.u64() : 0;
  const sourceId = flags & FIELD_PROJECTED ? r.u32() : -1;
  const typeChecksum = flags & FIELD_CHECKSUM ? r.u32() : 0;
  r.close(f);
  return { id, fieldVersion, typeVersion, parentId, role, flags, name, type, alias, description, arraySize, sourceId, typeChecksum, children: [], columns: [], path: '' };
}

function readColumn(r: RBuf, id: number): ColumnDesc {
  const f = r.frame(false);
  const type = r.u16(), bits = r.u16(), fieldId = r.u32(), flags = r.u16(), repr = r.u16();
  const firstElement = flags & COLUMN_DEFERRED ? r.i64() : 0;
  let min = 0, max = 0;
  if (flags & COLUMN_RANGE) { min = r.f64(); max = r.f64(); }
  r.close(f);
  return { id, type, bits, fieldId, flags, repr, firstElement, min, max };
}

/** The four list frames of a schema description (header, or the footer's schema extension). */
function readSchema(r: RBuf, d: Descriptor): void {
  const fl = r.frame(true);
  for (let i = 0; i < fl.items; i++) d.fields.push(readField(r, d.fields.length));
  r.close(fl);
  const cl = r.frame(true);
  for (let i = 0; i < cl.items; i++) {
    const c = readColumn(r, d.columns.length);
    d.columns.push(c);
    fieldAt(d, c.fieldId, 'column').columns.push(c.id);
  }
  r.close(cl);
  const al = r.frame(true);
  for (let i = 0; i < al.items; i++) {
    const f = r.frame(false);
    const physical = r.u32(), fieldId = r.u32();
    r.close(f);
    if (physical >= d.columns.length) throw new RNTupleFormatError(`${r.what}: alias column refers to column ${physical} of ${d.columns.length}`);
    fieldAt(d, fieldId, 'alias column').columns.push(physical);
  }
  r.close(al);
  const tl = r.frame(true); // extra type information (streamer infos): not needed to read values
  r.close(tl);
}

function fieldAt(d: Descriptor, id: number, what: string): FieldDesc {
  const f = d.fields[id];
  if (f === undefined) throw new RNTupleFormatError(`${what} refers to field ${id}, there are ${d.fields.length}`);
  return f;
}

export function readHeader(bytes: Uint8Array): Descriptor {
  const { r, checksum } = openEnvelope(bytes, Envelope.Header, 'header');
  checkFlags(r, 'header');
  const d: Descriptor = { name: r.string(), description: r.string(), writer: r.string(), fields: [], columns: [], headerChecksum: checksum, headerFields: 0, headerColumns: 0, groups: [], clusters: [] };
  readSchema(r, d);
  d.headerFields = d.fields.length;
  d.headerColumns = d.columns.length;
  return d;
}

export function readFooter(bytes: Uint8Array, d: Descriptor): void {
  const { r } = openEnvelope(bytes, Envelope.Footer, 'footer');
  checkFlags(r, 'footer');
  if (r.u64big() !== d.headerChecksum) throw new RNTupleFormatError('footer belongs to another header (checksum mismatch)');
  const ext = r.frame(false);
  if (r.pos < ext.end) readSchema(r, d);
  r.close(ext);
  const gl = r.frame(true);
  for (let i = 0; i < gl.items; i++) {
    const f = r.frame(false);
    const minEntry = r.u64(), entrySpan = r.u64(), clusters = r.u32();
    const pageList = r.envelopeLink();
    r.close(f);
    d.groups.push({ minEntry, entrySpan, clusters, pageList });
  }
  r.close(gl);
  linkFields(d);
}

/** Reads one cluster group's page list; its clusters are appended to d.clusters. */
export function readPageList(bytes: Uint8Array, d: Descriptor, group: number): void {
  const what = `page list ${group}`;
  const { r } = openEnvelope(bytes, Envelope.PageList, what);
  if (r.u64big() !== d.headerChecksum) throw new RNTupleFormatError(`${what} belongs to another header (checksum mismatch)`);
  const sl = r.frame(true);
  const first = d.clusters.length;
  for (let i = 0; i < sl.items; i++) {
    const f = r.frame(false);
    const firstEntry = r.u64();
    const w = r.u64big();
    r.close(f);
    const flags = Number(w >> 56n);
    if (flags & 0x01) throw new RNTupleFormatError(`${what}: sharded clusters are not supported`);
    d.clusters.push({ id: first + i, firstEntry, entries: Number(w & 0xffffffffffffffn), columns: [] });
  }
  r.close(sl);
  const top = r.frame(true);
  if (top.items !== sl.items) throw new RNTupleFormatError(`${what}: ${sl.items} cluster summaries but page locations for ${top.items}`);
  for (let c = 0; c < top.items; c++) {
    const cluster = d.clusters[first + c]!;
    const outer = r.frame(true);
    for (let k = 0; k < outer.items; k++) cluster.columns.push(readColumnRange(r));
    r.close(outer);
  }
  r.close(top);
}

function readColumnRange(r: RBuf): ColumnRange {
  const inner = r.frame(true);
  const pages: PageDesc[] = [];
  for (let p = 0; p < inner.items; p++) {
    const n = r.i32();
    pages.push({ elements: Math.abs(n), checksum: n < 0, locator: r.locator() });
  }
  const off = r.i64big();
  const suppressed = off < 0n;
  const compression = suppressed ? 0 : r.u32();
  r.close(inner);
  return { elementOffset: suppressed ? Number(-off) : Number(off), suppressed, compression, pages };
}

/** Fills children and paths; checks that the field tree is a tree. */
function linkFields(d: Descriptor): void {
  for (const f of d.fields) {
    f.children = [];
    if (f.parentId !== f.id) fieldAt(d, f.parentId, `field ${f.name}`).children.push(f.id);
  }
  const visit = (f: FieldDesc, prefix: string, depth: number): void => {
    if (depth > 64) throw new RNTupleFormatError('fields nested more than 64 deep');
    f.path = prefix + f.name;
    for (const c of f.children) visit(d.fields[c]!, f.path + '.', depth + 1);
  };
  for (const f of d.fields) if (f.parentId === f.id) visit(f, '', 0);
  for (const f of d.fields) if (f.path === '') throw new RNTupleFormatError(`field ${f.id} (${f.name}) is not reachable from a top-level field`);
}
