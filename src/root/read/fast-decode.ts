// A native decoder of the objects read from every input file (TTree with its TBranch/TLeaf
// metadata, histograms), driven by streamer infos jsroot already decoded (for this file, or for an
// earlier one with the byte-identical StreamerInfo record). jsroot's generic decoding of a TTree
// costs most of opening a small file; this reads the same members into the same shapes (member
// names as jsroot gives them) in a small fraction of that. Used by hadd for every input after the
// first, and by RootFileReader.tree (every tree a chunk opens). It covers what trees and histograms
// hold: basic members and arrays, TString, TObject/TNamed, TObjArray/TList/THashList, TArray*,
// embedded and pointed-to objects described by an info. Anything else (an STL member, a class
// without an info, Double32 with a range, a byte count that does not close) is
// FastPathUnsupported, and the caller falls back to jsroot for that object: never a guess. Baskets
// kept inside a TTree's key (the last ones of a tree never flushed) are read as jsroot reads them.
import type { JsStreamerElement, JsStreamerInfo } from './jsroot.js';
import { ByteCursor, FastPathUnsupported, InfoSet } from './fast-bytes.js';
export { FastPathUnsupported, InfoSet } from './fast-bytes.js';

type Obj = Record<string, unknown>;

const kByteCountMask = 0x40000000;
const kClassMask = 0x80000000;
const kNewClassTag = 0xffffffff;
const kMapOffset = 2;
const kIsReferenced = 1 << 4;

const TARRAY: Record<string, number | undefined> = { TArrayC: 1, TArrayS: 2, TArrayI: 3, TArrayL: 4, TArrayL64: 16, TArrayF: 5, TArrayD: 8 };

/** Reads one object's bytes as stored in its key (class tags count from the key start: `keylen`). */
class Reader extends ByteCursor {
  private readonly objects = new Map<number, unknown>([[0, null]]);
  private readonly classes = new Map<number, string>();
  constructor(b: Uint8Array, private readonly keylen: number, private readonly infos: InfoSet) {
    super(b);
  }
  /** Byte count and version of a class's part (an old buffer without byte count is rolled back). */
  version(): { v: number; end: number; checksum: number | null } {
    this.need(6);
    const bc = this.dv.getUint32(this.p);
    let end = -1;
    if (bc & kByteCountMask) { this.p += 4; end = this.p + (bc & ~kByteCountMask); }
    const v = this.i2();
    // Version 0 with a byte count: a checksum follows when it names a known info (as jsroot reads it).
    if (v <= 0 && end >= 0 && end - this.p >= 4) {
      const sum = this.dv.getUint32(this.p);
      if (this.infos.hasChecksum(sum)) { this.p += 4; return { v, end, checksum: sum }; }
    }
    return { v, end, checksum: null };
  }

  close(end: number, cls: string): void {
    if (end >= 0 && this.p !== end) throw new FastPathUnsupported(`${cls}: read up to ${this.p}, byte count says ${end}`);
  }

