// Object branches (a class streamed whole, std::vector/set/map of numbers, strings or classes)
// read as member columns: the streamer infos of the file say how an entry's bytes are laid out,
// a schema is built from them once per branch (member-schema.ts), and each entry is walked to collect the numbers
// (and strings) of every member path, e.g. muonp4 (vector<TLorentzVector>) → muonp4.fP.fX, …,
// muonp4.fE. Values inside containers are flattened per entry (a jagged column).
import type { NumType } from '../types.js';
import { typeSize } from '../types.js';
import { packedWidth, unpackInto } from './packed.js';
import { assertNever } from '../../util/result.js';
import { MemberError, flatMembers, memberPath, type MemberLeaf, type Node } from './member-schema.js';
// The schema half (member-schema.ts) is re-exported: callers import both from here.
export { MemberError, leavesOf, schemaOf, type MemberLeaf, type Node } from './member-schema.js';

/** What one entry walk collects: per leaf path, its numbers (or strings) in order. */
export class Sink {
  readonly nums = new Map<string, number[]>();
  readonly strs = new Map<string, string[]>();
  constructor(leaves: MemberLeaf[]) {
    for (const l of leaves) (l.type === null ? this.strs : this.nums).set(l.path, []);
  }
  /** The lengths of every list, to undo a failed reading. */
  marks(): number[] { return [...this.nums.values(), ...this.strs.values()].map((a) => a.length); }
  reset(marks: number[]): void { [...this.nums.values(), ...this.strs.values()].forEach((a, k) => { a.length = marks[k]!; }); }
}

const dec = new TextDecoder('utf-8');

/** A big-endian cursor over one entry's bytes; every read is bounded by the entry. */
class Cur {
  readonly v: DataView;
  constructor(readonly d: Uint8Array, public p: number, readonly end: number, v?: DataView) { this.v = v ?? new DataView(d.buffer, d.byteOffset, d.byteLength); }
  need(n: number): void { if (this.p + n > this.end) throw new MemberError(`needs ${n} bytes at offset ${this.p}, the entry ends at ${this.end}`); }
  u8(): number { this.need(1); return this.d[this.p++]!; }
  u16(): number { this.need(2); const v = (this.d[this.p]! << 8) | this.d[this.p + 1]!; this.p += 2; return v; }
  u32(): number { this.need(4); const d = this.d, p = this.p; this.p += 4; return ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0; }
  /**
   * A byte count (flag 0x40000000) and a version, or a version alone (ROOT leaves the count out for
   * some classes): where the object ends (-1: not known), and whether it is written member-wise.
   */
  header(what: string): { end: number; memberwise: boolean } {
    this.need(2);
    if ((this.d[this.p]! & 0x40) === 0) {
      const version = this.u16();
      return { end: -1, memberwise: (version & 0x4000) !== 0 };
    }
    const bc = this.u32();
    const end = this.p + (bc & ~0x40000000);
    if (end > this.end) throw new MemberError(`${what}: byte count ${bc & ~0x40000000} passes the entry's end`);
    const version = this.u16();
    return { end, memberwise: (version & 0x4000) !== 0 };
  }
}

function readNum(c: Cur, t: NumType): number {
  c.need(typeSize[t]);
  const v = c.v, p = c.p;
  c.p += typeSize[t];
  switch (t) {
    case 'i1': return v.getInt8(p);
    case 'u1': return v.getUint8(p);
    case 'bool': return v.getUint8(p) !== 0 ? 1 : 0;
    case 'i2': return v.getInt16(p);
    case 'u2': return v.getUint16(p);
    case 'i4': return v.getInt32(p);
    case 'u4': return v.getUint32(p);
    case 'i8': return Number(v.getBigInt64(p));
    case 'u8': return Number(v.getBigUint64(p));
    case 'f4': return v.getFloat32(p);
    case 'f8': return v.getFloat64(p);
    default: return assertNever(t, 'numeric type');
  }
}

const one = new Float64Array(1);

type NodeOf<K extends Node['k']> = Extract<Node, { k: K }>;

