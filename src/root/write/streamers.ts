// The StreamerInfo record written into every file: ROOT's own TStreamerInfo objects for the
// classes heppy writes (extracted once from ROOT/uproot-written files into streamer-data.ts),
// plus the infos of classes copied from other files (hadd), re-framed here with class tags
// valid for this key.
import { WBuf } from './wbuf.js';
import { streamerRecords } from './streamer-data.js';
import type { RawRecord } from './streamer-records.js';

const TSTREAMERINFO_VERSION = 9;

export const builtinRecords: RawRecord[] = streamerRecords.map((r) => ({
  name: r.name, checksum: r.checksum, classVersion: r.classVersion,
  named: Buffer.from(r.named, 'base64'),
  elements: r.elements.map((e) => ({ cls: e.cls, bytes: Buffer.from(e.bytes, 'base64') })),
}));

/** Built-in records first, then each other (class, version) once. */
export function recordSet(extra: RawRecord[]): RawRecord[] {
  const seen = new Set<string>();
  const out: RawRecord[] = [];
  for (const r of [...builtinRecords, ...extra]) {
    const id = `${r.name};${r.classVersion}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  return out;
}

/** Serialises the TList of TStreamerInfo; keylen is the StreamerInfo key's length (tags count from it). */
export function streamerInfoPayload(keylen: number, extra: RawRecord[] = []): Uint8Array {
  const records = recordSet(extra);
  const b = new WBuf(64 * 1024, keylen);
  const list = b.begin(5);
  b.tobject();
  b.tstring('');
  b.i32(records.length);
  for (const r of records) {
    const o = b.beginObject('TStreamerInfo');
    const si = b.begin(TSTREAMERINFO_VERSION);
    b.raw(r.named);
    b.u32(r.checksum);
    b.i32(r.classVersion);
    const arr = b.beginObject('TObjArray');
    const arrBody = b.objArrayHeader(r.elements.length);
    for (const e of r.elements) {
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
