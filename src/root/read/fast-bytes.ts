// The byte level of the native decoder (fast-decode.ts): a big-endian cursor over one object's
// bytes (basic values and arrays, numbered as ROOT's EDataType), and the streamer infos it is
// driven by. Whatever it cannot read is FastPathUnsupported: the caller falls back to jsroot.
import type { JsStreamerInfo } from './jsroot.js';

export class FastPathUnsupported extends Error {}

/** Infos by class name and version (what jsroot decoded for a file with the same record). */
export class InfoSet {
  private readonly byName = new Map<string, JsStreamerInfo[]>();
  constructor(infos: readonly (JsStreamerInfo | null)[]) {
    for (const i of infos) {
      if (i === null || typeof i.fName !== 'string') continue;
      if (typeof i.fCheckSum === 'number') this.sums.add(i.fCheckSum >>> 0);
      const l = this.byName.get(i.fName);
      if (l === undefined) this.byName.set(i.fName, [i]); else l.push(i);
    }
  }
  private readonly sums = new Set<number>();
  hasChecksum(sum: number): boolean { return this.sums.has(sum); }
  private readonly bySum = new Map<string, JsStreamerInfo | undefined>();
  byChecksum(name: string, sum: number): JsStreamerInfo {
    const key = `${name};${sum}`;
    let i = this.bySum.get(key);
    if (i === undefined && !this.bySum.has(key)) { i = this.byName.get(name)?.find((x) => (x.fCheckSum ?? -1) >>> 0 === sum); this.bySum.set(key, i); }
    if (i === undefined) throw new FastPathUnsupported(`no streamer info for ${name} with checksum ${sum}`);
    return i;
  }
  find(name: string, version: number): JsStreamerInfo {
    const i = this.byName.get(name)?.find((x) => x.fClassVersion === version);
    if (i === undefined) throw new FastPathUnsupported(`no streamer info for ${name} version ${version}`);
    return i;
  }
}

/** A cursor over `b`; every read is bounded by its end. */
export class ByteCursor {
  protected p = 0;
  protected readonly dv: DataView;
  constructor(protected readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  protected need(n: number): void { if (this.p + n > this.b.length) throw new FastPathUnsupported(`object bytes end at ${this.b.length}, reading ${n} at ${this.p}`); }
  u1(): number { this.need(1); return this.b[this.p++]!; }
  i2(): number { this.need(2); const v = this.dv.getInt16(this.p); this.p += 2; return v; }
  u2(): number { this.need(2); const v = this.dv.getUint16(this.p); this.p += 2; return v; }
  i4(): number { this.need(4); const v = this.dv.getInt32(this.p); this.p += 4; return v; }
  u4(): number { this.need(4); const v = this.dv.getUint32(this.p); this.p += 4; return v; }
  i8(): number { this.need(8); const hi = this.dv.getInt32(this.p), lo = this.dv.getUint32(this.p + 4); this.p += 8; return hi * 4294967296 + lo; }
  u8(): number { this.need(8); const hi = this.dv.getUint32(this.p), lo = this.dv.getUint32(this.p + 4); this.p += 8; return hi * 4294967296 + lo; }
  f4(): number { this.need(4); const v = this.dv.getFloat32(this.p); this.p += 4; return v; }
  f8(): number { this.need(8); const v = this.dv.getFloat64(this.p); this.p += 8; return v; }
  tstring(): string {
    let n = this.u1();
    if (n === 255) n = this.u4();
    this.need(n);
    const b = this.b, p = this.p;
    this.p += n;
    // Names and titles are short and ASCII: built directly, without a Buffer per string.
    if (n <= 64) {
      let ascii = true;
      for (let i = p; i < p + n; i++) if (b[i]! > 127) { ascii = false; break; }
      if (ascii) return String.fromCharCode.apply(null, b.subarray(p, p + n) as unknown as number[]);
    }
    return Buffer.from(b.buffer, b.byteOffset + p, n).toString('utf8');
  }

  /** One value of basic type `t` (ROOT's EDataType numbering). */
  basic(t: number): number | boolean {
    switch (t) {
      case 1: { const v = this.u1(); return v > 127 ? v - 256 : v; }
      case 2: return this.i2();
      case 3: case 6: return this.i4();
      case 4: case 16: return this.i8();
      case 5: return this.f4();
      case 8: return this.f8();
      case 11: return this.u1();
      case 12: return this.u2();
      case 13: case 15: return this.u4();
      case 14: case 17: return this.u8();
      case 18: return this.u1() !== 0;
      default: throw new FastPathUnsupported(`basic type ${t}`);
    }
  }

  array(t: number, n: number): ArrayLike<number> {
    if (!Number.isInteger(n) || n < 0 || n > this.b.length) throw new FastPathUnsupported(`array of ${n} values`);
    switch (t) {
      case 3: case 6: { this.need(4 * n); const a = new Int32Array(n); for (let i = 0; i < n; i++, this.p += 4) a[i] = this.dv.getInt32(this.p); return a; }
      case 8: { this.need(8 * n); const a = new Float64Array(n); for (let i = 0; i < n; i++, this.p += 8) a[i] = this.dv.getFloat64(this.p); return a; }
      case 5: { this.need(4 * n); const a = new Float32Array(n); for (let i = 0; i < n; i++, this.p += 4) a[i] = this.dv.getFloat32(this.p); return a; }
      case 4: case 16: { // basket seeks and entries: numbers, as jsroot gives them
        this.need(8 * n);
        const a = new Array<number>(n);
        for (let i = 0; i < n; i++, this.p += 8) a[i] = this.dv.getInt32(this.p) * 4294967296 + this.dv.getUint32(this.p + 4);
        return a;
      }
      default: { const a = new Array<number>(n); for (let i = 0; i < n; i++) a[i] = Number(this.basic(t)); return a; }
    }
  }
}