/**
 * Reads one value of `node` at the cursor into the sink under `path`. `top`: the value is
 * streamed on its own (containers and classes carry a byte count and version), not as an item
 * of a container (items of an STL container carry none, classes in it do).
 */
export function walk(node: Node, c: Cur, path: string, sink: Sink, top: boolean): void {
  switch (node.k) {
    case 'num': { const v = readNum(c, node.t); sink.nums.get(path)?.push(v); return; }
    case 'packed': return walkPacked(node, c, path, sink);
    case 'array': for (let i = 0; i < node.n; i++) walk(node.of, c, path, sink, false); return;
    case 'string': return walkString(node, c, path, sink, top);
    case 'tobject': return skipTObject(c);
    case 'class': {
      const h = c.header(node.name);
      if (h.memberwise) throw new MemberError(`${node.name} streamed member-wise is not read`);
      for (const m of node.members) walk(m.node, c, memberPath(path, m, m.node), sink, true);
      if (h.end >= 0 && c.p !== h.end) throw new MemberError(`${node.name}: members end at byte ${c.p}, its byte count at ${h.end}`);
      return;
    }
    case 'seq': case 'map': return walkContainer(node, c, path, sink, top);
    case 'items': {
      // the member of every item of the entry's collection (vector<Trk>::rec_stages): the items'
      // values one after the other (an STL value without its own header), up to the byte count
      const h = c.header(node.name);
      if (h.memberwise) throw new MemberError(`${node.name} streamed member-wise is not read`);
      const end = h.end >= 0 ? h.end : c.end;
      while (c.p < end) walk(node.of, c, path, sink, false);
      if (c.p !== end) throw new MemberError(`${node.name}: items end at ${c.p}, its byte count at ${h.end}`);
      return;
    }
    default: assertNever(node, 'member schema');
  }
}

function walkPacked(node: NodeOf<'packed'>, c: Cur, path: string, sink: Sink): void {
  const w = packedWidth(node.packed);
  c.need(w);
  unpackInto(node.packed, c.d, c.p, 1, one, 0);
  c.p += w;
  sink.nums.get(path)?.push(node.t === 'f4' ? Math.fround(one[0]!) : one[0]!);
}

function walkString(node: NodeOf<'string'>, c: Cur, path: string, sink: Sink, top: boolean): void {
  // a std::string streamed on its own (a branch, a member) may carry a byte count and version
  if (top && node.std && stringHeader(c)) c.header('std::string');
  let len = c.u8();
  if (len === 255) len = c.u32();
  c.need(len);
  sink.strs.get(path)?.push(dec.decode(c.d.subarray(c.p, c.p + len)));
  c.p += len;
}

/**
 * TObject::Streamer: a version (a byte count first if flagged), fUniqueID, fBits, and a
 * process id when the object is referenced (kIsReferenced, bit 4).
 */
function skipTObject(c: Cur): void {
  if (c.p + 4 <= c.end && (c.d[c.p]! & 0x40) !== 0) c.u32();
  c.u16();
  c.u32();
  const bits = c.u32();
  if (bits & 0x10) c.u16();
}

/** An STL sequence or map: its header when streamed on its own (member-wise vectors of classes read here), the count, the items. */
function walkContainer(node: NodeOf<'seq' | 'map'>, c: Cur, path: string, sink: Sink, top: boolean): void {
  let end = -1, memberwise = false;
  if (top) {
    const h = c.header(node.name);
    end = h.end;
    memberwise = h.memberwise;
    if (h.memberwise) {
      const flat = node.k === 'seq' ? flatMembers(node.of, path) : null;
      if (node.k === 'seq' && flat === null) throw new MemberError(`${node.name} streamed member-wise is not read (its items are not classes of numbers)`);
      c.u16(); c.u32(); // the item (or pair) class's version and checksum
      if (flat !== null) return walkMemberwise(node.name, flat, c, sink, end);
    }
  }
  const n = c.u32();
  if (n > c.end - c.p) throw new MemberError(`${node.name} of ${n} items in ${c.end - c.p} bytes`);
  if (node.k === 'seq') for (let i = 0; i < n; i++) walk(node.of, c, path, sink, false);
  else {
    // std::map: all keys, then all values; keys (values) that are std::strings or containers
    // get one byte count and version before them all when the map is written member-wise
    if (memberwise && nestedHeader(node.key)) c.header(`keys of ${node.name}`);
    for (let i = 0; i < n; i++) walk(node.key, c, `${path}.first`, sink, false);
    if (memberwise && nestedHeader(node.value)) c.header(`values of ${node.name}`);
    for (let i = 0; i < n; i++) walk(node.value, c, `${path}.second`, sink, false);
  }
  if (end >= 0 && c.p !== end) throw new MemberError(`${node.name}: items end at ${c.p}, its byte count at ${end}`);
}

