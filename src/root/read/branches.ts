// Turns jsroot's TBranch/TLeaf metadata into reading plans: which numeric type, which
// per-entry layout, and where every basket of the branch lives (on disk or embedded).
import type { BranchInfo, NumType } from '../types.js';
import { typeSize } from '../types.js';
import type { JsBranch, JsFile, JsLeaf, JsStreamerElement } from './jsroot.js';
import { packedFromElement, packedFromTitle } from './packed.js';
import type { Packed } from './packed.js';
import { MemberError, leavesOf, schemaOf } from './members.js';
import type { MemberLeaf, Node } from './members.js';

/** How one basket's bytes are found. */
export interface BasketRef {
  index: number;
  entryStart: number;
  entryStop: number;
  /** On-disk basket key (seek + bytes), or null for an embedded basket. */
  seek: number;
  bytes: number;
  /** Embedded basket (stored inside the TTree key): its data bytes and entry offsets. */
  embedded: { data: Uint8Array; offsets: Int32Array | null; keylen: number; last: number; nevBufSize: number; bufferSize: number } | null;
}

/** How the bytes of one entry are laid out. */
export type Layout =
  | { kind: 'leaf' }                                 // scalar / fixed / jagged basic values
  | { kind: 'vector' }                               // std::vector<T>: 6-byte header + count, then values
  | { kind: 'pointer-array' }                        // split-class T* member: 1 flag byte, then values
  | { kind: 'string' }                               // char*, TString, std::string
  | { kind: 'leaflist'; leaves: { name: string; type: NumType; len: number }[] }
  | { kind: 'packed'; packed: Packed }               // Double32_t / Float16_t (scalar / fixed / jagged)
  | { kind: 'member'; node: Node; root: string; leaf: MemberLeaf; leaves: MemberLeaf[] } // one member path of an object branch
  | { kind: 'unsupported'; why: string };

export interface BranchPlan {
  info: BranchInfo;
  layout: Layout;
  /** Values per entry (fixed arrays), 1 for scalars. */
  mult: number;
  entries: number;
  baskets: BasketRef[];
  hasOffsets: boolean;
}

const leafTypes: Record<string, [NumType, NumType] | undefined> = {
  TLeafB: ['i1', 'u1'], TLeafS: ['i2', 'u2'], TLeafI: ['i4', 'u4'], TLeafL: ['i8', 'u8'],
  TLeafG: ['i8', 'u8'], TLeafF: ['f4', 'f4'], TLeafD: ['f8', 'f8'], TLeafO: ['bool', 'bool'],
};

/** ROOT's EDataType codes (TStreamerElement/TLeafElement fType, modulo 20). */
const dataTypes: Record<number, NumType | undefined> = {
  1: 'i1', 2: 'i2', 3: 'i4', 4: 'i8', 5: 'f4', 6: 'i4', 8: 'f8', 11: 'u1', 12: 'u2', 13: 'u4',
  14: 'u8', 15: 'u4', 16: 'i8', 17: 'u8', 18: 'bool',
};

const cppNames: Record<NumType, string> = {
  i1: 'int8_t', u1: 'uint8_t', i2: 'int16_t', u2: 'uint16_t', i4: 'int32_t', u4: 'uint32_t',
  i8: 'int64_t', u8: 'uint64_t', f4: 'float', f8: 'double', bool: 'bool',
};

const vectorElems: Record<string, NumType | undefined> = {
  char: 'i1', 'unsigned char': 'u1', short: 'i2', 'unsigned short': 'u2', int: 'i4', 'unsigned int': 'u4',
  long: 'i8', 'unsigned long': 'u8', 'long long': 'i8', 'unsigned long long': 'u8', Long64_t: 'i8', ULong64_t: 'u8',
  float: 'f4', double: 'f8', bool: 'bool', Int_t: 'i4', UInt_t: 'u4', Float_t: 'f4', Double_t: 'f8',
  Short_t: 'i2', UShort_t: 'u2', Char_t: 'i1', UChar_t: 'u1', Bool_t: 'bool',
  int8_t: 'i1', uint8_t: 'u1', int16_t: 'i2', uint16_t: 'u2', int32_t: 'i4', uint32_t: 'u4', int64_t: 'i8', uint64_t: 'u8',
};

