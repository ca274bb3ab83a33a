// Column element types of the RNTuple format and the decoding of one page's bytes into values
// (split, zigzag and delta encodings, bits, half floats). BinaryFormatSpecification.md,
// "Column Description".
import { RNTupleFormatError } from './rbuf.js';
import { assertNever } from '../../util/result.js';

export const enum ColType {
  Bit = 0x00, Byte = 0x01, Char = 0x02, Int8 = 0x03, UInt8 = 0x04, Int16 = 0x05, UInt16 = 0x06,
  Int32 = 0x07, UInt32 = 0x08, Int64 = 0x09, UInt64 = 0x0a, Real16 = 0x0b, Real32 = 0x0c, Real64 = 0x0d,
  Index32 = 0x0e, Index64 = 0x0f, Switch = 0x10, SplitInt16 = 0x11, SplitUInt16 = 0x12, SplitInt32 = 0x13,
  SplitUInt32 = 0x14, SplitInt64 = 0x15, SplitUInt64 = 0x16, SplitReal16 = 0x17, SplitReal32 = 0x18,
  SplitReal64 = 0x19, SplitIndex32 = 0x1a, SplitIndex64 = 0x1b, Real32Trunc = 0x1c, Real32Quant = 0x1d,
}

/** What the values of a column are once decoded. */
export type ValueKind = 'bit' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f16' | 'f32' | 'f64' | 'index32' | 'index64';

export interface TypeInfo {
  name: string; bytes: number; kind: ValueKind; split: boolean; zigzag: boolean; delta: boolean;
  /** Real32Trunc / Real32Quant: each element is the top `bits` bits of a 32-bit word, bit-packed. */
  packed?: { bits: number; quant: { min: number; max: number } | null };
}

const T = (name: string, bytes: number, kind: ValueKind, split = false, zigzag = false, delta = false): TypeInfo => ({ name, bytes, kind, split, zigzag, delta });

const TYPES: Record<number, TypeInfo | undefined> = {
  0x00: T('Bit', 0, 'bit'), 0x01: T('Byte', 1, 'u8'), 0x02: T('Char', 1, 'i8'), 0x03: T('Int8', 1, 'i8'), 0x04: T('UInt8', 1, 'u8'),
  0x05: T('Int16', 2, 'i16'), 0x06: T('UInt16', 2, 'u16'), 0x07: T('Int32', 4, 'i32'), 0x08: T('UInt32', 4, 'u32'),
  0x09: T('Int64', 8, 'i64'), 0x0a: T('UInt64', 8, 'u64'), 0x0b: T('Real16', 2, 'f16'), 0x0c: T('Real32', 4, 'f32'), 0x0d: T('Real64', 8, 'f64'),
  0x0e: T('Index32', 4, 'index32'), 0x0f: T('Index64', 8, 'index64'),
  0x11: T('SplitInt16', 2, 'i16', true, true), 0x12: T('SplitUInt16', 2, 'u16', true), 0x13: T('SplitInt32', 4, 'i32', true, true),
  0x14: T('SplitUInt32', 4, 'u32', true), 0x15: T('SplitInt64', 8, 'i64', true, true), 0x16: T('SplitUInt64', 8, 'u64', true),
  0x17: T('SplitReal16', 2, 'f16', true), 0x18: T('SplitReal32', 4, 'f32', true), 0x19: T('SplitReal64', 8, 'f64', true),
  0x1a: T('SplitIndex32', 4, 'index32', true, false, true), 0x1b: T('SplitIndex64', 8, 'index64', true, false, true),
};

export function columnTypeName(type: number): string {
  if (type === ColType.Switch) return 'Switch';
  if (type === ColType.Real32Trunc) return 'Real32Trunc';
  if (type === ColType.Real32Quant) return 'Real32Quant';
  return TYPES[type]?.name ?? `unknown column type 0x${type.toString(16)}`;
}

/** The column settings that some types need: bits on storage and value range (from the header). */
export interface ColumnSettings { bits: number; min: number; max: number; flags: number }
const COLUMN_RANGE = 0x02;