/** A vector of classes written member-wise: the count, then each member of all items in turn. */
function walkMemberwise(name: string, flat: NonNullable<ReturnType<typeof flatMembers>>, c: Cur, sink: Sink, end: number): void {
  const n = c.u32();
  if (n > c.end - c.p) throw new MemberError(`${name} of ${n} items in ${c.end - c.p} bytes`);
  for (const m of flat) for (let i = 0; i < n; i++) walk(m.node, c, m.path, sink, false);
  if (end >= 0 && c.p !== end) throw new MemberError(`${name}: items end at ${c.p}, its byte count at ${end}`);
}

/** Whether a byte count + version precede the string here (its count matching the string's length). */
function stringHeader(c: Cur): boolean {
  const d = c.d, p = c.p;
  if (c.end - p < 7 || (d[p]! & 0x40) === 0) return false;
  const cnt = (((d[p]! & 0x3f) << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
  if (p + 4 + cnt > c.end) return false;
  let len = d[p + 6]!, head = 1;
  if (len === 255) {
    if (c.end - p < 11) return false;
    len = ((d[p + 7]! << 24) | (d[p + 8]! << 16) | (d[p + 9]! << 8) | d[p + 10]!) >>> 0; head = 5;
  }
  return cnt === 2 + head + len;
}

function nestedHeader(node: Node): boolean {
  return (node.k === 'string' && node.std) || node.k === 'seq' || node.k === 'map';
}

/** Walks entries [0, n) of a basket (data[offsets[i], offsets[i+1]) is entry i). */
export function walkBasket(node: Node, leaves: MemberLeaf[], data: Uint8Array, offsets: Int32Array, n: number, path: string): { sink: Sink; counts: Map<string, Int32Array> } {
  const sink = new Sink(leaves);
  const counts = new Map<string, Int32Array>();
  for (const l of leaves) counts.set(l.path, new Int32Array(n + 1));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // A whole object of a top-level branch comes with its byte count and version, or (some split-level-0
  // branches) as its members alone: the first non-empty entry that one way reads exactly decides.
  let bare: boolean | null = node.k === 'class' ? null : false;
  const one = (c: Cur, asBare: boolean): void => {
    if (asBare && node.k === 'class') for (const m of node.members) walk(m.node, c, memberPath(path, m, m.node), sink, true);
    else walk(node, c, path, sink, true);
    if (c.p !== c.end) throw new MemberError(`${c.end - c.p} bytes left over`);
  };
  for (let i = 0; i < n; i++) {
    const a = offsets[i]!, b = offsets[i + 1]!;
    try {
      if (bare === null && b > a) {
        const marks = sink.marks();
        try { one(new Cur(data, a, b, view), false); bare = false; } catch (e) {
          if (!(e instanceof MemberError || e instanceof RangeError)) throw e;
          sink.reset(marks);
          try { one(new Cur(data, a, b, view), true); } catch { throw e; } // the headed reading's error is the one reported
          bare = true;
        }
      } else one(new Cur(data, a, b, view), bare === true);
    } catch (e) {
      if (e instanceof MemberError || e instanceof RangeError) throw new MemberError(`entry ${i}: ${e.message}`);
      throw e;
    }
    for (const l of leaves) counts.get(l.path)![i + 1] = (l.type === null ? sink.strs : sink.nums).get(l.path)!.length;
  }
  return { sink, counts };
}

export { Cur };
