// Little-endian reader of RNTuple envelopes: integers, strings, record and list frames, locators
// and envelope links (BinaryFormatSpecification.md, "Basic Types", "Frames", "Locators").
// Every read is bounds-checked: a corrupt length is an RNTupleFormatError, never a wild read.

export class RNTupleFormatError extends Error {}

export interface Locator { offset: number; size: number }
export interface EnvelopeLink { length: number; locator: Locator }
/** A frame being read: where it ends, and for a list frame its number of items. */
export interface Frame { end: number; items: number; list: boolean }

export class RBuf {
  private readonly dv: DataView;
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly what: string) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.bytes.length) throw new RNTupleFormatError(`${this.what}: ${n} bytes needed at ${p}, only ${this.bytes.length - p} left`);
    this.pos = p + n;
    return p;
  }

  u8(): number { return this.dv.getUint8(this.need(1)); }
  u16(): number { return this.dv.getUint16(this.need(2), true); }
  u32(): number { return this.dv.getUint32(this.need(4), true); }
  i32(): number { return this.dv.getInt32(this.need(4), true); }
  f64(): number { return this.dv.getFloat64(this.need(8), true); }
  u64big(): bigint { return this.dv.getBigUint64(this.need(8), true); }
  i64big(): bigint { return this.dv.getBigInt64(this.need(8), true); }

  /** A 64-bit unsigned value that must fit a JS number exactly (sizes, offsets, entry numbers). */
  u64(): number {
    const v = this.u64big();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RNTupleFormatError(`${this.what}: 64-bit value ${v} at ${this.pos - 8} is too large`);
    return Number(v);
  }

  i64(): number {
    const v = this.i64big();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return v < 0n ? -Infinity : Infinity;
    return Number(v);
  }

  string(): string {
    const n = this.u32();
    const p = this.need(n);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + p, n).toString('utf8');
  }

  /** Reads a frame preamble; frame sizes count from the preamble's first byte. */
  frame(expectList?: boolean): Frame {
    const start = this.pos;
    const raw = this.i64big();
    const list = raw < 0n;
    const size = Number(list ? -raw : raw);
    const items = list ? this.u32() : 0;
    if (expectList !== undefined && list !== expectList) throw new RNTupleFormatError(`${this.what}: expected a ${expectList ? 'list' : 'record'} frame at ${start}`);
    const minSize = list ? 12 : 8;
    if (!(size >= minSize) || start + size > this.bytes.length) throw new RNTupleFormatError(`${this.what}: frame at ${start} has impossible size ${size}`);
    return { end: start + size, items, list };
  }

  /** Skips to the end of a frame (frames may grow in later format versions). */
  close(f: Frame): void {
    if (this.pos > f.end) throw new RNTupleFormatError(`${this.what}: frame content overruns its size (at ${this.pos}, frame ends at ${f.end})`);
    this.pos = f.end;
  }

  locator(): Locator {
    const at = this.pos;
    const head = this.i32();
    if (head >= 0) return { size: head, offset: this.u64() };
    // Non-standard locator: the negated head holds the type (bits 24-30) and its own size (bits 0-15).
    const neg = -head;
    const type = neg >>> 24;
    const selfSize = neg & 0xffff;
    if (type === 0x01) {
      const size = this.u64(), offset = this.u64();
      if (selfSize > 20) this.need(selfSize - 20);
      return { size, offset };
    }
    throw new RNTupleFormatError(`${this.what}: unsupported locator type ${type} at ${at}`);
  }

  envelopeLink(): EnvelopeLink {
    const length = this.u64();
    return { length, locator: this.locator() };
  }

  /** Feature flags: 64-bit words, continued while the sign bit is set. Returns the set bits. */
  featureFlags(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < 64; i++) {
      const w = this.i64big();
      out.push(w & 0x7fffffffffffffffn);
      if (w >= 0n) return out;
    }
    throw new RNTupleFormatError(`${this.what}: feature flags do not end`);
  }
}
