// Merging RNTuples of the same schema (hadd of files holding an RNTuple): the compressed pages
// are copied unchanged (with their checksums), the first input's header envelope is kept, and
// a new page list (one cluster group, so that readers that take only the first group see every
// entry), footer and anchor are written. Index columns count from each cluster, so pages need no
// rewriting: only entry numbers and per-column element offsets move.
import type { RootFileReader } from '../read/file.js';
import type { RootFileWriter } from '../write/file.js';
import { RootError } from '../errors.js';
import type { ClusterDesc, ColumnRange, Descriptor, FieldDesc } from './descriptor.js';
import { RNTupleReader } from './reader.js';
import { activeColumns, elementsIn } from './pages.js';
import { footerEnvelope, pageListEnvelope } from './serialize.js';
import { ANCHOR_CLASS, serializeAnchor } from './anchor.js';
import { anchorStreamer } from './anchor-streamer.js';
import { columnTypeName } from './columns.js';
import { compressPayload } from '../write/compress.js';

const BLOB_BYTES = 32 << 20;

function fieldSig(f: FieldDesc): string {
  return JSON.stringify([f.parentId, f.role, f.flags, f.name, f.type, f.arraySize, f.sourceId, f.columns]);
}

/** Why two descriptors cannot have their pages concatenated, or null. */
function mismatch(a: Descriptor, b: Descriptor): string | null {
  for (let i = 0; i < Math.min(a.fields.length, b.fields.length); i++) {
    if (fieldSig(a.fields[i]!) !== fieldSig(b.fields[i]!)) return `field ${b.fields[i]!.path} (${b.fields[i]!.type}) differs from the first input's ${a.fields[i]!.path} (${a.fields[i]!.type})`;
  }
  if (b.fields.length > a.fields.length) return `field ${b.fields[a.fields.length]!.path} (${b.fields[a.fields.length]!.type}) is not in the first input`;
  if (a.fields.length > b.fields.length) return `field ${a.fields[b.fields.length]!.path} (${a.fields[b.fields.length]!.type}) of the first input is missing`;
  if (a.columns.length !== b.columns.length) return `${b.columns.length} columns, the first input has ${a.columns.length}`;
  for (let i = 0; i < a.columns.length; i++) {
    const x = a.columns[i]!, y = b.columns[i]!;
    if (x.type !== y.type || x.bits !== y.bits || x.fieldId !== y.fieldId || x.repr !== y.repr || x.flags !== y.flags) {
      return `column ${i} of field ${b.fields[y.fieldId]?.path ?? y.fieldId} is ${columnTypeName(y.type)}, ${columnTypeName(x.type)} in the first input (pages cannot be copied)`;
    }
  }
  return null;
}

/** Elements of every physical column over all clusters (suppressed columns count like their primary ones). */
function columnTotals(d: Descriptor): number[] {
  const tot = new Array<number>(d.columns.length).fill(0);
  for (const c of d.clusters) {
    for (const f of d.fields) {
      if (f.columns.length === 0 || (f.flags & 0x02)) continue; // projected fields alias other fields' columns
      const act = activeColumns(d, c, f);
      if (act === null) continue;
      const n = act.map((id) => elementsIn(c.columns[id]!));
      for (const id of f.columns) {
        const j = f.columns.filter((x) => d.columns[x]!.repr === d.columns[id]!.repr).indexOf(id);
        tot[id]! += n[j] ?? 0;
      }
    }
  }
  return tot;
}

/** Refuses inputs whose pages cannot be concatenated to the first's (schema extensions, partial clusters, another schema). */
function checkMergeable(readers: RNTupleReader[], path: string): void {
  const first = readers[0]!;
  for (const r of readers) {
    const d = r.descriptor;
    if (d.fields.length !== d.headerFields || d.columns.length !== d.headerColumns) throw new RootError(r.file, path, 'RNTuple with a schema extension (fields added while writing): merging it is not supported');
    for (const c of d.clusters) {
      if (c.columns.length !== d.columns.length) throw new RootError(r.file, path, `cluster ${c.id} lists ${c.columns.length} of ${d.columns.length} columns: merging it is not supported`);
    }
    const why = mismatch(first.descriptor, d);
    if (why !== null) throw new RootError(r.file, path, `cannot be merged with ${first.file}'s: ${why}`);
  }
}

/** Writes `bytes` as an uncompressed RBlob key in the top directory; where its payload is. */
function blob(w: RootFileWriter, bytes: Uint8Array): { offset: number; size: number } {
  const k = w.writeKey({ className: 'RBlob', name: '', title: '', dir: w.dir('') as never, compress: false, list: false, cycle: 1, payload: () => bytes });
  return { offset: k.seek + k.keylen, size: bytes.length };
}

