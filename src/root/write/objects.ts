// Streams objects as jsroot decoded them back into ROOT's format, member by member, following
// the TStreamerInfo of their class (the inverse of jsroot's streamer-driven reader). hadd uses it
// to write merged TTree metadata (any branch and leaf class) and added histograms (TH1/2/3 of
// every precision, profiles) in the class versions the inputs were written with.
import { WBuf, kClassMask, kNewClassTag } from './wbuf.js';

/** The members of one TStreamerElement that streaming needs (as jsroot decodes them). */
export interface ElementDesc {
  fName: string; fType: number; fTypeName: string; fArrayLength: number; fArrayDim: number;
  fMaxIndex?: ArrayLike<number>; fCountName?: string; fBaseVersion?: number;
  fFactor?: number; fXmin?: number; fXmax?: number;
}
export interface InfoDesc { fName: string; fClassVersion: number; fElements: { arr: (ElementDesc | null)[] } | null }
/** The streamer info to write an object of a class with (may look at the object to pick a version). */
export type InfoLookup = (className: string, obj: Record<string, unknown>) => InfoDesc | null;

/** An object or member that cannot be streamed (unknown class, STL member…). */
export class SerializeError extends Error {}

type Obj = Record<string, unknown>;
const kMapOffset = 2;
const kIsReferenced = 1 << 4;

// EReadWrite codes of TVirtualStreamerInfo.
const kBase = 0, kOffsetL = 20, kOffsetP = 40, kObject = 61, kAny = 62, kObjectp = 63, kObjectP = 64,
  kTString = 65, kTObject = 66, kTNamed = 67, kAnyp = 68, kAnyP = 69;
const kChar = 1, kShort = 2, kInt = 3, kLong = 4, kFloat = 5, kCounter = 6, kCharStar = 7, kDouble = 8,
  kDouble32 = 9, kLegacyChar = 10, kUChar = 11, kUShort = 12, kUInt = 13, kULong = 14, kBits = 15,
  kLong64 = 16, kULong64 = 17, kBool = 18, kFloat16 = 19;

const arrayKinds: Record<string, number> = { TArrayI: kInt, TArrayD: kDouble, TArrayF: kFloat, TArrayS: kShort, TArrayC: kChar, TArrayL: kLong, TArrayL64: kLong64 };

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
  if (v === undefined || v === null) return 0;
  return Number(v);
}

/** A typed array of numbers (not BigInts): streamed by WBuf's bulk writers. */
function numeric(a: ArrayLike<unknown>): a is ArrayLike<number> {
  return ArrayBuffer.isView(a) && !(a instanceof BigInt64Array) && !(a instanceof BigUint64Array) && !(a instanceof DataView);
}

function values(v: unknown): ArrayLike<unknown> {
  if (v === null || v === undefined) return [];
  if (typeof v === 'object' && 'length' in (v as object)) return v as ArrayLike<unknown>;
  throw new SerializeError(`expected an array, got ${typeof v}`);
}

export class ObjectWriter {
  private readonly refs = new Map<object, number>();
  private readonly classTags = new Map<string, number>();

  constructor(readonly b: WBuf, private readonly infos: InfoLookup) {}

  /** A pointer member (WriteObjectAny): null, a reference to an object already written, or class tag + object. */
  objectAny(obj: unknown): void {
    const b = this.b;
    if (obj === null || obj === undefined) { b.u32(0); return; }
    if (typeof obj !== 'object') throw new SerializeError(`pointer to a ${typeof obj}`);
    const known = this.refs.get(obj);
    if (known !== undefined) { b.u32(known); return; }
    const o = obj as Obj;
    const cls = typeof o._typename === 'string' ? o._typename : '';
    if (cls === '') throw new SerializeError('object without a class name');
    const start = b.pos;
    b.u32(0);
    const tagPos = b.pos;
    const tag = this.classTags.get(cls);
    if (tag !== undefined) b.u32((tag | kClassMask) >>> 0);
    else { b.u32(kNewClassTag); b.cstring(cls); this.classTags.set(cls, tagPos + b.origin + kMapOffset); }
    this.refs.set(obj, start + b.origin + kMapOffset);
    this.classBody(o, cls);
    b.end(start);
  }

