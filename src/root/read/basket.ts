// Reads one basket of a branch: its key header, its (decompressed) bytes and its entry
// offsets, then decodes the values into a typed array. Every size read from the file is
// checked against the file and the basket before it is used.
import { readSync } from 'node:fs';
import { countRead } from './io-stats.js';
import type { ByteSource } from '../../io/source.js';
import type { NumArray } from '../types.js';
import { typeSize } from '../types.js';
import { assertNever } from '../../util/result.js';
import { decompress, uninitialised } from './decompress.js';
import { allocArray, decodeBE } from './decode.js';
import { packedWidth, unpackInto } from './packed.js';
import type { BasketRef, BranchPlan } from './branches.js';
import type { Packed } from './packed.js';
import { MemberError, walkBasket } from './members.js';

/** The file a reader reads: a byte source (local, XRootD, HTTP), or a bare descriptor (hadd's inputs). */
export interface FileHandle { size: number; path: string; fd?: number; source?: ByteSource }

/** A basket's raw entry bytes: data[offsets[i], offsets[i+1]) is entry i (offsets has n+1 items). */
export interface RawBasket {
  data: Uint8Array; offsets: Int32Array | null; n: number; compression: string;
  /** The bytes belong to this basket alone (decoding may swap them in place). */
  owned: boolean;
}
// offsets is always the basket's own array: decodeBasket turns a numeric jagged basket's into
// value offsets in place (and sets it to null).

/** A basket decoded: values, and for jagged branches the per-entry value offsets (n+1, from 0). */
export interface DecodedBasket { values: NumArray; offsets: Int32Array | null; n: number }

export class BasketError extends Error {}

export async function readAt(h: FileHandle, pos: number, len: number): Promise<Uint8Array> {
  if (!(pos >= 0) || !(len >= 0) || pos + len > h.size) throw new BasketError(`read of ${len} bytes at ${pos} is beyond the end of the file (${h.size} bytes; truncated?)`);
  if (h.source !== undefined) { countRead(len); return h.source.read(pos, len); }
  if (h.fd === undefined) throw new BasketError('file handle without a source');
  const buf = uninitialised(len); // filled by the reads below (or an error)
  let got = 0;
  while (got < len) {
    const n = readSync(h.fd, buf, got, len - got, pos + got);
    if (n <= 0) throw new BasketError(`short read at ${pos + got}`);
    got += n;
  }
  countRead(len);
  return buf;
}

/**
 * `bytes`: the basket's key bytes when already read (read-ahead), else they are read here;
 * `inflate`: how the body is decompressed (decompress here, or the codec thread: codec-ahead.ts).
 */
export async function readRawBasket(h: FileHandle, plan: BranchPlan, ref: BasketRef, bytes: Uint8Array | null = null,
  inflate: (src: Uint8Array, outLen: number) => Promise<Uint8Array> = decompress): Promise<RawBasket> {
  const n = ref.entryStop - ref.entryStart;
  if (ref.embedded !== null) {
    const e = ref.embedded;
    const dataLen = e.last - e.keylen;
    if (dataLen < 0 || dataLen > e.data.length) throw new BasketError(`embedded basket has ${e.data.length} bytes, expected ${dataLen}`);
    const data = e.data.subarray(0, dataLen);
    let offsets: Int32Array | null = null;
    if (plan.hasOffsets && e.offsets !== null) offsets = relOffsets(e.offsets, e.keylen, dataLen, n);
    return { data, offsets, n, compression: 'embedded', owned: false };
  }
  if (ref.bytes < 30) throw new BasketError(`basket size ${ref.bytes} is too small`);
  const raw = bytes ?? await readAt(h, ref.seek, ref.bytes);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const nbytes = dv.getInt32(0), version = dv.getInt16(4), objlen = dv.getInt32(6), keylen = dv.getInt16(14);
  if (nbytes !== ref.bytes) throw new BasketError(`key says ${nbytes} bytes, branch says ${ref.bytes}`);
  if (keylen <= 0 || keylen > nbytes) throw new BasketError(`bad key length ${keylen}`);
  let p = 18 + (version > 1000 ? 16 : 8);
  for (let s = 0; s < 3; s++) { // class name, name, title
    if (p >= keylen) throw new BasketError('key header overruns its length');
    let len = raw[p]!; p += 1;
    if (len === 255) { len = dv.getInt32(p); p += 4; }
    p += len;
  }
  if (p + 19 !== keylen) throw new BasketError(`key header is ${p + 19} bytes, key length says ${keylen}`);
  const nevbuf = dv.getInt32(p + 10), last = dv.getInt32(p + 14);
  if (nevbuf !== n) throw new BasketError(`basket holds ${nevbuf} entries, branch says ${n}`);
  const dataLen = last - keylen;
  if (dataLen < 0 || dataLen > objlen) throw new BasketError(`basket fLast ${last} outside its ${objlen} bytes`);
  const body = raw.subarray(keylen, nbytes);
  let u: Uint8Array, compression = 'none';
  if (objlen === nbytes - keylen) u = body;
  else {
    compression = String.fromCharCode(body[0] ?? 0, body[1] ?? 0);
    try { u = await inflate(body, objlen); } catch (e) { throw new BasketError((e as Error).message); }
  }
  const data = u.subarray(0, dataLen);
  let offsets: Int32Array | null = null;
  if (plan.hasOffsets && dataLen + 4 <= u.length) {
    const count = readI32BE(u, dataLen);
    if (count < 0 || dataLen + 4 + 4 * count > u.length) throw new BasketError(`entry offset table claims ${count} entries, beyond the basket`);
    offsets = tableOffsets(u, dataLen + 4, count, keylen, dataLen, n);
  }
  return { data, offsets, n, compression, owned: true };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * relOffsets straight from the big-endian table in the basket: the n words copied into the result
 * and byte-swapped there by Buffer.swap32 (native), then one pass that makes them relative and
 * checks them. Assembling each word from four byte loads was ~4 % of the demo's main thread (12
 * jagged branches, an entry per event each).
 */