/** Leaf branches (those without sub-branches), depth first, as ROOT lists them. */
export function leafBranches(top: (JsBranch | null)[]): JsBranch[] {
  const out: JsBranch[] = [];
  // Corrupt metadata can make the branch graph cyclic (jsroot resolves object references):
  // each branch object is visited once, and nesting is bounded.
  const seen = new Set<JsBranch>();
  const walk = (bs: (JsBranch | null)[], depth: number): void => {
    if (depth > 64) throw new Error('branches nested more than 64 deep');
    for (const b of bs) {
      if (b === null || b === undefined || typeof b !== 'object' || seen.has(b)) continue;
      seen.add(b);
      const subs = Array.isArray(b.fBranches?.arr) ? b.fBranches.arr : [];
      if (subs.length > 0) walk(subs, depth + 1);
      else out.push(b);
    }
  };
  walk(top, 0);
  return out;
}

/**
 * The reading plan of one branch. A branch whose metadata cannot be understood gets an
 * 'unsupported' plan carrying the reason: it is that branch's error (in inspect, or when an
 * analysis reads it), and the other branches of the tree stay readable.
 */
export function planBranch(b: JsBranch, file: JsFile): BranchPlan {
  return planBranches(b, file)[0]!;
}

/**
 * The reading plans of one branch: one, or for an object branch (a class or STL container of
 * classes, strings, nested containers) one per member path that holds numbers or strings.
 */
export function planBranches(b: JsBranch, file: JsFile): BranchPlan[] {
  const leaves = (b.fLeaves?.arr ?? []).filter((l): l is JsLeaf => l !== null);
  let c: Classified;
  try { c = classify(b, leaves, file); } catch (e) {
    c = { info: { name: b.fName, type: null, shape: 'other', typename: b.fClassName || (leaves[0]?._typename ?? '') }, layout: { kind: 'unsupported', why: (e as Error).message }, mult: 1 };
  }
  let baskets: BasketRef[] = [];
  try { baskets = basketsOf(b); } catch (e) {
    c = { info: { ...c.info, type: null, shape: 'other' }, mult: c.mult, layout: { kind: 'unsupported', why: `basket list: ${(e as Error).message}` } };
  }
  const base = { entries: b.fEntries, baskets, hasOffsets: b.fEntryOffsetLen > 0 };
  if (c.node === undefined) return [{ info: c.info, layout: c.layout, mult: c.mult, ...base }];
  const node = c.node;
  const members = leavesOf(node, b.fName);
  if (members.length === 0) return [{ info: c.info, layout: { kind: 'unsupported', why: `objects of class ${c.info.typename} hold no numbers or strings` }, mult: 1, ...base }];
  return members.map((m) => ({ info: memberInfo(m, c.info.typename, m.path === b.fName), layout: { kind: 'member', node, root: b.fName, leaf: m, leaves: members }, mult: m.fixed, ...base }));
}

/** The column of one member path of an object branch. */
function memberInfo(m: MemberLeaf, of: string, whole: boolean): BranchInfo {
  if (m.type === null) {
    return { name: m.path, type: null, shape: 'other', typename: whole ? of : `${m.typename}${m.jagged ? '[]' : ''} in ${of}`, strings: m.jagged || m.fixed > 1 ? 'jagged' : 'scalar' };
  }
  const cpp = m.typename === 'Double32_t' || m.typename === 'Float16_t' ? m.typename : cppNames[m.type];
  if (m.jagged) return { name: m.path, type: m.type, shape: 'jagged', typename: `${cpp}[] in ${of}` };
  if (m.fixed > 1) return { name: m.path, type: m.type, shape: 'fixed', size: m.fixed, typename: `${cpp}[${m.fixed}] in ${of}` };
  return { name: m.path, type: m.type, shape: 'scalar', typename: `${cpp} in ${of}` };
}