/** Pages gathered into RBlob keys of about BLOB_BYTES; each page's locator is set when its blob is written. */
class PageBlobs {
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private pending: { loc: { offset: number }; at: number }[] = [];
  constructor(private readonly w: RootFileWriter) {}

  /** Adds a stored page (`bytes`: its `size` bytes and checksum, `len` in all); its locator, filled in at the flush. */
  add(bytes: Uint8Array, size: number, len: number): { offset: number; size: number } {
    const loc = { offset: 0, size };
    this.pending.push({ loc, at: this.partBytes });
    this.parts.push(bytes); this.partBytes += len;
    if (this.partBytes >= BLOB_BYTES) this.flush();
    return loc;
  }

  flush(): void {
    if (this.partBytes === 0) return;
    const all = new Uint8Array(this.partBytes);
    let p = 0;
    for (const x of this.parts) { all.set(x, p); p += x.length; }
    const k = this.w.writeKey({ className: 'RBlob', name: '', title: '', dir: this.w.dir('') as never, compress: false, list: false, cycle: 1, payload: () => all });
    for (const x of this.pending) x.loc.offset = k.seek + k.keylen + x.at;
    this.parts = []; this.partBytes = 0; this.pending = [];
  }
}

/** Copies every input's pages, in order; the merged clusters (entries and element offsets shifted) and the entry count. */
async function copyClusters(w: RootFileWriter, readers: RNTupleReader[], inputs: RootFileReader[], ncol: number): Promise<{ out: ClusterDesc[]; entries: number }> {
  const blobs = new PageBlobs(w);
  const out: ClusterDesc[] = [];
  const shift = new Array<number>(ncol).fill(0);
  let entries = 0;
  for (let i = 0; i < readers.length; i++) {
    const r = readers[i]!, d = r.descriptor, src = inputs[i]!;
    for (const c of d.clusters) {
      const cols: ColumnRange[] = [];
      for (let k = 0; k < ncol; k++) {
        const range = c.columns[k]!;
        const pages = [];
        for (const p of range.pages) {
          const len = p.locator.size + (p.checksum ? 8 : 0);
          const bytes = await src.readBytes(p.locator.offset, len);
          pages.push({ elements: p.elements, checksum: p.checksum, locator: blobs.add(bytes, p.locator.size, len) });
        }
        cols.push({ elementOffset: range.elementOffset + shift[k]!, suppressed: range.suppressed, compression: range.compression, pages });
      }
      out.push({ id: out.length, firstEntry: entries + c.firstEntry, entries: c.entries, columns: cols });
    }
    const tot = columnTotals(d);
    for (let k = 0; k < ncol; k++) shift[k]! += tot[k]!;
    entries += r.entries;
  }
  blobs.flush();
  return { out, entries };
}

/** Merges the RNTuple `name` of every input into `w` (directory `dir`); returns its entries. */
export async function mergeRNTuple(w: RootFileWriter, dir: string, name: string, path: string, inputs: RootFileReader[]): Promise<number> {
  const readers: RNTupleReader[] = [];
  for (const f of inputs) readers.push(await RNTupleReader.open(f, path));
  const first = readers[0]!;
  checkMergeable(readers, path);
  w.addStreamerInfos([anchorStreamer]);
  const ncol = first.descriptor.columns.length;
  const { out, entries } = await copyClusters(w, readers, inputs, ncol);
  // Header: the first input's envelope, as stored (page lists refer to its checksum).
  const a = first.anchor;
  const headerBytes = await inputs[0]!.readBytes(a.seekHeader, a.nbytesHeader);
  const hl = blob(w, headerBytes);
  const hc = first.descriptor.headerChecksum;
  const groups = [];
  if (out.length > 0) {
    const pl = pageListEnvelope(hc, out, ncol);
    groups.push({ minEntry: 0, entrySpan: entries, clusters: out.length, length: pl.length, locator: blob(w, compressPayload(pl, w.compression)) });
  }
  const footer = footerEnvelope(hc, groups);
  const fl = blob(w, compressPayload(footer, w.compression));
  const anchor = serializeAnchor({
    epoch: 1, major: a.major, minor: a.minor, patch: a.patch,
    seekHeader: hl.offset, nbytesHeader: hl.size, lenHeader: a.lenHeader,
    seekFooter: fl.offset, nbytesFooter: fl.size, lenFooter: footer.length, maxKeySize: 0x40000000,
  });
  w.writeKey({ className: ANCHOR_CLASS, name, title: '', dir: w.dir(dir) as never, compress: false, payload: () => anchor });
  return entries;
}