  /** The members of class `cls` (its version header first) into `obj`. */
  klass(obj: Obj, cls: string): Obj {
    obj._typename ??= cls; // a base class's part does not rename the object
    if (cls === 'TBasket') { this.basket(obj); return obj; }
    const { v, end, checksum } = this.version();
    switch (cls) {
      case 'TObject': this.tobject(obj); break;
      case 'TNamed': this.klass(obj, 'TObject'); obj.fName = this.tstring(); obj.fTitle = this.tstring(); break;
      case 'TObjString': this.klass(obj, 'TObject'); obj.fString = this.tstring(); break;
      case 'TList': case 'THashList': this.list(obj, v); break;
      case 'TObjArray': this.objArray(obj, v); break;
      // ROOT's dictionary classes, as jsroot's own streamers read them (io.mjs): the StreamerInfo record.
      case 'TStreamerInfo': this.klass(obj, 'TNamed'); obj.fCheckSum = this.u4(); obj.fClassVersion = this.u4(); obj.fElements = this.any(); break;
      case 'TStreamerElement': this.element(obj, v); break;
      case 'TStreamerBase': this.klass(obj, 'TStreamerElement'); if (v > 2) obj.fBaseVersion = this.u4(); break;
      case 'TStreamerSTL': this.stl(obj); break;
      case 'TStreamerSTLstring': if (v > 0) this.klass(obj, 'TStreamerSTL'); break;
      case 'TStreamerLoop': case 'TStreamerBasicPointer':
        if (v > 1) { this.klass(obj, 'TStreamerElement'); obj.fCountVersion = this.u4(); obj.fCountName = this.tstring(); obj.fCountClass = this.tstring(); }
        break;
      case 'TStreamerObject': case 'TStreamerBasicType': case 'TStreamerObjectAny': case 'TStreamerString': case 'TStreamerObjectPointer':
        if (v > 1) this.klass(obj, 'TStreamerElement');
        break;
      case 'TStreamerObjectAnyPointer': if (v > 0) this.klass(obj, 'TStreamerElement'); break;
      case 'TClonesArray': case 'TTreeIndex': case 'TBranchRef': case 'TRefTable': case 'TMap':
        throw new FastPathUnsupported(`${cls} inside the object`);
      default: this.members(obj, checksum !== null ? this.infos.byChecksum(cls, checksum) : this.infos.find(cls, v)); break;
    }
    this.close(end, cls);
    return obj;
  }

  /**
   * A basket kept inside its TTree's key (ROOT's TBasket::Streamer, as jsroot reads it): its key
   * header, sizes, entry offsets and data bytes, in the members basketsOf reads.
   */
  private basket(obj: Obj): void {
    obj.fNbytes = this.i4();
    const kv = this.i2();
    obj.fVersion = kv;
    obj.fObjlen = this.u4();
    this.u4(); // fDatime: not needed (jsroot gives it as a TDatime object)
    const keylen = this.u2();
    obj.fKeylen = keylen;
    obj.fCycle = this.u2();
    if (kv > 1000) { obj.fSeekKey = this.u8(); this.u8(); } else { obj.fSeekKey = this.u4(); this.u4(); }
    obj.fClassName = this.tstring(); obj.fName = this.tstring(); obj.fTitle = this.tstring();
    const { v } = this.version();
    obj.fBufferSize = this.i4();
    let nevBufSize = this.i4();
    if (nevBufSize < 0) { nevBufSize = -nevBufSize; obj.fIOBits = this.u1(); }
    obj.fNevBufSize = nevBufSize;
    const nevBuf = this.i4(), last = this.i4();
    obj.fNevBuf = nevBuf; obj.fLast = last;
    if (last > (obj.fBufferSize as number)) obj.fBufferSize = last;
    const flag = this.u1();
    if (flag === 0) return;
    if (flag % 10 !== 2) {
      if (nevBuf) {
        const off = this.array(3, this.i4()) as Int32Array;
        if (flag > 20 && flag < 40) for (let i = 0; i < nevBuf && i < off.length; i++) off[i]! &= ~0xff000000;
        obj.fEntryOffset = off;
      }
      if (flag > 40) obj.fDisplacement = this.array(3, this.i4());
    }
    if (flag === 1 || flag > 10) {
      const sz = v <= 1 ? this.i4() : last;
      this.need(sz);
      if (sz > keylen) {
        const data = this.b.slice(this.p + keylen, this.p + sz); // a copy: the tree's buffer is not kept
        obj.fBufferRef = { arr: new DataView(data.buffer), length: sz - keylen };
      }
      this.p += sz;
    }
  }