interface Classified { info: BranchInfo; layout: Layout; mult: number; node?: Node }

function classify(b: JsBranch, leaves: JsLeaf[], file: JsFile): Classified {
  const name = b.fName;
  const other = (typename: string, layout: Layout): Classified => ({ info: { name, type: null, shape: 'other', typename, ...(layout.kind === 'string' ? { strings: 'scalar' as const } : {}) }, layout, mult: 1 });
  if (leaves.length === 0) return other('', { kind: 'unsupported', why: 'branch has no leaves' });
  if (leaves.length > 1) {
    const ll: { name: string; type: NumType; len: number }[] = [];
    for (const l of leaves) {
      const t = leafTypes[l._typename];
      if (t === undefined) return other('leaf-list', { kind: 'unsupported', why: `leaf-list member ${l.fName} is a ${l._typename}` });
      ll.push({ name: l.fName, type: t[l.fIsUnsigned ? 1 : 0], len: Math.max(1, l.fLen) });
    }
    const tn = `struct {${ll.map((l) => `${cppNames[l.type]} ${l.name}${l.len > 1 ? `[${l.len}]` : ''};`).join(' ')}}`;
    return other(tn, { kind: 'leaflist', leaves: ll });
  }
  const leaf = leaves[0]!;
  if (typeof leaf.fLen !== 'number' || leaf.fLeafCount === undefined) {
    // jsroot could not decode the leaf (e.g. groot files carry no TStreamerInfo for TLeaf*).
    throw new Error(`leaf ${leaf.fName ?? '?'} of branch ${name} (${leaf._typename}) could not be decoded: the file has no usable streamer for ${leaf._typename}`);
  }
  if (leaf._typename === 'TLeafC') return other('char*', { kind: 'string' });
  const pair = leafTypes[leaf._typename];
  if (pair !== undefined) return numeric(name, pair[leaf.fIsUnsigned ? 1 : 0], leaf, { kind: 'leaf' });
  // Double32_t / Float16_t leaves: the range and bits are in the leaf's title ("d[-2.71,10,32]").
  if (leaf._typename === 'TLeafD32') return packedNumeric(name, false, leaf, packedFromTitle(leaf.fTitle ?? '', false));
  if (leaf._typename === 'TLeafF16') return packedNumeric(name, true, leaf, packedFromTitle(leaf.fTitle ?? '', true));
  if (leaf._typename === 'TLeafElement') return classifyElement(b, leaf, file);
  return other(leaf._typename, { kind: 'unsupported', why: `unsupported leaf type ${leaf._typename}` });
}

function numeric(name: string, type: NumType, leaf: JsLeaf, layout: Layout): { info: BranchInfo; layout: Layout; mult: number } {
  const len = Math.max(1, leaf.fLen | 0);
  const cpp = cppNames[type];
  if (leaf.fLeafCount) {
    const dims = len > 1 ? `[${len}]` : '';
    return { info: { name, type, shape: 'jagged', counter: leaf.fLeafCount.fName, typename: `${cpp}[]${dims}` }, layout, mult: len };
  }
  if (len > 1) return { info: { name, type, shape: 'fixed', size: len, typename: `${cpp}[${len}]` }, layout, mult: len };
  return { info: { name, type, shape: 'scalar', typename: cpp }, layout, mult: 1 };
}

/** A Double32_t (read as double) or Float16_t (read as float) column: named so in its typename. */
function packedNumeric(name: string, float16: boolean, leaf: JsLeaf, packed: Packed): { info: BranchInfo; layout: Layout; mult: number } {
  const c = numeric(name, float16 ? 'f4' : 'f8', leaf, { kind: 'packed', packed });
  const cpp = float16 ? 'float' : 'double';
  c.info.typename = (float16 ? 'Float16_t' : 'Double32_t') + c.info.typename.slice(cpp.length);
  return c;
}

