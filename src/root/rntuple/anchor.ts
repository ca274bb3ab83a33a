// The ROOT::RNTuple anchor: the one visible key of an RNTuple in a ROOT file. Its object is
// streamed ROOT-style (big-endian, byte count + class version 2) followed by an XXH3 of the
// fields (BinaryFormatSpecification.md, "Anchor schema").
import { RNTupleFormatError } from './rbuf.js';
import { xxh3 } from './xxh3.js';

export interface Anchor {
  epoch: number; major: number; minor: number; patch: number;
  seekHeader: number; nbytesHeader: number; lenHeader: number;
  seekFooter: number; nbytesFooter: number; lenFooter: number;
  maxKeySize: number;
}

export const ANCHOR_CLASS = 'ROOT::RNTuple';
const CLASS_VERSION = 2;
const FIELDS_BYTES = 4 * 2 + 7 * 8;
/** Bytes of the streamed anchor object (byte count, version, fields, checksum). */
export const ANCHOR_OBJECT_BYTES = 4 + 2 + FIELDS_BYTES + 8;

export function parseAnchor(obj: Uint8Array): Anchor {
  if (obj.length < 6 + FIELDS_BYTES) throw new RNTupleFormatError(`anchor has ${obj.length} bytes, expected ${ANCHOR_OBJECT_BYTES}`);
  const dv = new DataView(obj.buffer, obj.byteOffset, obj.byteLength);
  const bc = dv.getUint32(0, false);
  if (!(bc & 0x40000000)) throw new RNTupleFormatError('anchor has no byte count');
  const version = dv.getUint16(4, false);
  if (version < 2) throw new RNTupleFormatError(`anchor class version ${version} (pre-release RNTuple) is not supported`);
  const u64 = (p: number): number => {
    const v = dv.getBigUint64(p, false);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RNTupleFormatError(`anchor value ${v} is too large`);
    return Number(v);
  };
  const a: Anchor = {
    epoch: dv.getUint16(6, false), major: dv.getUint16(8, false), minor: dv.getUint16(10, false), patch: dv.getUint16(12, false),
    seekHeader: u64(14), nbytesHeader: u64(22), lenHeader: u64(30),
    seekFooter: u64(38), nbytesFooter: u64(46), lenFooter: u64(54), maxKeySize: u64(62),
  };
  if (a.epoch !== 1) throw new RNTupleFormatError(`RNTuple format epoch ${a.epoch} is not supported (this reader reads epoch 1)`);
  if (obj.length >= 6 + FIELDS_BYTES + 8) {
    const want = dv.getBigUint64(6 + FIELDS_BYTES, false);
    const have = xxh3(obj.subarray(6, 6 + FIELDS_BYTES));
    if (want !== have) throw new RNTupleFormatError('anchor checksum mismatch');
  }
  return a;
}

export function serializeAnchor(a: Anchor): Uint8Array {
  const out = new Uint8Array(ANCHOR_OBJECT_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (0x40000000 | (2 + FIELDS_BYTES)) >>> 0, false); // the checksum is outside the byte count
  dv.setUint16(4, CLASS_VERSION, false);
  dv.setUint16(6, a.epoch, false); dv.setUint16(8, a.major, false); dv.setUint16(10, a.minor, false); dv.setUint16(12, a.patch, false);
  const vals = [a.seekHeader, a.nbytesHeader, a.lenHeader, a.seekFooter, a.nbytesFooter, a.lenFooter, a.maxKeySize];
  vals.forEach((v, i) => dv.setBigUint64(14 + 8 * i, BigInt(v), false));
  dv.setBigUint64(6 + FIELDS_BYTES, xxh3(out.subarray(6, 6 + FIELDS_BYTES)), false);
  return out;
}
