// Non-columnar branch contents read natively: strings (char*, TString, std::string) and
// leaf-lists (a struct of numeric leaves per entry).
import { TextDecoder } from 'node:util';
import type { NumArray, NumType } from '../types.js';
import { typeSize } from '../types.js';
import { BasketError } from './basket.js';
import type { RawBasket } from './basket.js';
import { decodeBE } from './decode.js';

/**
 * The strings of a basket: one per entry, each a length byte (255 → 4-byte length) + bytes.
 * ROOT stores the bytes as given, UTF-8 in practice (uproot decodes them so); invalid
 * sequences become U+FFFD.
 */
export function basketStrings(raw: RawBasket, withHeader: boolean): string[] {
  const { data, n } = raw;
  const out: string[] = [];
  const dec = new TextDecoder('utf-8');
  if (raw.offsets === null) {
    // Writers may leave out the offset table (single entries; groot always): the strings are
    // then read one after the other, each from its own length.
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (p >= data.length) throw new BasketError(`string basket without entry offsets ends at entry ${i} of ${n}`);
      let len = data[p]!, h = 1;
      if (len === 255) { if (p + 5 > data.length) throw new BasketError(`entry ${i}: truncated string length`); len = ((data[p + 1]! << 24) | (data[p + 2]! << 16) | (data[p + 3]! << 8) | data[p + 4]!) >>> 0; h = 5; }
      if (p + h + len > data.length) throw new BasketError(`entry ${i}: string of ${len} bytes overruns the basket`);
      out.push(dec.decode(data.subarray(p + h, p + h + len)));
      p += h + len;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out.push(oneString(data, raw.offsets[i]!, raw.offsets[i + 1]!, withHeader, i, dec));
  return out;
}

function oneString(d: Uint8Array, a: number, b: number, withHeader: boolean, i: number, dec: TextDecoder): string {
  if (a === b) return '';
  let p = a;
  if (withHeader && b - a >= 7) {
    // A streamed std::string may start with a byte count (flag 0x40000000) and a version.
    const bc = ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
    if ((bc & 0x40000000) !== 0 && (bc & ~0x40000000) === b - a - 4) p += 6;
  }
  let len = d[p]!; p += 1;
  if (len === 255) { len = ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0; p += 4; }
  if (p + len > b) throw new BasketError(`entry ${i}: string of ${len} bytes overruns its ${b - a}-byte entry`);
  return dec.decode(d.subarray(p, p + len));
}

/** The leaves of a leaf-list basket, each as a column of n × len values. */
export function basketLeafList(raw: RawBasket, leaves: { name: string; type: NumType; len: number }[]): Record<string, NumArray> {
  const rec = leaves.reduce((s, l) => s + typeSize[l.type] * l.len, 0);
  const { data, n } = raw;
  if (data.length < n * rec) throw new BasketError(`leaf-list basket has ${data.length} bytes for ${n} records of ${rec} bytes`);
  // Gather each leaf's bytes contiguously, then decode them in one go.
  const out: Record<string, NumArray> = {};
  let at = 0;
  for (const l of leaves) {
    const w = typeSize[l.type] * l.len;
    const bytes = new Uint8Array(n * w);
    for (let i = 0; i < n; i++) bytes.set(data.subarray(i * rec + at, i * rec + at + w), i * w);
    out[l.name] = decodeBE(l.type, bytes, 0, n * l.len);
    at += w;
  }
  return out;
}