  /** TStreamerElement's own members (jsroot's streamer: a UChar named Bool_t/bool is kBool). */
  private element(obj: Obj, v: number): void {
    this.klass(obj, 'TNamed');
    obj.fType = this.u4(); obj.fSize = this.u4(); obj.fArrayLength = this.u4(); obj.fArrayDim = this.u4();
    const n = v === 1 ? this.u4() : 5;
    if (n > 64) throw new FastPathUnsupported(`TStreamerElement with ${n} dimensions`);
    const max = new Uint32Array(n);
    for (let i = 0; i < n; i++) max[i] = this.u4();
    obj.fMaxIndex = max;
    const typeName = this.tstring();
    obj.fTypeName = typeName;
    if (obj.fType === 11 && (typeName === 'Bool_t' || typeName === 'bool')) obj.fType = 18;
    obj.fXmin = 0; obj.fXmax = 0; obj.fFactor = 0;
    if (v === 3) { obj.fXmin = this.f8(); obj.fXmax = this.f8(); obj.fFactor = this.f8(); }
    // A range in the title (Double32_t/Float16_t with kHasRange): jsroot parses it; not done here.
    else if (v > 3 && ((obj.fBits as number) & (1 << 6))) throw new FastPathUnsupported(`${String(obj.fName)}: element with a range`);
  }

  /** TStreamerSTL: jsroot corrects a set/multimap kind that disagrees with the type name. */
  private stl(obj: Obj): void {
    this.klass(obj, 'TStreamerElement');
    let kind = this.u4();
    obj.fCtype = this.u4();
    const t = obj.fTypeName as string;
    if (kind === 5 && (t.startsWith('std::set') || t.startsWith('set'))) kind = 6;
    if (kind === 6 && (t.startsWith('std::multimap') || t.startsWith('multimap'))) kind = 5;
    obj.fSTLtype = kind;
  }

  private tobject(obj: Obj): void {
    // The version was read by klass (TObject writes it without a byte count).
    obj.fUniqueID = this.u4();
    obj.fBits = this.u4();
    if ((obj.fBits as number) & kIsReferenced) this.u2();
  }

  private list(obj: Obj, v: number): void {
    if (v <= 3) throw new FastPathUnsupported(`TList version ${v}`);
    this.klass(obj, 'TObject');
    obj.name = this.tstring();
    const n = this.u4();
    if (n > this.b.length) throw new FastPathUnsupported(`list of ${n} objects`);
    const arr = new Array<unknown>(n), opt = new Array<string>(n);
    for (let i = 0; i < n; i++) { arr[i] = this.any(); opt[i] = this.tstring(); }
    obj.arr = arr; obj.opt = opt;
  }

  private objArray(obj: Obj, v: number): void {
    if (v > 2) this.klass(obj, 'TObject');
    obj.name = v > 1 ? this.tstring() : '';
    const n = this.u4();
    if (n > this.b.length) throw new FastPathUnsupported(`array of ${n} objects`);
    obj.fLast = n - 1;
    obj.fLowerBound = this.u4();
    const arr = new Array<unknown>(n);
    for (let i = 0; i < n; i++) arr[i] = this.any();
    obj.arr = arr;
  }

  /** An object pointer: null, a reference to an object read before, or a new object with its class. */
  any(): unknown {
    const objTag = this.keylen + this.p + kMapOffset;
    let bc = this.u4();
    const start = this.p;
    let tag: number;
    if (!(bc & kByteCountMask) || bc === kNewClassTag) { tag = bc; bc = 0; } else tag = this.u4();
    if (!(tag & kClassMask)) {
      if (!this.objects.has(tag)) throw new FastPathUnsupported(`reference to an object not read (${tag})`);
      return this.objects.get(tag);
    }
    let cls: string;
    if (tag === kNewClassTag) {
      const z = this.b.indexOf(0, this.p);
      if (z < 0) throw new FastPathUnsupported('unterminated class name');
      cls = Buffer.from(this.b.buffer, this.b.byteOffset + this.p, z - this.p).toString('latin1');
      this.p = z + 1;
      this.classes.set(this.keylen + start + kMapOffset, cls);
    } else {
      const c = this.classes.get(((tag & ~kClassMask) >>> 0));
      if (c === undefined) throw new FastPathUnsupported(`reference to a class not read (${tag})`);
      cls = c;
    }
    const end = bc ? start + (bc & ~kByteCountMask) : -1;
    if (TARRAY[cls] !== undefined) throw new FastPathUnsupported(`${cls} through a pointer`);
    const obj: Obj = { _typename: cls };
    this.objects.set(objTag, obj);
    this.klass(obj, cls);
    this.close(end, cls);
    return obj;
  }