/** The type's description, or the reason it cannot be read. */
export function columnType(type: number, col?: ColumnSettings): TypeInfo | string {
  const t = TYPES[type];
  if (t !== undefined) return t;
  if (type === ColType.Real32Trunc || type === ColType.Real32Quant) return packedType(type, col);
  return `column type ${columnTypeName(type)} is not supported`;
}

/**
 * Real32Trunc keeps the top `bits` (10-31) of each float; Real32Quant stores round((x − min) /
 * (max − min) · (2^bits − 1)) in `bits` (1-32) bits, min and max being the column's value range.
 */
function packedType(type: number, col: ColumnSettings | undefined): TypeInfo | string {
  const name = columnTypeName(type);
  if (col === undefined) return `column type ${name} needs its bits on storage`;
  const quant = type === ColType.Real32Quant;
  const [lo, hi] = quant ? [1, 32] : [10, 31];
  if (!Number.isInteger(col.bits) || col.bits < lo || col.bits > hi) return `column type ${name} with ${col.bits} bits on storage (allowed ${lo}-${hi})`;
  if (quant && (!(col.flags & COLUMN_RANGE) || !(col.min < col.max) || !Number.isFinite(col.max - col.min))) return `column type ${name} without a valid value range`;
  return { name, bytes: 4, kind: 'f32', split: false, zigzag: false, delta: false, packed: { bits: col.bits, quant: quant ? { min: col.min, max: col.max } : null } };
}

export function isIndex(type: number): boolean {
  const t = TYPES[type];
  return t !== undefined && (t.kind === 'index32' || t.kind === 'index64');
}

/** Bytes of an uncompressed page of n elements. */
export function pageBytes(t: TypeInfo, n: number): number {
  if (t.packed !== undefined) return Math.ceil((n * t.packed.bits) / 8);
  return t.kind === 'bit' ? Math.ceil(n / 8) : n * t.bytes;
}

/** Decoded values: numbers for index columns (cluster-relative offsets) and for every kind but 64-bit integers. */
export type Values = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** Allocates the array a column of this kind decodes into (index columns: Float64Array of offsets). */
export function allocValues(kind: ValueKind, n: number): Values {
  switch (kind) {
    case 'bit': case 'u8': return new Uint8Array(n);
    case 'i8': return new Int8Array(n);
    case 'i16': return new Int16Array(n);
    case 'u16': return new Uint16Array(n);
    case 'i32': return new Int32Array(n);
    case 'u32': return new Uint32Array(n);
    case 'i64': return new BigInt64Array(n);
    case 'u64': return new BigUint64Array(n);
    case 'f16': case 'f32': return new Float32Array(n);
    case 'f64': case 'index32': case 'index64': return new Float64Array(n);
    default: return assertNever(kind, 'value kind');
  }
}

/** Undoes the split encoding: all first bytes, then all second bytes, … → little-endian elements. */
function unsplit(src: Uint8Array, n: number, size: number): Uint8Array {
  const out = new Uint8Array(n * size);
  // One pass per element, the bytes assembled into 16/32-bit words (little-endian machine, as the
  // typed-array views of the decoded bytes already assume): one store per word, not per byte.
  if (size === 4) {
    const o32 = new Uint32Array(out.buffer, 0, n);
    const s1 = n, s2 = 2 * n, s3 = 3 * n;
    for (let i = 0; i < n; i++) o32[i] = (src[i]! | (src[s1 + i]! << 8) | (src[s2 + i]! << 16) | (src[s3 + i]! << 24)) >>> 0;
  } else if (size === 8) {
    const o32 = new Uint32Array(out.buffer, 0, 2 * n);
    for (let i = 0; i < n; i++) {
      o32[2 * i] = (src[i]! | (src[n + i]! << 8) | (src[2 * n + i]! << 16) | (src[3 * n + i]! << 24)) >>> 0;
      o32[2 * i + 1] = (src[4 * n + i]! | (src[5 * n + i]! << 8) | (src[6 * n + i]! << 16) | (src[7 * n + i]! << 24)) >>> 0;
    }
  } else if (size === 2) {
    const o16 = new Uint16Array(out.buffer, 0, n);
    for (let i = 0; i < n; i++) o16[i] = src[i]! | (src[n + i]! << 8);
  } else {
    for (let b = 0; b < size; b++) for (let i = 0; i < n; i++) out[i * size + b] = src[b * n + i]!;
  }
  return out;
}

