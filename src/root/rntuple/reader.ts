// RNTupleReader: an RNTuple of a ROOT file read into the same column batches as a TTree
// (TreeReader.batches), cluster by cluster, so that the looper runs over either unchanged.
import type { BranchInfo, Column, NumArray, NumType } from '../types.js';
import type { Batch } from '../read/tree.js';
import type { RootFileReader } from '../read/file.js';
import { allocArray, concatOffsets } from '../read/decode.js';
import { decompress, initDecompression } from '../read/decompress.js';
import { RootError } from '../errors.js';
import { parseAnchor, type Anchor } from './anchor.js';
import { readFooter, readHeader, readPageList, type ClusterDesc, type Descriptor, type FieldDesc } from './descriptor.js';
import { ClusterColumns, type ByteSource } from './pages.js';
import { planFields, type Plan } from './schema.js';
import type { Values } from './columns.js';
import { RNTupleFormatError, type EnvelopeLink } from './rbuf.js';
import { initXxh3 } from './xxh3.js';

export const RNTUPLE_CLASS = 'ROOT::RNTuple';

export class RNTupleReader {
  readonly branches: BranchInfo[];
  readonly entries: number;
  private readonly plans = new Map<string, Plan>();

  private constructor(
    readonly file: string,
    readonly path: string,
    private readonly src: ByteSource,
    readonly anchor: Anchor,
    readonly descriptor: Descriptor,
  ) {
    const all = planFields(descriptor);
    for (const p of all) if (!this.plans.has(p.info.name)) this.plans.set(p.info.name, p);
    this.branches = [...this.plans.values()].map((p) => p.info);
    this.entries = descriptor.clusters.reduce((n, c) => n + c.entries, 0);
  }

  /** Opens the RNTuple whose anchor is key `path` of `f` (throws RootError naming file and key). */
  static async open(f: RootFileReader, path: string): Promise<RNTupleReader> {
    await initXxh3();
    await initDecompression();
    const { key, bytes } = await f.keyObject(path);
    if (key.className !== RNTUPLE_CLASS) throw new RootError(f.path, key.path, `is a ${key.className}, not an RNTuple`);
    try {
      const anchor = parseAnchor(bytes);
      const env = (seek: number, nbytes: number, len: number): Promise<Uint8Array> => envelope(f, { length: len, locator: { offset: seek, size: nbytes } });
      const d = readHeader(await env(anchor.seekHeader, anchor.nbytesHeader, anchor.lenHeader));
      readFooter(await env(anchor.seekFooter, anchor.nbytesFooter, anchor.lenFooter), d);
      // Every cluster group's page list (readers that take only the first see a part of the data).
      for (let g = 0; g < d.groups.length; g++) {
        const before = d.clusters.length;
        readPageList(await envelope(f, d.groups[g]!.pageList), d, g);
        if (d.clusters.length - before !== d.groups[g]!.clusters) throw new RNTupleFormatError(`cluster group ${g} announces ${d.groups[g]!.clusters} clusters, its page list has ${d.clusters.length - before}`);
      }
      checkClusters(d);
      return new RNTupleReader(f.path, key.path, f, anchor, d);
    } catch (e) {
      if (e instanceof RootError) throw e;
      throw new RootError(f.path, key.path, (e as Error).message);
    }
  }

  err(object: string, reason: string): RootError {
    return new RootError(this.file, `${this.path}${object ? `/${object}` : ''}`, reason);
  }

  plan(name: string): Plan {
    const p = this.plans.get(name);
    if (p === undefined) throw this.err(name, `no field named ${JSON.stringify(name)} (fields: ${[...this.plans.keys()].slice(0, 20).join(', ')}${this.plans.size > 20 ? ', …' : ''})`);
    return p;
  }

  /** A cluster's columns, for summaries that read physical columns directly. */
  clusterColumns(c: ClusterDesc): ClusterColumns {
    return new ClusterColumns(this.src, this.descriptor, c);
  }