function tableOffsets(u: Uint8Array, at: number, count: number, keylen: number, dataLen: number, n: number): Int32Array {
  if (count < n) throw new BasketError(`entry offset table has ${count} entries, expected ${n}`);
  const out = new Int32Array(n + 1);
  new Uint8Array(out.buffer, 0, 4 * n).set(u.subarray(at, at + 4 * n));
  if (LITTLE_ENDIAN && n > 0) Buffer.from(out.buffer, 0, 4 * n).swap32();
  // Before the loop, not after it: V8 compiled the loop on stack (OSR) before the store after it
  // had ever run, and that code then bailed out at the store at the end of every call (the demo:
  // 12-60 bailouts a run, most of each call in the interpreter).
  out[n] = dataLen;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const o = out[i]! - keylen;
    if (o < prev || o > dataLen) throw new BasketError(`entry offset ${i} (${o}) is out of order or outside the ${dataLen} data bytes`);
    out[i] = prev = o;
  }
  return out;
}

function readI32BE(u: Uint8Array, p: number): number {
  return (u[p]! << 24) | (u[p + 1]! << 16) | (u[p + 2]! << 8) | u[p + 3]!;
}

function relOffsets(abs: ArrayLike<number>, keylen: number, dataLen: number, n: number): Int32Array {
  if (abs.length < n) throw new BasketError(`entry offset table has ${abs.length} entries, expected ${n}`);
  const out = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const o = abs[i]! - keylen;
    if (o < (i > 0 ? out[i - 1]! : 0) || o > dataLen) throw new BasketError(`entry offset ${i} (${o}) is out of order or outside the ${dataLen} data bytes`);
    out[i] = o;
  }
  out[n] = dataLen;
  return out;
}