  private members(obj: Obj, info: JsStreamerInfo): void {
    for (const e of info.fElements?.arr ?? []) if (e !== null) this.member(obj, e);
  }

  private member(obj: Obj, e: JsStreamerElement): void {
    const t = e.fType;
    if (e.fTypeName === 'BASE') {
      const ak = TARRAY[e.fName];
      if (ak !== undefined) obj.fArray = this.array(ak, this.i4());
      else this.klass(obj, e.fName);
      return;
    }
    if (t === 9 || t === 19 || t === 29 || t === 39 || t === 49 || t === 59) {
      if (t !== 9 || e.fFactor || e.fXmin) throw new FastPathUnsupported(`${e.fName}: Double32/Float16 with a range`);
      obj[e.fName] = this.f4();
      return;
    }
    if (t > 0 && t < 20 && t !== 7 && t !== 10) { obj[e.fName] = this.basic(t); return; }
    if (t > 20 && t < 40) {
      if (e.fArrayDim > 1) throw new FastPathUnsupported(`${e.fName}: multi-dimensional array`);
      obj[e.fName] = this.array(t - 20, e.fArrayLength);
      return;
    }
    if (t > 40 && t < 60) {
      const n = obj[e.fCountName ?? ''];
      if (typeof n !== 'number') throw new FastPathUnsupported(`${e.fName}: count ${e.fCountName ?? '?'} not read`);
      obj[e.fName] = this.u1() === 1 ? this.array(t - 40, n) : [];
      return;
    }
    switch (t) {
      case 65: obj[e.fName] = this.tstring(); return;                 // TString
      case 61: case 62: case 63: case 66: case 67: {                    // embedded object (63: a `//->` pointer, never null, streamed in place)
        const ak = TARRAY[e.fTypeName];
        if (ak !== undefined) { obj[e.fName] = this.array(ak, this.i4()); return; }
        if (e.fArrayLength > 0) throw new FastPathUnsupported(`${e.fName}: array of objects`);
        obj[e.fName] = this.klass({}, e.fTypeName.replace(/\*$/, ''));
        return;
      }
      case 64:                                                          // object pointer
        if (e.fArrayLength > 0) throw new FastPathUnsupported(`${e.fName}: array of pointers`);
        obj[e.fName] = this.any();
        return;
      default: throw new FastPathUnsupported(`${e.fName}: member type ${t} (${e.fTypeName})`);
    }
  }

  at(): number { return this.p; }
  /** The object of the key itself: references to it carry tag 1 (as ROOT maps it when reading a key). */
  top(obj: Obj): void { this.objects.set(1, obj); }
}

/** Decodes the object stored in a key (uncompressed payload `bytes`) as jsroot would, or throws FastPathUnsupported. */
export function decodeKeyObject(bytes: Uint8Array, keylen: number, className: string, infos: InfoSet): Obj {
  const r = new Reader(bytes, keylen, infos);
  const obj: Obj = { _typename: className };
  r.top(obj);
  try {
    r.klass(obj, className);
  } catch (e) {
    if (e instanceof FastPathUnsupported) throw e;
    throw new FastPathUnsupported(`${className}: ${(e as Error).message}`);
  }
  if (r.at() !== bytes.length) throw new FastPathUnsupported(`${className} ends at ${r.at()} of ${bytes.length} bytes`);
  return obj;
}

/**
 * The StreamerInfo list of a file (its key's uncompressed payload) as jsroot's TFile holds it in
 * `fStreamerInfos.arr`: TStreamerInfo records with their elements, and ROOT's list of schema
 * rules. Throws FastPathUnsupported for anything jsroot's own streamers would do differently
 * (then the caller opens the file with jsroot).
 */
export function decodeStreamerInfoList(bytes: Uint8Array, keylen: number): unknown[] {
  const list = decodeKeyObject(bytes, keylen, 'TList', new InfoSet([]));
  return list.arr as unknown[];
}
