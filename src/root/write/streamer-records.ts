// Splits a StreamerInfo record (the TList of TStreamerInfo of a file, decompressed) into
// self-contained pieces: each info's TNamed bytes, checksum, class version and its elements
// without their class tags. Class tags are offsets into the record they were read from, so
// infos copied into another file are re-framed (streamers.ts) rather than copied as bytes.

export interface RawElement { cls: string; bytes: Uint8Array }
export interface RawRecord { name: string; named: Uint8Array; checksum: number; classVersion: number; elements: RawElement[] }

const kByteCountMask = 0x40000000;
const kClassMask = 0x80000000;
const kNewClassTag = 0xffffffff;

/** A cursor over a StreamerInfo record; class tags seen are remembered by their offset from the key start. */
class RecordReader {
  p = 0;
  private readonly classAt = new Map<number, string>();
  constructor(readonly data: Buffer, private readonly keylen: number) {}

  need(n: number): void { if (this.p + n > this.data.length) throw new Error(`StreamerInfo record is truncated at byte ${this.p}`); }
  u32(): number { this.need(4); const v = this.data.readUInt32BE(this.p); this.p += 4; return v; }
  u16(): number { this.need(2); const v = this.data.readUInt16BE(this.p); this.p += 2; return v; }
  str(): string { this.need(1); let n = this.data[this.p++]!; if (n === 255) n = this.u32(); this.need(n); const s = this.data.toString('utf8', this.p, this.p + n); this.p += n; return s; }
  tobject(): void { this.u16(); this.u32(); const bits = this.u32(); if (bits & (1 << 4)) this.u16(); }

  /** An object's byte count and class tag: its class and where it ends. */
  objHeader(): { cls: string; end: number } {
    const data = this.data;
    const start = this.p;
    const bc = this.u32();
    if (!(bc & kByteCountMask)) throw new Error(`no byte count at ${start}`);
    const end = start + 4 + (bc & ~kByteCountMask);
    const tagPos = this.p;
    const tag = this.u32();
    let cls: string;
    if (tag === kNewClassTag) {
      const z = data.indexOf(0, this.p);
      if (z < 0) throw new Error('unterminated class name');
      cls = data.toString('latin1', this.p, z);
      this.p = z + 1;
      this.classAt.set(tagPos + this.keylen + 2, cls);
    } else if (tag & kClassMask) {
      const c = this.classAt.get((tag & ~kClassMask) >>> 0);
      if (c === undefined) throw new Error(`unknown class reference ${tag}`);
      cls = c;
    } else throw new Error(`object reference where an object was expected at ${tagPos}`);
    return { cls, end };
  }

  /** A TStreamerInfo's body (after its object header): its TNamed bytes, checksum, version and elements. */
  streamerInfo(): RawRecord {
    const data = this.data;
    this.u32(); this.u16(); // TStreamerInfo byte count + version
    const namedStart = this.p;
    const namedLen = data.readUInt32BE(this.p) & ~kByteCountMask;
    const named = data.subarray(namedStart, namedStart + 4 + namedLen);
    this.p = namedStart + 6; this.tobject(); const name = this.str();
    this.p = namedStart + 4 + namedLen;
    const checksum = this.u32();
    const classVersion = data.readInt32BE(this.p); this.p += 4;
    const arr = this.objHeader();
    this.u32(); this.u16(); this.tobject(); this.str();
    const ne = this.u32(); this.u32();
    const elements: RawElement[] = [];
    for (let j = 0; j < ne; j++) {
      const el = this.objHeader();
      elements.push({ cls: el.cls, bytes: data.subarray(this.p, el.end) });
      this.p = el.end;
    }
    this.p = arr.end;
    return { name, named, checksum, classVersion, elements };
  }
}

/** `keylen`: length of the key the record was stored under (class tags count from the key start). */
export function parseStreamerRecords(bytes: Uint8Array, keylen: number): RawRecord[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new RecordReader(data, keylen);
  r.u32(); r.u16(); r.tobject(); r.str(); // TList header, name
  const n = r.u32();
  const out: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    if (r.p >= data.length) break;
    const t = data.readUInt32BE(r.p);
    if (!(t & kByteCountMask)) { r.p += 4; r.p += 1 + data[r.p]!; continue; } // a reference: nothing to copy
    const { cls, end } = r.objHeader();
    if (cls === 'TStreamerInfo') out.push(r.streamerInfo());
    r.p = end;
    r.need(1);
    const optLen = data[r.p++]!;
    r.p += optLen;
  }
  return out;
}