/** Decodes a numeric basket according to the branch's layout. */
export function decodeBasket(plan: BranchPlan, raw: RawBasket): DecodedBasket {
  const type = plan.info.type;
  if (type === null) throw new BasketError(`branch is not numeric (${plan.info.typename})`);
  const size = typeSize[type];
  const { data, n } = raw;
  const layout = plan.layout;
  switch (layout.kind) {
    case 'leaf': {
      if (plan.info.shape !== 'jagged') {
        const want = n * plan.mult;
        if (data.length < want * size) throw new BasketError(`basket has ${data.length} bytes for ${n} entries of ${plan.mult} × ${size} bytes`);
        return { values: decodeBE(type, data, 0, want, raw.owned), offsets: null, n };
      }
      const off = needOffsets(raw);
      const start = off[0]!;
      // Byte offsets → value offsets, in place: raw.offsets is this basket's own array (read from
      // its table, rebuilt from the counter, or sent by the codec thread), and a second array per
      // basket was ~40 kB of garbage per branch and window. Sizes are 1, 2, 4 or 8: a mask and a shift.
      const shift = 31 - Math.clz32(size), mask = size - 1;
      for (let i = 0; i <= n; i++) {
        const b = off[i]! - start;
        if ((b & mask) !== 0) throw new BasketError(`entry ${i} starts inside a ${size}-byte value`);
        off[i] = b >> shift;
      }
      raw.offsets = null; // they are value offsets now: not to be read as byte offsets again
      return { values: decodeBE(type, data, start, off[n]!, raw.owned), offsets: off, n };
    }
    case 'vector':
    case 'pointer-array': {
      const off = needOffsets(raw);
      const head = layout.kind === 'vector' ? 10 : 1;
      const counts = new Int32Array(n + 1);
      const packed = new Uint8Array(Math.max(0, off[n]! - off[0]!));
      let w = 0;
      for (let i = 0; i < n; i++) {
        const a = off[i]!, b = off[i + 1]!;
        const len = b - a;
        let body = len;
        if (len > 0) {
          if (len < head) throw new BasketError(`entry ${i} (${len} bytes) is shorter than its ${head}-byte header`);
          body = len - head;
          if (layout.kind === 'vector') {
            const cnt = (data[a + 6]! << 24) | (data[a + 7]! << 16) | (data[a + 8]! << 8) | data[a + 9]!;
            if (cnt * size !== body) throw new BasketError(`entry ${i}: std::vector of ${cnt} values in ${body} bytes`);
          } else if (body % size !== 0) throw new BasketError(`entry ${i}: ${body} bytes is not a whole number of values`);
          packed.set(data.subarray(a + head, b), w);
          w += body;
        }
        counts[i + 1] = w / size;
      }
      return { values: decodeBE(type, packed, 0, w / size, true), offsets: counts, n };
    }
    case 'packed': return decodePacked(plan, layout.packed, raw);
    case 'member': return decodeMember(plan, layout, raw);
    case 'string': case 'leaflist': case 'unsupported':
      throw new BasketError(`branch is not a numeric column (${plan.info.typename})`);
    default: return assertNever(layout, 'layout');
  }
}

/** Double32_t / Float16_t values: each `packedWidth` bytes on disk, widened to the branch's type. */
function decodePacked(plan: BranchPlan, packed: Packed, raw: RawBasket): DecodedBasket {
  const w = packedWidth(packed);
  const { data, n } = raw;
  const type = plan.info.type!;
  if (plan.info.shape !== 'jagged') {
    const want = n * plan.mult;
    if (data.length < want * w) throw new BasketError(`basket has ${data.length} bytes for ${n} entries of ${plan.mult} × ${w} packed bytes`);
    const values = allocArray(type, want) as Float32Array | Float64Array;
    unpackInto(packed, data, 0, want, values, 0);
    return { values, offsets: null, n };
  }
  const off = needOffsets(raw);
  const start = off[0]!;
  const counts = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const b = off[i]! - start;
    if (b % w !== 0) throw new BasketError(`entry ${i} starts inside a ${w}-byte packed value`);
    counts[i] = b / w;
  }
  const values = allocArray(type, counts[n]!) as Float32Array | Float64Array;
  unpackInto(packed, data, start, counts[n]!, values, 0);
  return { values, offsets: counts, n };
}

/** One member path of an object branch: every entry walked with the class's schema. */
function decodeMember(plan: BranchPlan, layout: Extract<BranchPlan['layout'], { kind: 'member' }>, raw: RawBasket): DecodedBasket {
  const { n } = raw;
  const type = plan.info.type;
  if (type === null) throw new BasketError(`branch is not a numeric column (${plan.info.typename})`);
  let walked;
  try { walked = walkBasket(layout.node, [layout.leaf], raw.data, needOffsets(raw), n, layout.root); } catch (e) {
    if (e instanceof MemberError) throw new BasketError(e.message);
    throw e;
  }
  const nums = walked.sink.nums.get(layout.leaf.path)!;
  const counts = walked.counts.get(layout.leaf.path)!;
  const values = allocArray(type, nums.length);
  if (type === 'i8' || type === 'u8') for (let i = 0; i < nums.length; i++) (values as BigInt64Array)[i] = BigInt(nums[i]!);
  else (values as Float64Array).set(nums);
  if (plan.info.shape === 'jagged') return { values, offsets: counts, n };
  for (let i = 0; i < n; i++) {
    if (counts[i + 1]! - counts[i]! !== plan.mult) throw new BasketError(`entry ${i}: ${counts[i + 1]! - counts[i]!} values of ${layout.leaf.path}, expected ${plan.mult}`);
  }
  return { values, offsets: null, n };
}

function needOffsets(raw: RawBasket): Int32Array {
  if (raw.offsets === null) {
    if (raw.n === 0) return new Int32Array(1);
    throw new BasketError('variable-length basket has no entry offsets');
  }
  return raw.offsets;
}
