// Object branches (a class streamed whole, std::vector/set/map of numbers, strings or classes)
// read as member columns: the streamer infos of the file say how an entry's bytes are laid out,
// a schema is built from them once per branch, and each entry is walked to collect the numbers
// (and strings) of every member path, e.g. muonp4 (vector<TLorentzVector>) → muonp4.fP.fX, …,
// muonp4.fE. Values inside containers are flattened per entry (a jagged column).
import type { NumType } from '../types.js';
import { typeSize } from '../types.js';
import type { JsFile, JsStreamerElement } from './jsroot.js';
import { packedFromElement, packedWidth, unpackInto } from './packed.js';
import type { Packed } from './packed.js';
import { assertNever } from '../../util/result.js';

/** How one value is streamed. */
export type Node =
  | { k: 'num'; t: NumType }
  | { k: 'packed'; t: 'f4' | 'f8'; packed: Packed }
  | { k: 'array'; of: Node; n: number }                            // fixed-size C array member
  | { k: 'string'; std: boolean }                                  // std::string (std) or TString: length + bytes
  | { k: 'tobject' }                                               // TObject base: version, fUniqueID, fBits
  | { k: 'class'; name: string; members: { name: string; node: Node }[] } // byte count + version, then members
  | { k: 'seq'; name: string; of: Node }                           // vector, set, list, deque, RVec
  | { k: 'map'; name: string; key: Node; value: Node }
  | { k: 'items'; name: string; of: Node };                        // an STL member of a split collection: one header, then one value per item

/** One column of an object branch: a path to numbers (type) or strings (type null). */
export interface MemberLeaf { path: string; type: NumType | null; jagged: boolean; fixed: number; typename: string }

export class MemberError extends Error {}

const basic: Record<string, NumType | undefined> = {
  char: 'i1', 'unsigned char': 'u1', short: 'i2', 'unsigned short': 'u2', int: 'i4', 'unsigned int': 'u4',
  long: 'i8', 'unsigned long': 'u8', 'long long': 'i8', 'unsigned long long': 'u8', Long64_t: 'i8', ULong64_t: 'u8',
  float: 'f4', double: 'f8', bool: 'bool', Int_t: 'i4', UInt_t: 'u4', Float_t: 'f4', Double_t: 'f8',
  Short_t: 'i2', UShort_t: 'u2', Char_t: 'i1', UChar_t: 'u1', Bool_t: 'bool', Long_t: 'i8', ULong_t: 'u8',
  int8_t: 'i1', uint8_t: 'u1', int16_t: 'i2', uint16_t: 'u2', int32_t: 'i4', uint32_t: 'u4', int64_t: 'i8', uint64_t: 'u8',
};

/** ROOT's EDataType codes of basic streamer elements (kCounter 6 and kBits 15 included). */
const codes: Record<number, NumType | undefined> = {
  1: 'i1', 2: 'i2', 3: 'i4', 4: 'i8', 5: 'f4', 6: 'i4', 8: 'f8', 11: 'u1', 12: 'u2', 13: 'u4',
  14: 'u8', 15: 'u4', 16: 'i8', 17: 'u8', 18: 'bool',
};

/** Splits "map<int,vector<short> >" into its template name and top-level arguments. */
function template(type: string): { name: string; args: string[] } | null {
  const t = type.replace(/\s+/g, ' ').trim();
  const lt = t.indexOf('<');
  if (lt < 0 || !t.endsWith('>')) return null;
  const args: string[] = [];
  let depth = 0, start = lt + 1;
  for (let i = lt + 1; i < t.length - 1; i++) {
    const c = t[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) { args.push(t.slice(start, i).trim()); start = i + 1; }
  }
  args.push(t.slice(start, t.length - 1).trim());
  return { name: t.slice(0, lt).trim().replace(/^std::/, '').replace(/^ROOT::VecOps::/, ''), args };
}

