// What RootFileWriter.close() writes last, once every object is in: the StreamerInfo key, each
// directory's keys list, the free-segments record, then (over their reserved places at the front)
// every directory's record, the top directory's key and the file header. The writer's state is
// handed in as a FileTail, so that this sequence (and the order ROOT's reader relies on) has one home.
import { WBuf } from './wbuf.js';
import { BEGIN, DIR_RECORD_BYTES, dirRecordBytes, fileHeaderBytes, freeListBytes, freeListLength, topKeyBytes, type Dir, type KeySpec } from './file-records.js';
import { streamerInfoPayload } from './streamers.js';
import type { RawRecord } from './streamer-records.js';

/** What of the writer the tail needs: its keys and bytes, and the facts of this file. */
export interface FileTail {
  writeKey(spec: KeySpec): { seek: number; nbytes: number; keylen: number };
  writeAt(pos: number, bytes: Uint8Array): void;
  /** Where the next key goes. */
  end(): number;
  bigAt(pos: number): boolean;
  readonly top: Dir;
  /** Every directory, the top one first, in the order they were made. */
  readonly dirs: readonly Dir[];
  readonly free: readonly [number, number][];
  readonly extraInfos: RawRecord[];
  readonly fileName: string;
  readonly force64: boolean;
  readonly datime: number;
  readonly uuid: Uint8Array;
  /** Length of the top directory's record (DIR_RECORD_BYTES, or more over a first appended file's). */
  readonly topDirBytes: number;
  readonly compressionSetting: number;
}

/** Writes the tail of the file and its front records; after it the file is a valid ROOT file. */
export function writeTail(t: FileTail): void {
  const si = t.writeKey({
    className: 'TList', name: 'StreamerInfo', title: 'Doubly linked list', dir: t.top,
    compress: true, list: false, cycle: 1, payload: (keylen) => streamerInfoPayload(keylen, t.extraInfos),
  });
  const keysLists = writeKeysLists(t);
  // Free segments: the unused ranges declared with markFree, then one TFree from the end of the file to "infinity".
  const bigFree = t.bigAt(t.end() + 200 + 18 * t.free.length);
  const freeKey = t.writeKey({
    className: 'TFile', name: t.fileName, title: '', dir: t.top, compress: false, list: false, cycle: 1,
    payload: () => new Uint8Array(freeListLength(t.free, t.force64, bigFree)),
  });
  const fileEnd = t.end();
  t.writeAt(freeKey.seek + freeKey.keylen, freeListBytes(t.free, t.force64, fileEnd, bigFree));
  const stamp = { datime: t.datime, uuid: t.uuid };
  for (const d of t.dirs) {
    const kl = keysLists.get(d)!;
    const len = d === t.top ? t.topDirBytes : DIR_RECORD_BYTES;
    t.writeAt(d.recordPos, dirRecordBytes(d, stamp, kl.seek, kl.nbytes, t.bigAt(Math.max(kl.seek, d.seekDir)), len));
  }
  t.writeAt(BEGIN, topKeyBytes(t.top, t.fileName, t.topDirBytes, t.datime));
  t.writeAt(0, fileHeaderBytes({
    fileEnd, seekFree: freeKey.seek, nbytesFree: freeKey.nbytes, seekInfo: si.seek, nbytesInfo: si.nbytes,
    nbytesName: t.top.nbytesName, compressionSetting: t.compressionSetting, big: t.bigAt(fileEnd),
  }, t.uuid));
}

/** Each directory's keys list (its keys' headers), the last made first, as the writer always did. */
function writeKeysLists(t: FileTail): Map<Dir, { seek: number; nbytes: number }> {
  const keysLists = new Map<Dir, { seek: number; nbytes: number }>();
  for (const d of [...t.dirs].reverse()) {
    keysLists.set(d, t.writeKey({
      className: d === t.top ? 'TFile' : 'TDirectory', name: d.name, title: d.title, dir: d,
      compress: false, list: false, cycle: 1,
      payload: () => {
        const b = new WBuf(4 + d.keys.reduce((n, k) => n + k.header.length, 0));
        b.i32(d.keys.length);
        for (const k of d.keys) b.raw(k.header);
        return b.bytes();
      },
    }));
  }
  return keysLists;
}