function classifyElement(b: JsBranch, leaf: JsLeaf, file: JsFile): Classified {
  const name = b.fName;
  const st = b.fStreamerType ?? -1;
  const other = (typename: string, layout: Layout): Classified => ({ info: { name, type: null, shape: 'other', typename, ...(layout.kind === 'string' ? { strings: 'scalar' as const } : {}) }, layout, mult: 1 });
  // A top-level std::vector<T> branch (fID -1) or an STL member of a split class (fStreamerType 300).
  let vecClass: string | null = null;
  if (st === -1 && b.fClassName) vecClass = b.fClassName;
  else if (st === 300 || st === 365 || st === 500) vecClass = memberTypeName(b, leaf, file);
  if (vecClass !== null) {
    const c = vecClass.replace(/\s+/g, ' ').trim().replace(/^const /, '');
    // An STL member of a split collection (vector<Trk> → trks.rec_stages, fType 41; TClonesArray 31):
    // one header per entry, then the member of each item.
    if (st !== -1 && (b.fType === 41 || b.fType === 31)) return collectionMember(name, c, b.fClassName ?? '', file);
    if (c === 'string' || c === 'std::string') return other('std::string', { kind: 'string' });
    // ROOT::VecOps::RVec<T> (RDataFrame snapshots) is streamed exactly as std::vector<T>.
    const m = /^(?:std::)?vector<\s*(.+?)\s*>$|^(?:ROOT::VecOps::)?RVec<\s*(.+?)\s*>$/.exec(c);
    const et = m ? vectorElems[(m[1] ?? m[2])!] : undefined;
    const tmpl = m && m[2] !== undefined ? 'ROOT::VecOps::RVec' : 'std::vector';
    if (et !== undefined) return { info: { name, type: et, shape: 'jagged', typename: `${tmpl}<${cppNames[et]}>` }, layout: { kind: 'vector' }, mult: 1 };
    return objectBranch(name, c, file);
  }
  if (st === 65 || st === 61) return other('TString', { kind: 'string' });
  // Double32_t (kDouble32 9) and Float16_t (kFloat16 19) members, scalar or fixed array (+20).
  if (st === 9 || st === 19 || st === 29 || st === 39) {
    const f16 = st % 20 === 19;
    return packedNumeric(name, f16, leaf, packedFromElement(memberElement(b, leaf, file) ?? {}, f16));
  }
  if (st >= 1 && st < 20 && dataTypes[st]) return numeric(name, dataTypes[st]!, leaf, { kind: 'leaf' });
  if (st > 20 && st < 40 && dataTypes[st - 20]) return numeric(name, dataTypes[st - 20]!, leaf, { kind: 'leaf' });
  if (st > 40 && st < 60 && dataTypes[st - 40]) return numeric(name, dataTypes[st - 40]!, leaf, { kind: 'pointer-array' });
  // A class member streamed whole (kObject / kAny / kTObject: TVector3 fP of a split TLorentzVector, …)
  if ((st === 61 || st === 62 || st === 66) && b.fClassName) {
    const e = memberElement(b, leaf, file);
    if (e !== null) return objectBranch(name, e.fTypeName, file);
  }
  return other(b.fClassName ?? 'object', { kind: 'unsupported', why: `unsupported branch element (streamer type ${st})` });
}

