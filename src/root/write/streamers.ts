// The StreamerInfo record written into every file: ROOT's own TStreamerInfo objects for the
// classes heppy writes (extracted once from ROOT/uproot-written files into streamer-data.ts),
// re-framed here with class tags valid for this key.
import { WBuf } from './wbuf.js';
import { streamerRecords } from './streamer-data.js';

const TSTREAMERINFO_VERSION = 9;

const decoded = streamerRecords.map((r) => ({
  ...r,
  namedBytes: Buffer.from(r.named, 'base64'),
  elementBytes: r.elements.map((e) => ({ cls: e.cls, bytes: Buffer.from(e.bytes, 'base64') })),
}));

/** Serialises the TList of TStreamerInfo; keylen is the StreamerInfo key's length (tags count from it). */
export function streamerInfoPayload(keylen: number): Uint8Array {
  const b = new WBuf(64 * 1024, keylen);
  const list = b.begin(5);
  b.tobject();
  b.tstring('');
  b.i32(decoded.length);
  for (const r of decoded) {
    const o = b.beginObject('TStreamerInfo');
    const si = b.begin(TSTREAMERINFO_VERSION);
    b.raw(r.namedBytes);
    b.u32(r.checksum);
    b.i32(r.classVersion);
    const arr = b.beginObject('TObjArray');
    const arrBody = b.objArrayHeader(r.elementBytes.length);
    for (const e of r.elementBytes) {
      const eo = b.beginObject(e.cls);
      b.raw(e.bytes);
      b.end(eo.start);
    }
    b.end(arrBody);
    b.end(arr.start);
    b.end(si);
    b.end(o.start);
    b.u8(0); // option string of the list entry
  }
  b.end(list);
  return b.bytes();
}