// Each decoding loop has one array type per call site (fast element access, no megamorphic paths).
function zigzag16(v: Uint16Array, d: Int16Array, at: number, n: number): void { for (let i = 0; i < n; i++) { const x = v[i]!; d[at + i] = (x >>> 1) ^ -(x & 1); } }
function zigzag32(v: Uint32Array, d: Int32Array, at: number, n: number): void { for (let i = 0; i < n; i++) { const x = v[i]!; d[at + i] = (x >>> 1) ^ -(x & 1); } }
function zigzag64(v: BigUint64Array, d: BigInt64Array, at: number, n: number): void { for (let i = 0; i < n; i++) { const x = v[i]!; d[at + i] = (x >> 1n) ^ -(x & 1n); } }
function halves(v: Uint16Array, d: Float32Array, at: number, n: number): void { for (let i = 0; i < n; i++) d[at + i] = half(v[i]!); }
function bits(raw: Uint8Array, d: Uint8Array, at: number, n: number): void { for (let i = 0; i < n; i++) d[at + i] = (raw[i >> 3]! >> (i & 7)) & 1; }
function index32(v: Uint32Array, d: Float64Array, at: number, n: number, delta: boolean): void {
  if (!delta) { for (let i = 0; i < n; i++) d[at + i] = v[i]!; return; }
  let acc = 0;
  for (let i = 0; i < n; i++) { acc += v[i]!; d[at + i] = acc; }
}
function index64(v: Uint32Array, d: Float64Array, at: number, n: number, delta: boolean): void {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const x = v[2 * i]! + v[2 * i + 1]! * 4294967296;
    acc = delta ? acc + x : x;
    d[at + i] = acc;
  }
}

/** Little-endian bytes, 8-aligned copy when needed (typed-array views need alignment). */
function aligned(src: Uint8Array, size: number): Uint8Array {
  if (src.byteOffset % Math.max(1, size) === 0) return src;
  return src.slice();
}

/**
 * Decodes one page of `n` elements from its uncompressed bytes into dst[at, at + n).
 * Index columns get `base` added (the offset of this page's first element within the cluster
 * continues from the previous page for delta-encoded pages, which restart at each page).
 */
export function decodePage(t: TypeInfo, raw: Uint8Array, n: number, dst: Values, at: number): void {
  const need = pageBytes(t, n);
  if (raw.length !== need) throw new RNTupleFormatError(`page of ${n} ${t.name} elements has ${raw.length} bytes, expected ${need}`);
  if (n === 0) return;
  if (t.kind === 'bit') { bits(raw, dst as Uint8Array, at, n); return; }
  if (t.packed !== undefined) { unpackReal32(raw, t.packed.bits, t.packed.quant, dst as Float32Array, at, n); return; }
  const bytes = aligned(t.split ? unsplit(raw, n, t.bytes) : raw, t.bytes);
  const buf = bytes.buffer as ArrayBuffer, o = bytes.byteOffset;
  switch (t.kind) {
    case 'i8': (dst as Int8Array).set(new Int8Array(buf, o, n), at); return;
    case 'u8': (dst as Uint8Array).set(bytes.subarray(0, n), at); return;
    case 'i16': case 'u16':
      if (t.zigzag) zigzag16(new Uint16Array(buf, o, n), dst as Int16Array, at, n); else (dst as Uint16Array).set(new Uint16Array(buf, o, n), at);
      return;
    case 'i32': case 'u32':
      if (t.zigzag) zigzag32(new Uint32Array(buf, o, n), dst as Int32Array, at, n); else (dst as Uint32Array).set(new Uint32Array(buf, o, n), at);
      return;
    case 'i64': case 'u64':
      if (t.zigzag) zigzag64(new BigUint64Array(buf, o, n), dst as BigInt64Array, at, n); else (dst as BigUint64Array).set(new BigUint64Array(buf, o, n), at);
      return;
    case 'f16': halves(new Uint16Array(buf, o, n), dst as Float32Array, at, n); return;
    case 'f32': (dst as Float32Array).set(new Float32Array(buf, o, n), at); return;
    case 'f64': (dst as Float64Array).set(new Float64Array(buf, o, n), at); return;
    case 'index32': index32(new Uint32Array(buf, o, n), dst as Float64Array, at, n, t.delta); return;
    case 'index64': index64(new Uint32Array(buf, o, 2 * n), dst as Float64Array, at, n, t.delta); return;
    default: assertNever(t.kind, 'value kind');
  }
}