/** Builds the schema of a type name from the file's streamer infos; throws MemberError saying what is not read. */
export function schemaOf(type: string, file: JsFile, depth = 0): Node {
  if (depth > 16) throw new MemberError(`${type}: types nested too deep`);
  const t = type.replace(/\s+/g, ' ').trim().replace(/^const /, '');
  const num = basic[t];
  if (num !== undefined) return { k: 'num', t: num };
  if (t === 'Double32_t' || t === 'Float16_t') return { k: 'packed', t: t === 'Float16_t' ? 'f4' : 'f8', packed: packedFromElement({}, t === 'Float16_t') };
  if (t === 'string' || t === 'std::string' || t === 'TString') return { k: 'string', std: t !== 'TString' };
  if (t === 'TObject') return { k: 'tobject' };
  const tm = template(t);
  if (tm !== null) {
    if (['vector', 'set', 'list', 'deque', 'multiset', 'unordered_set', 'RVec'].includes(tm.name) && tm.args.length >= 1) {
      return { k: 'seq', name: t, of: schemaOf(tm.args[0]!, file, depth + 1) };
    }
    if (['map', 'multimap', 'unordered_map'].includes(tm.name) && tm.args.length >= 2) {
      return { k: 'map', name: t, key: schemaOf(tm.args[0]!, file, depth + 1), value: schemaOf(tm.args[1]!, file, depth + 1) };
    }
  }
  return classSchema(t, file, depth);
}

/** ROOT's physics vectors, for files whose streamer infos lack them (as ROOT's own dictionary has them). */
const f8: Node = { k: 'num', t: 'f8' };
const tobj = { name: 'TObject', node: { k: 'tobject' } as Node };
const TVector3: Node = { k: 'class', name: 'TVector3', members: [tobj, { name: 'fX', node: f8 }, { name: 'fY', node: f8 }, { name: 'fZ', node: f8 }] };
const builtins: Record<string, Node> = {
  TVector2: { k: 'class', name: 'TVector2', members: [tobj, { name: 'fX', node: f8 }, { name: 'fY', node: f8 }] },
  TVector3,
  TLorentzVector: { k: 'class', name: 'TLorentzVector', members: [tobj, { name: 'fP', node: TVector3 }, { name: 'fE', node: f8 }] },
};

function classSchema(name: string, file: JsFile, depth: number): Node {
  const si = file.findStreamerInfo(name);
  const els = si?.fElements?.arr;
  // TDatime has its own streamer: its packed date and time, a bare 4-byte integer
  if (name === 'TDatime') return { k: 'num', t: 'u4' };
  if ((!si || !Array.isArray(els)) && builtins[name] !== undefined) return builtins[name]!;
  if (!si || !Array.isArray(els)) throw new MemberError(`the file has no streamer info for class ${name}`);
  const members: { name: string; node: Node }[] = [];
  for (const e of els) {
    if (e === null) continue;
    members.push({ name: e.fName, node: elementSchema(name, e, file, depth) });
  }
  return { k: 'class', name, members };
}

function elementSchema(cls: string, e: JsStreamerElement, file: JsFile, depth: number): Node {
  const ty = e.fType;
  const why = (): MemberError => new MemberError(`member ${e.fName} of class ${cls} (${e.fTypeName}, streamer type ${ty}) is not read`);
  if (e.fTypeName === 'BASE' || ty === 0 || ty === 66 || ty === 67) { // a base class
    if (e.fName === 'TObject') return { k: 'tobject' };
    if (ty === 67 || e.fName === 'TNamed') return { k: 'class', name: 'TNamed', members: [{ name: 'TObject', node: { k: 'tobject' } }, { name: 'fName', node: { k: 'string', std: false } }, { name: 'fTitle', node: { k: 'string', std: false } }] };
    return classSchema(e.fName, file, depth + 1);
  }
  const one = (code: number): Node => {
    if (code === 9 || code === 19) return { k: 'packed', t: code === 19 ? 'f4' : 'f8', packed: packedFromElement(e, code === 19) };
    const t = codes[code];
    if (t === undefined) throw why();
    return { k: 'num', t };
  };
  if (ty >= 1 && ty < 20) return one(ty);
  if (ty > 20 && ty < 40) {
    const n = e.fArrayLength;
    if (!Number.isInteger(n) || n < 1) throw why();
    return { k: 'array', of: one(ty - 20), n };
  }
  if (ty === 65) return { k: 'string', std: false };
  if (ty === 61 || ty === 62) return schemaOf(e.fTypeName, file, depth + 1);                 // embedded object
  if (ty === 300 || ty === 365 || ty === 500) return schemaOf(e.fTypeName, file, depth + 1);  // STL member
  throw why();
}

/** The numeric members of a class (through its base classes) with their paths, or null if it has others. */
function flatMembers(node: Node, path: string): { node: Node; path: string }[] | null {
  if (node.k === 'num' || node.k === 'packed') return [{ node, path }];
  if (node.k !== 'class') return null;
  const out: { node: Node; path: string }[] = [];
  for (const m of node.members) {
    const sub = flatMembers(m.node, memberPath(path, m, m.node));
    if (sub === null) return null;
    out.push(...sub);
  }
  return out;
}

