// Serialises a TTree (v20) with single-leaf numeric TBranches (v13) and their TLeaf* (TLeaf v2),
// given the baskets already written. Used by the tree writer and by hadd (which rewrites the
// metadata of concatenated trees). Layout facts from ROOT's streamers (see streamer-data.ts).
import { WBuf } from './wbuf.js';
import { assertNever } from '../../util/result.js';

export type LeafClass = 'TLeafB' | 'TLeafS' | 'TLeafI' | 'TLeafL' | 'TLeafF' | 'TLeafD' | 'TLeafO' | 'TLeafC' | 'TLeafElement';

/** A top-level std::vector<T> branch: a TBranchElement of the STL class (split level 0, fID -1). */
export interface ElementMeta { className: string; checksum: number; classVersion: number }

export interface LeafMeta {
  className: LeafClass;
  name: string;
  title: string;        // 'x', 'x[3]', 'x[nMu]'
  len: number;          // fixed-array size, 1 for scalars and jagged
  lenType: number;      // bytes per value
  isRange: boolean;     // a counter of other branches
  isUnsigned: boolean;
  counter: number | null; // index of the branch whose leaf counts this one
  min: number | bigint;
  max: number | bigint;
}

export interface BranchMeta {
  name: string;
  title: string;        // 'x[nMu]/F'
  compress: number;     // ROOT fCompress setting
  basketSize: number;
  entryOffsetLen: number;
  entries: number;
  totBytes: number;
  zipBytes: number;
  basketBytes: number[];
  basketEntry: number[]; // first entry of each basket (length = number of baskets)
  basketSeek: number[];
  leaf: LeafMeta;
  element?: ElementMeta;
}

export interface TreeMeta {
  name: string;
  title: string;
  entries: number;
  totBytes: number;
  zipBytes: number;
  branches: BranchMeta[];
}

// TIOFeatures as ROOT streams it (byte count 7, version 0 + checksum, fIOBits 0).
const IO_FEATURES = Uint8Array.from([0x40, 0, 0, 7, 0, 0, 0x1a, 0xa1, 0x2f, 0x10, 0]);
const kMustCleanup = 1 << 3;

function minMax(b: WBuf, cls: LeafClass, v: number | bigint): void {
  switch (cls) {
    case 'TLeafB': b.i8(Number(v)); break;
    case 'TLeafS': b.i16(Number(v)); break;
    case 'TLeafI': b.i32(Number(v)); break;
    case 'TLeafL': b.i64(BigInt(v)); break;
    case 'TLeafF': b.f32(Number(v)); break;
    case 'TLeafD': b.f64(Number(v)); break;
    case 'TLeafO': b.bool(Number(v) !== 0); break;
    case 'TLeafC': b.i32(Number(v)); break;
    case 'TLeafElement': break;
    default: assertNever(cls, 'leaf class');
  }
}

function branch(b: WBuf, br: BranchMeta, leafRefs: number[], treeEntries: number): void {
  const el = br.element;
  const o = b.beginObject(el ? 'TBranchElement' : 'TBranch');
  const e = el ? b.begin(10) : -1;
  const s = b.begin(13);
  b.tnamed(br.name, br.title, 0x00400000);
  const fill = b.begin(2); b.i16(0); b.i16(1001); b.end(fill);
  const nb = br.basketBytes.length;
  const cap = Math.max(10, nb + 1);
  b.i32(br.compress); b.i32(br.basketSize); b.i32(br.entryOffsetLen); b.i32(nb); b.i64(br.entries);
  b.raw(IO_FEATURES);
  b.i32(0); b.i32(cap); b.i32(0); b.i64(br.entries); b.i64(0); b.i64(br.totBytes); b.i64(br.zipBytes);
  b.end(b.objArrayHeader(0)); // fBranches
  const leaves = b.objArrayHeader(1);
  const lf = br.leaf;
  const lo = b.beginObject(lf.className);
  leafRefs.push(lo.ref);
  const lv = b.begin(1); // TLeafX, TLeafC and TLeafElement are all version 1
  const tl = b.begin(2);
  b.tnamed(lf.name, lf.title);
  b.i32(lf.len); b.i32(lf.lenType); b.i32(0); b.bool(lf.isRange); b.bool(lf.isUnsigned);
  if (lf.counter === null) b.u32(0);
  else {
    const ref = leafRefs[lf.counter];
    if (ref === undefined) throw new Error(`branch ${br.name}: its counter must come before it`);
    b.u32(ref);
  }
  b.end(tl);
  minMax(b, lf.className, lf.min);
  minMax(b, lf.className, lf.max);
  if (lf.className === 'TLeafElement') { b.i32(-1); b.i32(-1); } // fID, fType: the whole STL object
  b.end(lv);
  b.end(lo.start);
  b.end(leaves);
  b.end(b.objArrayHeader(0)); // fBaskets: none embedded
  b.u8(1); for (let i = 0; i < cap; i++) b.i32(i < nb ? br.basketBytes[i]! : 0);
  b.u8(1); for (let i = 0; i < cap; i++) b.i64(i < nb ? br.basketEntry[i]! : i === nb ? treeEntries : 0);
  b.u8(1); for (let i = 0; i < cap; i++) b.i64(i < nb ? br.basketSeek[i]! : 0);
  b.tstring(''); // fFileName
  b.end(s);
  if (el) {
    b.tstring(el.className); b.tstring(''); b.tstring(''); // fClassName, fParentName, fClonesName
    b.u32(el.checksum); b.i16(el.classVersion);
    b.i32(-1); b.i32(0); b.i32(-1); b.i32(0); // fID, fType, fStreamerType, fMaximum
    b.u32(0); b.u32(0); // fBranchCount, fBranchCount2
    b.end(e);
  }
  b.end(o.start);
}

/** The TTree key payload; keylen is the length of the key it goes into (references count from it). */
export function treePayload(t: TreeMeta, keylen: number): Uint8Array {
  const b = new WBuf(4096 + t.branches.length * 512, keylen);
  const top = b.begin(20);
  b.tnamed(t.name, t.title, kMustCleanup);
  const line = b.begin(2); b.i16(602); b.i16(1); b.i16(1); b.end(line);
  const fill = b.begin(2); b.i16(0); b.i16(1001); b.end(fill);
  const marker = b.begin(2); b.i16(1); b.i16(1); b.f32(1); b.end(marker);
  b.i64(t.entries); b.i64(t.totBytes); b.i64(t.zipBytes); b.i64(t.zipBytes); b.i64(0);
  b.f64(1); // fWeight
  b.i32(0); b.i32(25); b.i32(0); b.i32(1000); b.i32(0); // timer, scan field, update, default entry offset len, cluster ranges
  b.i64(1000000000000); b.i64(1000000000000); b.i64(0); // fMaxEntries, fMaxEntryLoop, fMaxVirtualSize
  b.i64(-300000000); b.i64(-30000000); b.i64(1000000); // fAutoSave, fAutoFlush, fEstimate
  b.u8(0); b.u8(0); // fClusterRangeEnd, fClusterSize: no arrays
  b.raw(IO_FEATURES);
  const branches = b.objArrayHeader(t.branches.length);
  const leafRefs: number[] = [];
  for (const br of t.branches) branch(b, br, leafRefs, t.entries);
  b.end(branches);
  const leaves = b.objArrayHeader(leafRefs.length);
  for (const r of leafRefs) b.u32(r);
  b.end(leaves);
  for (let i = 0; i < 7; i++) b.u32(0); // fAliases, fIndexValues, fIndex, fTreeIndex, fFriends, fUserInfo, fBranchRef
  b.end(top);
  return b.bytes();
}
