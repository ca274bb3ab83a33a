// Double32_t and Float16_t: floating-point values that ROOT stores in fewer bits, as set by the
// "[xmin,xmax,nbits]" of the member's comment or the leaf's title (TStreamerElement::GetRange):
//  - a range (xmin < xmax): a 4-byte unsigned integer, value = int / factor + xmin,
//    factor = 2^nbits / (xmax - xmin) (0xffffffff for 32 bits);
//  - no range but nbits (Double32 only below 15 bits; Float16 always, 12 bits by default):
//    1 exponent byte + 2 mantissa bytes (the sign is the bit above the kept mantissa bits);
//  - otherwise (Double32 only): a 4-byte float.
import { assertNever } from '../../util/result.js';

export type Packed =
  | { kind: 'factor'; factor: number; xmin: number }
  | { kind: 'nbits'; nbits: number }
  | { kind: 'float' };

/** Bytes one packed value takes on disk. */
export function packedWidth(p: Packed): number {
  return p.kind === 'nbits' ? 3 : 4;
}

/** A bound of the range: a number or an expression of pi ("2*pi", "-pi/2", "pi"). */
function bound(text: string): number {
  const s = text.trim().toLowerCase();
  if (!s.includes('pi')) {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new Error(`range bound ${JSON.stringify(text)} is not a number`);
    return v;
  }
  const m = /^([+-]?)\s*(?:([0-9.eE+-]+)\s*\*\s*)?pi\s*(?:\/\s*([0-9.eE+-]+))?$/.exec(s);
  if (m === null) throw new Error(`range bound ${JSON.stringify(text)} is not understood`);
  const v = (m[2] !== undefined ? Number(m[2]) : 1) * Math.PI / (m[3] !== undefined ? Number(m[3]) : 1);
  if (!Number.isFinite(v)) throw new Error(`range bound ${JSON.stringify(text)} is not a number`);
  return m[1] === '-' ? -v : v;
}

/**
 * The storage of a Double32_t (float16 = false) or Float16_t (float16 = true) from the text that
 * holds its range: the leaf title ("d[-2.71,10,32]") or the member's comment ("[0,1,12]").
 */
export function packedFromTitle(title: string, float16: boolean): Packed {
  const left = title.indexOf('[');
  const right = left < 0 ? -1 : title.indexOf(']', left);
  let xmin = 0, xmax = 0, nbits = 32;
  if (left >= 0 && right > left) {
    const parts = title.slice(left + 1, right).split(',');
    if (parts.length >= 2) {
      xmin = bound(parts[0]!);
      xmax = bound(parts[1]!);
      if (parts.length >= 3) {
        const n = Number(parts[2]!.trim());
        nbits = Number.isInteger(n) && n >= 2 && n <= 32 ? n : 32; // as ROOT: out of range means 32
      }
    }
  }
  return packedFromRange(xmin, xmax, nbits, float16);
}

export function packedFromRange(xmin: number, xmax: number, nbits: number, float16: boolean): Packed {
  if (xmin < xmax) {
    const big = nbits < 32 ? 2 ** nbits : 0xffffffff;
    return { kind: 'factor', factor: big / (xmax - xmin), xmin };
  }
  if (nbits < 15) return { kind: 'nbits', nbits };
  return float16 ? { kind: 'nbits', nbits: 12 } : { kind: 'float' };
}

/** The storage ROOT uses for a streamer element (jsroot decodes fFactor/fXmin from its title). */
export function packedFromElement(e: { fFactor?: number; fXmin?: number; fTitle?: string }, float16: boolean): Packed {
  if (typeof e.fFactor === 'number' && e.fFactor > 0 && typeof e.fXmin === 'number') return { kind: 'factor', factor: e.fFactor, xmin: e.fXmin };
  if (typeof e.fTitle === 'string' && e.fTitle.includes('[')) return packedFromTitle(e.fTitle, float16);
  return float16 ? { kind: 'nbits', nbits: 12 } : { kind: 'float' };
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Reads n packed values from big-endian bytes at src[pos…] into out[at…]. */
export function unpackInto(p: Packed, src: Uint8Array, pos: number, n: number, out: Float32Array | Float64Array, at: number): void {
  const w = packedWidth(p);
  if (pos + n * w > src.length) throw new RangeError(`${n} packed values need ${n * w} bytes, ${src.length - pos} left`);
  switch (p.kind) {
    case 'factor':
      for (let i = 0, q = pos; i < n; i++, q += 4) {
        const u = ((src[q]! << 24) | (src[q + 1]! << 16) | (src[q + 2]! << 8) | src[q + 3]!) >>> 0;
        out[at + i] = u / p.factor + p.xmin;
      }
      return;
    case 'nbits': {
      const nb = p.nbits, keep = (1 << (nb + 1)) - 1, sign = 1 << (nb + 1);
      for (let i = 0, q = pos; i < n; i++, q += 3) {
        const exp = src[q]!, man = (src[q + 1]! << 8) | src[q + 2]!;
        i32[0] = (exp << 23) | ((man & keep) << (23 - nb));
        out[at + i] = (man & sign) !== 0 ? -f32[0]! : f32[0]!;
      }
      return;
    }
    case 'float': {
      const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      for (let i = 0, q = pos; i < n; i++, q += 4) out[at + i] = dv.getFloat32(q);
      return;
    }
    default: assertNever(p, 'packed float');
  }
}