  /** An object streamed in place: its class's own framing (byte count and version, or custom). */
  classBody(o: Obj, cls: string): void {
    const b = this.b;
    const ak = arrayKinds[cls];
    if (ak !== undefined) { const a = values(o.fArray ?? o); b.i32(a.length); this.basicArray(a, ak, a.length); return; }
    switch (cls) {
      case 'TObject': this.tobject(o); return;
      case 'TString': b.tstring(String(o.fString ?? '')); return;
      case 'TObjArray': this.objArray(o); return;
      case 'TList': case 'THashList': this.list(o); return;
      case 'TNamed': { const s = b.begin(1); this.tobject(o); b.tstring(String(o.fName ?? '')); b.tstring(String(o.fTitle ?? '')); b.end(s); return; }
      case 'TObjString': { const s = b.begin(1); this.tobject(o); b.tstring(String(o.fString ?? '')); b.end(s); return; }
      default: break;
    }
    const info = this.infos(cls, o);
    if (info === null) throw new SerializeError(`no streamer info for class ${cls}`);
    const s = b.begin(info.fClassVersion);
    for (const e of info.fElements?.arr ?? []) if (e) this.member(o, e, cls);
    b.end(s);
  }

  private tobject(o: Obj): void {
    const b = this.b;
    b.u16(1);
    b.u32(num(o.fUniqueID));
    const bits = num(o.fBits ?? 0x03000000);
    b.u32(bits);
    if (bits & kIsReferenced) b.u16(0); // process id of a referenced object
  }

  private objArray(o: Obj): void {
    const b = this.b;
    const arr = (o.arr as unknown[] | undefined) ?? [];
    const s = b.begin(3);
    this.tobject(o);
    b.tstring(String(o.name ?? ''));
    b.i32(arr.length);
    b.i32(num(o.fLowerBound));
    for (const x of arr) this.objectAny(x ?? null);
    b.end(s);
  }

  private list(o: Obj): void {
    const b = this.b;
    const arr = (o.arr as unknown[] | undefined) ?? [];
    const opt = (o.opt as string[] | undefined) ?? [];
    const s = b.begin(5);
    this.tobject(o);
    b.tstring(String(o.name ?? ''));
    b.i32(arr.length);
    arr.forEach((x, i) => { this.objectAny(x ?? null); b.tstring(opt[i] ?? ''); });
    b.end(s);
  }

  private member(o: Obj, e: ElementDesc, cls: string): void {
    const b = this.b;
    const name = e.fName;
    let t = e.fType;
    if (e.fTypeName === 'BASE') {
      const ak = arrayKinds[name];
      if (ak !== undefined) { const a = values(o.fArray); b.i32(a.length); this.basicArray(a, ak, a.length); return; }
      t = kBase;
    }
    const v = o[name];
    if (t === kBase) { this.classBody(o, name); return; }
    if (t >= kChar && t <= kFloat16) { this.basic(v, t, e); return; }
    if (t > kOffsetL && t < kOffsetP) {
      const n = e.fArrayLength;
      if (t === kOffsetL + kChar && typeof v === 'string') { const s = Buffer.from(v, 'latin1'); for (let i = 0; i < n; i++) b.i8(s[i] ?? 0); return; }
      this.fixedArray(v, t - kOffsetL, n, e);
      return;
    }
    if (t > kOffsetP && t < kOffsetP + 20) {
      const count = num(o[e.fCountName ?? '']);
      if (v === null || v === undefined) { b.u8(0); return; }
      b.u8(1);
      if (typeof v === 'string') { const s = Buffer.from(v, 'latin1'); for (let i = 0; i < count; i++) b.i8(s[i] ?? 0); return; }
      const a = values(v), et = t - kOffsetP;
      // Basket lists of merged trees hold tens of thousands of values: the common types in tight loops.
      if (et === kInt && numeric(a)) { b.i32s(a, count); return; }
      if (et === kInt) { for (let i = 0; i < count; i++) b.i32(i < a.length ? Number(a[i]) : 0); return; }
      if ((et === kLong64 || et === kLong) && numeric(a)) { b.i64s(a, count); return; }
      if ((et === kLong64 || et === kLong) && a.length >= count && typeof a[0] !== 'bigint') { for (let i = 0; i < count; i++) b.i64(Number(a[i])); return; }
      for (let i = 0; i < count; i++) this.basic(i < a.length ? a[i] : 0, et, e);
      return;
    }
    const typeName = (e.fTypeName ?? '').replace(/\*$/, '');
    switch (t) {
      case kObject: case kAny: case kObjectp: case kAnyp: case kTObject: case kTNamed: {
        if (e.fArrayLength > 1) {
          const a = values(v);
          for (let i = 0; i < e.fArrayLength; i++) this.inPlace(a[i], typeName);
        } else this.inPlace(v, typeName);
        return;
      }
      case kObjectP: case kAnyP: {
        if (e.fArrayLength > 1) { const a = values(v); for (let i = 0; i < e.fArrayLength; i++) this.objectAny(a[i] ?? null); } else this.objectAny(v ?? null);
        return;
      }
      case kTString: b.tstring(String(v ?? '')); return;
      default: throw new SerializeError(`${cls}::${name}: members of streamer type ${t} (${e.fTypeName}) are not written`);
    }
  }

