// A growable big-endian output buffer with ROOT's object framing: byte counts, versions,
// TStrings, and class tags (kNewClassTag + name on first use, then references into the map).
// `origin` is the buffer's position relative to the start of its key (the key length), because
// ROOT's class and object references count from the start of the key, not of the payload.

export const kByteCountMask = 0x40000000;
export const kClassMask = 0x80000000;
export const kNewClassTag = 0xffffffff;
const kMapOffset = 2;

export class WBuf {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  private readonly classTags = new Map<string, number>();

  constructor(capacity = 1024, readonly origin = 0) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  bytes(): Uint8Array { return this.buf.subarray(0, this.pos); }

  u8(v: number): void { this.ensure(1); this.view.setUint8(this.pos, v); this.pos += 1; }
  i8(v: number): void { this.ensure(1); this.view.setInt8(this.pos, v); this.pos += 1; }
  i16(v: number): void { this.ensure(2); this.view.setInt16(this.pos, v); this.pos += 2; }
  u16(v: number): void { this.ensure(2); this.view.setUint16(this.pos, v); this.pos += 2; }
  i32(v: number): void { this.ensure(4); this.view.setInt32(this.pos, v); this.pos += 4; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.pos, v >>> 0); this.pos += 4; }
  i64(v: number | bigint): void {
    this.ensure(8);
    // Safe integers without a BigInt each: hadd writes tens of thousands of basket seeks/entries.
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      const hi = Math.floor(v / 4294967296);
      this.view.setInt32(this.pos, hi);
      this.view.setUint32(this.pos + 4, v - hi * 4294967296);
    } else this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }
  /**
   * `count` 32-bit integers of `a` (0 past its end) in one loop, without a call per value: a
   * merged tree's basket lists hold tens of thousands, streamed once in a fresh process.
   */
  i32s(a: ArrayLike<number>, count: number): void {
    this.ensure(4 * count);
    const v = this.view, n = Math.min(a.length, count);
    let p = this.pos;
    for (let i = 0; i < n; i++, p += 4) v.setInt32(p, a[i]!);
    this.buf.fill(0, p, this.pos + 4 * count);
    this.pos += 4 * count;
  }

  /** `count` 64-bit integers of `a` (safe integers; 0 past its end), as i32s. */
  i64s(a: ArrayLike<number>, count: number): void {
    this.ensure(8 * count);
    const v = this.view, n = Math.min(a.length, count);
    let p = this.pos;
    for (let i = 0; i < n; i++, p += 8) {
      const x = a[i]!;
      if (!Number.isSafeInteger(x)) { v.setBigInt64(p, BigInt(Math.round(x))); continue; }
      const hi = Math.floor(x / 4294967296);
      v.setInt32(p, hi);
      v.setUint32(p + 4, x - hi * 4294967296);
    }
    this.buf.fill(0, p, this.pos + 8 * count);
    this.pos += 8 * count;
  }

  u64(v: number | bigint): void { this.ensure(8); this.view.setBigUint64(this.pos, BigInt(v)); this.pos += 8; }
  f32(v: number): void { this.ensure(4); this.view.setFloat32(this.pos, v); this.pos += 4; }
  f64(v: number): void { this.ensure(8); this.view.setFloat64(this.pos, v); this.pos += 8; }
  bool(v: boolean): void { this.u8(v ? 1 : 0); }
  raw(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }

  /** ROOT TString: 1-byte length, or 255 + 4-byte length. */
  tstring(s: string): void {
    const b = Buffer.from(s, 'utf8');
    if (b.length < 255) this.u8(b.length); else { this.u8(255); this.i32(b.length); }
    this.raw(b);
  }

  cstring(s: string): void { this.raw(Buffer.from(s, 'latin1')); this.u8(0); }

  /** Starts a byte-counted, versioned block; returns the position to pass to end(). */
  begin(version: number): number {
    const start = this.pos;
    this.u32(0);
    this.u16(version);
    return start;
  }

  /** Patches the byte count of a block opened with begin() or beginObject(). */
  end(start: number): void {
    this.view.setUint32(start, ((this.pos - start - 4) | kByteCountMask) >>> 0);
  }

  /**
   * Starts an object written through a pointer (WriteObjectAny): byte count, class tag.
   * Returns [start, reference]: the reference other pointers use to refer to this object.
   */
  beginObject(cls: string): { start: number; ref: number } {
    const start = this.pos;
    this.u32(0);
    const tagPos = this.pos;
    const known = this.classTags.get(cls);
    if (known !== undefined) this.u32((known | kClassMask) >>> 0);
    else {
      this.u32(kNewClassTag);
      this.cstring(cls);
      this.classTags.set(cls, tagPos + this.origin + kMapOffset);
    }
    return { start, ref: start + this.origin + kMapOffset };
  }

  /** TObject: version 1, fUniqueID, fBits (kNotDeleted | kIsOnHeap as ROOT writes them, plus `bits`). */
  tobject(bits = 0, uniqueID = 0): void {
    this.u16(1);
    this.u32(uniqueID);
    this.u32((0x03000000 | bits) >>> 0);
  }

  tnamed(name: string, title: string, bits = 0): void {
    const s = this.begin(1);
    this.tobject(bits);
    this.tstring(name);
    this.tstring(title);
    this.end(s);
  }

  /** An empty TObjArray (not a pointer: the caller frames it). */
  objArrayHeader(n: number): number {
    const s = this.begin(3);
    this.tobject();
    this.tstring('');
    this.i32(n);
    this.i32(0);
    return s;
  }
}

/** ROOT's TDatime packing of a date. */
export function rootDatime(d = new Date()): number {
  return (((d.getFullYear() - 1995) << 26) | ((d.getMonth() + 1) << 22) | (d.getDate() << 17)
    | (d.getHours() << 12) | (d.getMinutes() << 6) | d.getSeconds()) >>> 0;
}