  async *batches(names: string[], start = 0, stop = this.entries): AsyncIterable<Batch> {
    if (!(start >= 0) || !(stop <= this.entries) || !(start <= stop) || !Number.isInteger(start) || !Number.isInteger(stop)) {
      throw this.err('', `entry range [${start}, ${stop}) is outside [0, ${this.entries})`);
    }
    const plans = names.map((n) => this.plan(n));
    for (const p of plans) {
      if (p.kind === 'unsupported') throw this.err(p.info.name, `unsupported field type: ${p.why}`);
    }
    for (const c of this.descriptor.clusters) {
      const lo = Math.max(start, c.firstEntry), hi = Math.min(stop, c.firstEntry + c.entries);
      if (lo >= hi) continue;
      const cc = this.clusterColumns(c);
      try {
        // The whole cluster: its pages in as few reads as possible; a part of it: page by page.
        if (lo === c.firstEntry && hi === c.firstEntry + c.entries) await cc.prefetch(plans.flatMap((p) => physicalColumns(c, p)));
        const columns: Record<string, Column> = {};
        for (const p of plans) columns[p.info.name] = await readPlan(cc, p, lo - c.firstEntry, hi - c.firstEntry);
        yield { start: lo, stop: hi, columns };
      } catch (e) {
        if (e instanceof RNTupleFormatError) throw this.err('', `cluster ${c.id} (entries ${c.firstEntry}-${c.firstEntry + c.entries}): ${e.message}`);
        if (e instanceof RootError) throw e;
        if (e instanceof Error) throw this.err('', `cluster ${c.id}: ${e.message}`);
        throw e;
      }
    }
  }

  async column(name: string, start = 0, stop = this.entries): Promise<Column> {
    const parts: Column[] = [];
    for await (const b of this.batches([name], start, stop)) parts.push(b.columns[name]!);
    return concat(this.plan(name), parts);
  }
}

async function envelope(f: RootFileReader, link: EnvelopeLink): Promise<Uint8Array> {
  const { offset, size } = link.locator;
  const stored = await f.readBytes(offset, size);
  return size === link.length ? stored : decompress(stored, link.length);
}

function checkClusters(d: Descriptor): void {
  d.clusters.sort((a, b) => a.firstEntry - b.firstEntry);
  let at = 0;
  for (const c of d.clusters) {
    if (c.firstEntry !== at) throw new RNTupleFormatError(`cluster ${c.id} starts at entry ${c.firstEntry}, expected ${at}`);
    at += c.entries;
  }
}

function physicalColumns(c: ClusterDesc, p: Plan): number[] {
  const out: number[] = [];
  const add = (f: { columns: number[] } | null): void => { if (f !== null) out.push(...f.columns.filter((id) => c.columns[id] !== undefined && !c.columns[id]!.suppressed)); };
  if (p.kind === 'leaf') { add(p.field); add(p.collection); } else if (p.kind === 'sizes') add(p.collection); else if (p.kind === 'string') add(p.field);
  return out;
}