/** A member's path: a base class's members stay at the object's path. */
function memberPath(path: string, m: { name: string }, node: Node): string {
  return node.k === 'class' && m.name === node.name ? path : `${path}.${m.name}`;
}

/** The columns a schema yields under a branch name (TObject's fUniqueID/fBits left out). */
export function leavesOf(node: Node, path: string, jagged = false, fixed = 1): MemberLeaf[] {
  switch (node.k) {
    case 'num': return [{ path, type: node.t, jagged, fixed, typename: node.t }];
    case 'packed': return [{ path, type: node.t, jagged, fixed, typename: node.t === 'f4' ? 'Float16_t' : 'Double32_t' }];
    case 'array': return leavesOf(node.of, path, jagged, fixed * node.n);
    case 'string': return [{ path, type: null, jagged, fixed, typename: node.std ? 'std::string' : 'TString' }];
    case 'tobject': return [];
    case 'class': return node.members.flatMap((m) => leavesOf(m.node, memberPath(path, m, m.node), jagged, fixed));
    case 'seq': return leavesOf(node.of, path, true, 1);
    case 'map': return [...leavesOf(node.key, `${path}.first`, true, 1), ...leavesOf(node.value, `${path}.second`, true, 1)];
    case 'items': return leavesOf(node.of, path, true, 1);
    default: return assertNever(node, 'member schema');
  }
}

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

/**
 * Reads one value of `node` at the cursor into the sink under `path`. `top`: the value is
 * streamed on its own (containers and classes carry a byte count and version), not as an item
 * of a container (items of an STL container carry none, classes in it do).
 */
export function walk(node: Node, c: Cur, path: string, sink: Sink, top: boolean): void {
  switch (node.k) {
    case 'num': { const v = readNum(c, node.t); sink.nums.get(path)?.push(v); return; }
    case 'packed': {
      const w = packedWidth(node.packed);
      c.need(w);
      unpackInto(node.packed, c.d, c.p, 1, one, 0);
      c.p += w;
      sink.nums.get(path)?.push(node.t === 'f4' ? Math.fround(one[0]!) : one[0]!);
      return;
    }
    case 'array': for (let i = 0; i < node.n; i++) walk(node.of, c, path, sink, false); return;
    case 'string': {
      // a std::string streamed on its own (a branch, a member) may carry a byte count and version
      if (top && node.std && stringHeader(c)) c.header('std::string');
      let len = c.u8();
      if (len === 255) len = c.u32();
      c.need(len);
      sink.strs.get(path)?.push(dec.decode(c.d.subarray(c.p, c.p + len)));
      c.p += len;
      return;
    }
    case 'tobject': {
      // TObject::Streamer: a version (a byte count first if flagged), fUniqueID, fBits, and a
      // process id when the object is referenced (kIsReferenced, bit 4).
      if (c.p + 4 <= c.end && (c.d[c.p]! & 0x40) !== 0) c.u32();
      c.u16();
      c.u32();
      const bits = c.u32();
      if (bits & 0x10) c.u16();
      return;
    }
    case 'class': {
      const h = c.header(node.name);
      if (h.memberwise) throw new MemberError(`${node.name} streamed member-wise is not read`);
      for (const m of node.members) walk(m.node, c, memberPath(path, m, m.node), sink, true);
      if (h.end >= 0 && c.p !== h.end) throw new MemberError(`${node.name}: members end at byte ${c.p}, its byte count at ${h.end}`);
      return;
    }
    case 'seq': case 'map': {
      let end = -1, memberwise = false;
      if (top) {
        const h = c.header(node.name);
        end = h.end;
        memberwise = h.memberwise;
        if (h.memberwise) {
          const flat = node.k === 'seq' ? flatMembers(node.of, path) : null;
          if (node.k === 'seq' && flat === null) throw new MemberError(`${node.name} streamed member-wise is not read (its items are not classes of numbers)`);
          c.u16(); c.u32(); // the item (or pair) class's version and checksum
          if (flat !== null) {
            // a vector of classes written member-wise: the count, then each member of all items in turn
            const n = c.u32();
            if (n > c.end - c.p) throw new MemberError(`${node.name} of ${n} items in ${c.end - c.p} bytes`);
            for (const m of flat) for (let i = 0; i < n; i++) walk(m.node, c, m.path, sink, false);
            if (end >= 0 && c.p !== end) throw new MemberError(`${node.name}: items end at ${c.p}, its byte count at ${end}`);
            return;
          }
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
      return;
    }
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