/** An STL member (of type `type`) of every item of a split collection of `cls`. */
function collectionMember(name: string, type: string, cls: string, file: JsFile): Classified {
  const info: BranchInfo = { name, type: null, shape: 'other', typename: `${type} in ${cls}[]` };
  try {
    return { info, layout: { kind: 'unsupported', why: `members ${type} of ${cls} items` }, mult: 1, node: { k: 'items', name: `${type} of ${cls} items`, of: schemaOf(type, file) } };
  } catch (e) {
    if (!(e instanceof MemberError)) throw e;
    return { info, layout: { kind: 'unsupported', why: `members ${type} of ${cls} items are not read: ${e.message}` }, mult: 1 };
  }
}

/** A branch whose entries are whole objects of `cls`: read through the schema of its members. */
function objectBranch(name: string, cls: string, file: JsFile): Classified {
  const info: BranchInfo = { name, type: null, shape: 'other', typename: cls };
  try {
    return { info, layout: { kind: 'unsupported', why: `objects of class ${cls}` }, mult: 1, node: schemaOf(cls, file) };
  } catch (e) {
    if (!(e instanceof MemberError)) throw e;
    return { info, layout: { kind: 'unsupported', why: `objects of class ${cls} are not read: ${e.message}` }, mult: 1 };
  }
}

/** The declared type of a split-class member, from the file's streamer infos. */
function memberTypeName(b: JsBranch, leaf: JsLeaf, file: JsFile): string | null {
  return memberElement(b, leaf, file)?.fTypeName ?? null;
}

/** The streamer element of a split-class member (its type, and the range of Double32_t members). */
function memberElement(b: JsBranch, leaf: JsLeaf, file: JsFile): JsStreamerElement | null {
  const si = b.fClassName ? file.findStreamerInfo(b.fClassName) : null;
  if (!si) return null;
  const member = leaf.fName.split('.').pop()!.replace(/\[.*$/, '');
  for (const e of si.fElements?.arr ?? []) if (e && e.fName === member) return e;
  return null;
}

export function basketsOf(b: JsBranch): BasketRef[] {
  const out: BasketRef[] = [];
  const nDisk = Math.max(0, b.fWriteBasket | 0);
  const emb = Array.isArray(b.fBaskets?.arr) ? b.fBaskets.arr : [];
  // fWriteBasket comes from the file: it must fit the basket arrays before it bounds a loop.
  const room = Math.min(b.fBasketSeek?.length ?? 0, b.fBasketBytes?.length ?? 0, b.fBasketEntry?.length ?? 0);
  if (nDisk > room) throw new Error(`branch ${b.fName} claims ${nDisk} baskets, its basket arrays hold ${room}`);
  // A basket lives either on disk (seek ≠ 0, index < fWriteBasket) or in the TTree key
  // (fBaskets[i], typically the last one; all of them when the tree was never flushed).
  for (let i = 0; i < Math.max(nDisk, emb.length); i++) {
    const bk = emb[i];
    const start = Number(b.fBasketEntry[i] ?? 0);
    if (bk && bk.fNevBuf > 0 && !(i < nDisk && Number(b.fBasketSeek[i]) > 0)) {
      let data: Uint8Array = new Uint8Array(0);
      if (bk.fBufferRef) {
        const dv = bk.fBufferRef.arr;
        data = new Uint8Array(dv.buffer, dv.byteOffset, Math.min(dv.byteLength, bk.fBufferRef.length ?? dv.byteLength));
      }
      const offsets = bk.fEntryOffset ? Int32Array.from(bk.fEntryOffset) : null;
      out.push({ index: i, entryStart: start, entryStop: start + bk.fNevBuf, seek: 0, bytes: 0, embedded: { data, offsets, keylen: bk.fKeylen, last: bk.fLast, nevBufSize: bk.fNevBufSize, bufferSize: bk.fBufferSize ?? 0 } });
    } else if (i < nDisk) {
      const stop = Number(b.fBasketEntry[i + 1] ?? b.fEntries);
      out.push({ index: i, entryStart: start, entryStop: stop, seek: Number(b.fBasketSeek[i]), bytes: Number(b.fBasketBytes[i]), embedded: null });
    }
  }
  return out;
}

export { typeSize };