  private inPlace(v: unknown, typeName: string): void {
    const ak = arrayKinds[typeName];
    if (ak !== undefined) { const a = values(v); this.b.i32(a.length); this.basicArray(a, ak, a.length); return; }
    if (typeName === 'TString' || typeName === 'string') { this.b.tstring(String(v ?? '')); return; }
    if (v === null || v === undefined || typeof v !== 'object') throw new SerializeError(`member of class ${typeName} is missing`);
    this.classBody(v as Obj, typeName);
  }

  private fixedArray(v: unknown, t: number, n: number, e: ElementDesc): void {
    const flat: unknown[] = [];
    const walk = (x: unknown): void => {
      if (x !== null && typeof x === 'object' && 'length' in (x as object) && typeof x !== 'string') for (const y of Array.from(x as ArrayLike<unknown>)) walk(y);
      else flat.push(x);
    };
    walk(v);
    const total = e.fArrayDim > 1 && e.fMaxIndex ? Array.from(e.fMaxIndex).slice(0, e.fArrayDim).reduce((a, c) => a * c, 1) : n;
    for (let i = 0; i < total; i++) this.basic(i < flat.length ? flat[i] : 0, t, e);
  }

  private basicArray(a: ArrayLike<unknown>, t: number, n: number): void {
    for (let i = 0; i < n; i++) this.basic(a[i], t, null);
  }

  private basic(v: unknown, t: number, e: ElementDesc | null): void {
    const b = this.b;
    switch (t) {
      case kChar: b.i8(num(v)); return;
      case kLegacyChar: case kUChar: b.u8(num(v) & 0xff); return;
      case kShort: b.i16(num(v)); return;
      case kUShort: b.u16(num(v) & 0xffff); return;
      case kInt: case kCounter: b.i32(num(v)); return;
      case kUInt: case kBits: b.u32(num(v)); return;
      case kLong: case kLong64: b.i64(typeof v === 'bigint' ? v : Math.round(num(v))); return;
      case kULong: case kULong64: b.u64(typeof v === 'bigint' ? v : BigInt(Math.max(0, Math.round(num(v))))); return;
      case kFloat: b.f32(num(v)); return;
      case kDouble: b.f64(num(v)); return;
      case kBool: b.u8(v ? 1 : 0); return;
      case kCharStar: { const s = Buffer.from(String(v ?? ''), 'utf8'); b.i32(s.length); b.raw(s); return; }
      case kDouble32: case kFloat16: this.truncated(num(v), t === kDouble32, e); return;
      default: throw new SerializeError(`basic type ${t} is not written`);
    }
  }

  /** Double32_t / Float16_t as ROOT packs them: by range and bits, as float, or as exponent + mantissa. */
  private truncated(x: number, double32: boolean, e: ElementDesc | null): void {
    const b = this.b;
    if (e?.fFactor) {
      const xmin = e.fXmin ?? 0, xmax = e.fXmax ?? 0;
      const c = x < xmin ? xmin : x > xmax ? xmax : x;
      b.u32(Math.floor(0.5 + e.fFactor * (c - xmin)));
      return;
    }
    if (double32 && (e?.fXmin ?? 0) === 0) { b.f32(x); return; }
    const nbits = Math.round(e?.fXmin ?? 0) || 12;
    const dv = new DataView(new ArrayBuffer(4));
    dv.setFloat32(0, x);
    const iv = dv.getInt32(0);
    const exp = ((iv << 1) >>> 24) & 0xff;
    let man = ((1 << (nbits + 1)) - 1) & (iv >> (23 - nbits - 1));
    man++; man >>= 1;
    if (man & (1 << nbits)) man = (1 << nbits) - 1;
    if (x < 0) man |= 1 << (nbits + 1);
    b.u8(exp); b.u16(man);
  }
}
