// Big-endian basket bytes → native typed arrays. Copying into a fresh (aligned) buffer
// and swapping bytes in place with 32-bit word operations is several times faster than
// DataView getters in a loop for 64-bit integers, and lets owned decompressed buffers be
// decoded without a copy (see bench/README.md, "ROOT read").
import type { NumArray, NumType } from '../types.js';
import { typeSize } from '../types.js';
import { assertNever } from '../../util/result.js';
import { uninitialised } from './decompress.js';

/** Allocates an empty typed array of a type. */
export function allocArray(type: NumType, n: number): NumArray {
  switch (type) {
    case 'i1': return new Int8Array(n);
    case 'u1': case 'bool': return new Uint8Array(n);
    case 'i2': return new Int16Array(n);
    case 'u2': return new Uint16Array(n);
    case 'i4': return new Int32Array(n);
    case 'u4': return new Uint32Array(n);
    case 'i8': return new BigInt64Array(n);
    case 'u8': return new BigUint64Array(n);
    case 'f4': return new Float32Array(n);
    case 'f8': return new Float64Array(n);
    default: return assertNever(type, 'numeric type');
  }
}

/** Views `bytes` (native byte order, aligned) as a typed array of `type`. */
function viewAt(type: NumType, bytes: Uint8Array, n: number): NumArray {
  const buf = bytes.buffer as ArrayBuffer, o = bytes.byteOffset;
  switch (type) {
    case 'i1': return new Int8Array(buf, o, n);
    case 'u1': case 'bool': return new Uint8Array(buf, o, n);
    case 'i2': return new Int16Array(buf, o, n);
    case 'u2': return new Uint16Array(buf, o, n);
    case 'i4': return new Int32Array(buf, o, n);
    case 'u4': return new Uint32Array(buf, o, n);
    case 'i8': return new BigInt64Array(buf, o, n);
    case 'u8': return new BigUint64Array(buf, o, n);
    case 'f4': return new Float32Array(buf, o, n);
    case 'f8': return new Float64Array(buf, o, n);
    default: return assertNever(type, 'numeric type');
  }
}

/**
 * Decodes n big-endian values of `type` from src[pos…] into a native array. When the caller
 * owns `src` (`inPlace`) and the values are aligned, the bytes are swapped where they are
 * and viewed without a copy; otherwise they are copied into a fresh buffer first.
 */
export function decodeBE(type: NumType, src: Uint8Array, pos: number, n: number, inPlace = false): NumArray {
  const size = typeSize[type];
  let bytes: Uint8Array;
  if (inPlace && (src.byteOffset + pos) % size === 0 && (size === 1 || (src.byteOffset + pos) % 4 === 0)) {
    bytes = src.subarray(pos, pos + n * size);
  } else {
    bytes = uninitialised(n * size); // fully overwritten by the copy
    bytes.set(src.subarray(pos, pos + n * size));
  }
  swapInPlace(bytes, size);
  const out = viewAt(type, bytes, n);
  if (type === 'bool') normaliseBool(out as Uint8Array);
  return out;
}

/**
 * Reverses the byte order of every `size`-byte word of a buffer in place. Node's native
 * Buffer.swap16/32/64 are ~6x faster than a JavaScript loop over 32-bit words (1 M doubles:
 * 0.4 vs 2.3 ms, bench/README.md "ROOT read").
 */
export function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size === 1 || bytes.length === 0) return;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else b.swap64();
}

/** ROOT stores bool as a byte; anything non-zero is true. Checked 4 bytes at a time (they are almost always 0/1). */
function normaliseBool(a: Uint8Array): void {
  let i = 0;
  const head = (4 - (a.byteOffset & 3)) & 3;
  for (; i < head && i < a.length; i++) if (a[i]! > 1) a[i] = 1;
  const words = (a.length - i) >> 2;
  if (words > 0) {
    const w = new Uint32Array(a.buffer, a.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      if ((w[k]! & 0xfefefefe) !== 0) for (let j = i + 4 * k; j < i + 4 * k + 4; j++) if (a[j]! > 1) a[j] = 1;
    }
    i += 4 * words;
  }
  for (; i < a.length; i++) if (a[i]! > 1) a[i] = 1;
}

/** The offsets of consecutive jagged pieces as one array (each piece's offsets start at its own 0). */
export function concatOffsets(parts: ReadonlyArray<{ offsets: Int32Array }>): Int32Array {
  let ne = 0;
  for (const c of parts) ne += c.offsets.length - 1;
  const offsets = new Int32Array(ne + 1);
  let e = 0, base = 0;
  for (const { offsets: o } of parts) {
    for (let i = 1; i < o.length; i++) offsets[++e] = base + o[i]!;
    base += o[o.length - 1]!;
  }
  return offsets;
}