/** Entries [lo, hi) (cluster-relative) of one plan: only the pages overlapping them are decoded. */
async function readPlan(cc: ClusterColumns, p: Plan, lo: number, hi: number): Promise<Column> {
  const n = cc.cluster.entries;
  // Index columns hold each entry's end offset: entry lo starts where entry lo - 1 ends.
  const ends = async (f: FieldDesc): Promise<{ v0: number; idx: Float64Array }> => {
    const a = lo === 0 ? 0 : lo - 1;
    const idx = await cc.range(f, 0, a, hi, n) as Float64Array;
    return lo === 0 ? { v0: 0, idx } : { v0: idx[0]!, idx: idx.subarray(1) };
  };
  if (p.kind === 'sizes') {
    const { v0, idx } = await ends(p.collection);
    const type = p.info.type!;
    const out = allocArray(type, hi - lo);
    let prev = v0;
    for (let i = 0; i < idx.length; i++) {
      const s = idx[i]! - prev;
      prev = idx[i]!;
      if (type === 'u8') (out as BigUint64Array)[i] = BigInt(s); else (out as Uint32Array)[i] = s;
    }
    return { kind: 'flat', type, values: out };
  }
  if (p.kind === 'string') {
    // Column 0: each entry's end offset in the characters of column 1 (UTF-8 bytes).
    const { v0, idx } = await ends(p.field);
    const v1 = idx.length === 0 ? v0 : idx[idx.length - 1]!;
    const chars = await cc.range(p.field, 1, v0, v1, lo === 0 && hi === n ? v1 : null);
    const bytes = Buffer.from(chars.buffer, chars.byteOffset, chars.byteLength);
    const values: string[] = new Array(idx.length);
    let prev = v0;
    for (let i = 0; i < idx.length; i++) {
      if (!(idx[i]! >= prev) || idx[i]! > v1) throw new RNTupleFormatError(`${p.info.name}: string offsets decrease or overflow at entry ${lo + i} of the cluster`);
      values[i] = bytes.toString('utf8', prev - v0, idx[i]! - v0);
      prev = idx[i]!;
    }
    return { kind: 'string', values };
  }
  if (p.kind !== 'leaf') throw new RNTupleFormatError(`${p.info.name} is not a numeric field`);
  const type = p.info.type!;
  if (p.collection === null) {
    const values = convert(await cc.range(p.field, 0, lo * p.repeat, hi * p.repeat, n * p.repeat), type);
    return p.info.shape === 'fixed' ? { kind: 'fixed', type, size: p.repeat, values } : { kind: 'flat', type, values };
  }
  const { v0, idx } = await ends(p.collection);
  const v1 = idx.length === 0 ? v0 : idx[idx.length - 1]!;
  const offsets = new Int32Array(hi - lo + 1);
  for (let i = 0; i < idx.length; i++) {
    const o = idx[i]! - v0;
    if (!(o >= offsets[i]!) || o > 0x7fffffff) throw new RNTupleFormatError(`${p.info.name}: collection offsets decrease or overflow at entry ${lo + i} of the cluster`);
    offsets[i + 1] = o;
  }
  // Read whole, the values column must have as many elements as the cluster's last offset.
  const values = convert(await cc.range(p.field, 0, v0, v1, lo === 0 && hi === n ? v1 : null), type);
  return { kind: 'jagged', type, values, offsets };
}

const natural: Record<string, NumType> = {
  Int8Array: 'i1', Uint8Array: 'u1', Int16Array: 'i2', Uint16Array: 'u2', Int32Array: 'i4', Uint32Array: 'u4',
  BigInt64Array: 'i8', BigUint64Array: 'u8', Float32Array: 'f4', Float64Array: 'f8',
};

/** Decoded column values as the field's in-memory type (a Real32 column of a double field is widened, …). */
export function convert(v: Values, type: NumType): NumArray {
  const have = natural[v.constructor.name];
  if (have === type || (type === 'bool' && have === 'u1')) return v;
  const out = allocArray(type, v.length);
  const toBig = type === 'i8' || type === 'u8', fromBig = have === 'i8' || have === 'u8';
  if (toBig && !fromBig) {
    const o = out as BigInt64Array;
    for (let i = 0; i < v.length; i++) o[i] = BigInt(Math.trunc(v[i] as number));
    if (type === 'u8') return new BigUint64Array(o.buffer);
  } else if (fromBig && !toBig) {
    const o = out as Float64Array;
    for (let i = 0; i < v.length; i++) o[i] = Number(v[i] as bigint);
  } else if (type === 'bool') {
    const o = out as Uint8Array;
    for (let i = 0; i < v.length; i++) o[i] = (v[i] as number) !== 0 ? 1 : 0;
  } else {
    (out as { set(a: ArrayLike<unknown>): void }).set(v as ArrayLike<unknown>);
  }
  return out;
}

function concat(p: Plan, parts: Column[]): Column {
  if (parts.length === 1) return parts[0]!;
  if (p.kind === 'string') return { kind: 'string', values: parts.flatMap((c) => c.values as string[]) };
  const type = p.info.type!;
  const nv = parts.reduce((n, c) => n + c.values.length, 0);
  const values = allocArray(type, nv);
  let at = 0;
  for (const c of parts) { (values as { set(a: ArrayLike<unknown>, o: number): void }).set(c.values as ArrayLike<unknown>, at); at += c.values.length; }
  if (p.info.shape === 'jagged') {
    const offsets = concatOffsets(parts as Array<{ offsets: Int32Array }>);
    return { kind: 'jagged', type, values, offsets };
  }
  if (p.info.shape === 'fixed') return { kind: 'fixed', type, size: p.info.size!, values };
  return { kind: 'flat', type, values };
}

export async function openRNTuple(f: RootFileReader, path: string): Promise<RNTupleReader> {
  return RNTupleReader.open(f, path);
}
