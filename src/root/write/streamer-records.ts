// Splits a StreamerInfo record (the TList of TStreamerInfo of a file, decompressed) into
// self-contained pieces: each info's TNamed bytes, checksum, class version and its elements
// without their class tags. Class tags are offsets into the record they were read from, so
// infos copied into another file are re-framed (streamers.ts) rather than copied as bytes.

export interface RawElement { cls: string; bytes: Uint8Array }
export interface RawRecord { name: string; named: Uint8Array; checksum: number; classVersion: number; elements: RawElement[] }

const kByteCountMask = 0x40000000;
const kClassMask = 0x80000000;
const kNewClassTag = 0xffffffff;

/** `keylen`: length of the key the record was stored under (class tags count from the key start). */
export function parseStreamerRecords(bytes: Uint8Array, keylen: number): RawRecord[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const classAt = new Map<number, string>();
  const need = (n: number): void => { if (p + n > data.length) throw new Error(`StreamerInfo record is truncated at byte ${p}`); };
  const u32 = (): number => { need(4); const v = data.readUInt32BE(p); p += 4; return v; };
  const u16 = (): number => { need(2); const v = data.readUInt16BE(p); p += 2; return v; };
  const str = (): string => { need(1); let n = data[p++]!; if (n === 255) n = u32(); need(n); const s = data.toString('utf8', p, p + n); p += n; return s; };
  const tobject = (): void => { u16(); u32(); const bits = u32(); if (bits & (1 << 4)) u16(); };
  const objHeader = (): { cls: string; end: number } => {
    const start = p;
    const bc = u32();
    if (!(bc & kByteCountMask)) throw new Error(`no byte count at ${start}`);
    const end = start + 4 + (bc & ~kByteCountMask);
    const tagPos = p;
    const tag = u32();
    let cls: string;
    if (tag === kNewClassTag) {
      const z = data.indexOf(0, p);
      if (z < 0) throw new Error('unterminated class name');
      cls = data.toString('latin1', p, z);
      p = z + 1;
      classAt.set(tagPos + keylen + 2, cls);
    } else if (tag & kClassMask) {
      const c = classAt.get((tag & ~kClassMask) >>> 0);
      if (c === undefined) throw new Error(`unknown class reference ${tag}`);
      cls = c;
    } else throw new Error(`object reference where an object was expected at ${tagPos}`);
    return { cls, end };
  };
  u32(); u16(); tobject(); str(); // TList header, name
  const n = u32();
  const out: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    if (p >= data.length) break;
    const t = data.readUInt32BE(p);
    if (!(t & kByteCountMask)) { p += 4; p += 1 + data[p]!; continue; } // a reference: nothing to copy
    const { cls, end } = objHeader();
    if (cls === 'TStreamerInfo') {
      u32(); u16(); // TStreamerInfo byte count + version
      const namedStart = p;
      const namedLen = data.readUInt32BE(p) & ~kByteCountMask;
      const named = data.subarray(namedStart, namedStart + 4 + namedLen);
      p = namedStart + 6; tobject(); const name = str();
      p = namedStart + 4 + namedLen;
      const checksum = u32();
      const classVersion = data.readInt32BE(p); p += 4;
      const arr = objHeader();
      u32(); u16(); tobject(); str();
      const ne = u32(); u32();
      const elements: RawElement[] = [];
      for (let j = 0; j < ne; j++) {
        const el = objHeader();
        elements.push({ cls: el.cls, bytes: data.subarray(p, el.end) });
        p = el.end;
      }
      p = arr.end;
      out.push({ name, named, checksum, classVersion, elements });
    }
    p = end;
    need(1);
    const optLen = data[p++]!;
    p += optLen;
  }
  return out;
}