/**
 * Bit-packed elements, the first in the lowest bits of the little-endian stream; each is the top
 * `nb` bits of a 32-bit word (ROOT's BitPacking keeps the most significant bits).
 */
function unpackReal32(raw: Uint8Array, nb: number, quant: { min: number; max: number } | null, d: Float32Array, at: number, n: number): void {
  const word = new Uint32Array(1), asFloat = new Float32Array(word.buffer);
  const qmax = nb === 32 ? 4294967295 : 2 ** nb - 1;
  const scale = quant === null ? 0 : (quant.max - quant.min) / qmax;
  let bit = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let got = 0; got < nb;) { // up to 8 bits at a time, from the current byte
      const byte = raw[bit >> 3]!, off = bit & 7, take = Math.min(8 - off, nb - got);
      v += ((byte >> off) & ((1 << take) - 1)) * 2 ** got;
      got += take; bit += take;
    }
    if (quant === null) { word[0] = nb === 32 ? v : v * 2 ** (32 - nb); d[at + i] = asFloat[0]!; }
    else d[at + i] = Math.min(Math.max(v * scale + quant.min, quant.min), quant.max);
  }
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Encodes n values (of the column's decoded kind) into one page's uncompressed bytes. */
export function encodePage(t: TypeInfo, v: Values, n: number): Uint8Array {
  if (t.kind === 'bit') {
    const out = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) if (v[i]) out[i >> 3]! |= 1 << (i & 7);
    return out;
  }
  const size = t.bytes;
  const le = new Uint8Array(n * size);
  const buf = le.buffer;
  switch (t.kind) {
    case 'i8': case 'u8': le.set(new Uint8Array((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, n)); break;
    case 'i16': case 'u16': {
      const o = new Uint16Array(buf), s = v as Int16Array;
      for (let i = 0; i < n; i++) { const x = s[i]!; o[i] = t.zigzag ? ((x << 1) ^ (x >> 15)) & 0xffff : x; }
      break;
    }
    case 'i32': case 'u32': {
      const o = new Uint32Array(buf), s = v as Int32Array;
      for (let i = 0; i < n; i++) { const x = s[i]!; o[i] = t.zigzag ? ((x << 1) ^ (x >> 31)) >>> 0 : x; }
      break;
    }
    case 'i64': case 'u64': {
      const o = new BigUint64Array(buf), s = v as BigInt64Array;
      for (let i = 0; i < n; i++) { const x = BigInt.asIntN(64, s[i]!); o[i] = t.zigzag ? BigInt.asUintN(64, (x << 1n) ^ (x >> 63n)) : BigInt.asUintN(64, x); }
      break;
    }
    case 'f16': throw new RNTupleFormatError('writing Real16 columns is not supported');
    case 'f32': new Float32Array(buf).set((v as Float32Array).subarray(0, n)); break;
    case 'f64': new Float64Array(buf).set((v as Float64Array).subarray(0, n)); break;
    case 'index32': case 'index64': {
      const s = v as Float64Array;
      const dv = new DataView(buf);
      for (let i = 0; i < n; i++) {
        const x = t.delta && i > 0 ? s[i]! - s[i - 1]! : s[i]!;
        if (size === 4) dv.setUint32(4 * i, x, true); else dv.setBigUint64(8 * i, BigInt(x), true);
      }
      break;
    }
    default: assertNever(t.kind, 'value kind');
  }
  if (!t.split) return le;
  const out = new Uint8Array(n * size);
  for (let b = 0; b < size; b++) {
    const base = b * n;
    for (let i = 0; i < n; i++) out[base + i] = le[i * size + b]!;
  }
  return out;
}
