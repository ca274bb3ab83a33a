// The fixed records of a TFile that RootFileWriter writes last, at close(): the header (bytes
// 0-99), the top directory's key and record, each directory's record and the free-segments list.
// Layout facts of ROOT's TFile/TDirectory/TFree, in 32-bit or 64-bit ("big file") form.
import { WBuf } from './wbuf.js';
import { keyLength, writeKeyHeader } from './keys.js';

/** ROOT's kStartBigFile: beyond this, seeks are written as 64-bit values. */
export const START_BIG_FILE = 2000000000;
export const FILE_VERSION = 62406;
/** Where the top directory's key starts (the header's length). */
export const BEGIN = 100;
export const DIR_RECORD_BYTES = 60;

export interface KeyInfo { name: string; cycle: number; header: Uint8Array }

export interface Dir {
  path: string;
  name: string;
  title: string;
  seekDir: number;
  seekParent: number;
  recordPos: number;
  nbytesName: number;
  keys: KeyInfo[];
  children: Dir[];
}

/** A key for RootFileWriter.writeKey (and the tail close() writes): where, what, and its payload. */
export interface KeySpec {
  className: string;
  name: string;
  title: string;
  dir: Dir;
  /** Built once the key length is known, because object references count from the key start. */
  payload: (keylen: number) => Uint8Array;
  compress: boolean;
  big?: boolean;
  cycle?: number;
  list?: boolean;
}

/** What every record of one file shares: its creation time and UUID. */
export interface FileStamp { datime: number; uuid: Uint8Array }

/** A directory's record (TDirectory streamer), padded to `len` bytes (room to become big in place). */
export function dirRecordBytes(d: Dir, s: FileStamp, seekKeys: number, nbytesKeys: number, big: boolean, len: number): Uint8Array {
  const b = new WBuf(len);
  b.i16(big ? 1005 : 5);
  b.u32(s.datime); b.u32(s.datime);
  b.i32(nbytesKeys); b.i32(d.nbytesName);
  if (big) { b.i64(d.seekDir); b.i64(d.seekParent); b.i64(seekKeys); } else { b.i32(d.seekDir); b.i32(d.seekParent); b.i32(seekKeys); }
  b.u16(1); b.raw(s.uuid);
  while (b.pos < len) b.u8(0);
  return b.bytes();
}

/** The top directory's key (class TFile) with the file's name and title, written at BEGIN. */
export function topKeyBytes(top: Dir, fileName: string, topDirBytes: number, datime: number): Uint8Array {
  const keylen = keyLength('TFile', fileName, '', false);
  const b = new WBuf(keylen + 64);
  writeKeyHeader(b, {
    nbytes: top.nbytesName + topDirBytes, objlen: top.nbytesName + topDirBytes - keylen,
    datime, keylen, cycle: 1, seekKey: BEGIN, seekPdir: 0, big: false,
    className: 'TFile', name: fileName, title: '',
  });
  b.tstring(fileName);
  b.tstring('');
  return b.bytes();
}

export interface HeaderFields {
  fileEnd: number;
  seekFree: number;
  nbytesFree: number;
  seekInfo: number;
  nbytesInfo: number;
  nbytesName: number;
  compressionSetting: number;
  big: boolean;
}

/** The file header, bytes 0-99 ("root", version, pointers to the free list and StreamerInfo). */
export function fileHeaderBytes(h: HeaderFields, uuid: Uint8Array): Uint8Array {
  const b = new WBuf(BEGIN);
  b.raw(Buffer.from('root', 'latin1'));
  b.i32(h.big ? FILE_VERSION + 1000000 : FILE_VERSION);
  b.i32(BEGIN);
  if (h.big) { b.i64(h.fileEnd); b.i64(h.seekFree); } else { b.i32(h.fileEnd); b.i32(h.seekFree); }
  b.i32(h.nbytesFree); b.i32(1); b.i32(h.nbytesName);
  b.u8(h.big ? 8 : 4);
  b.i32(h.compressionSetting);
  if (h.big) b.i64(h.seekInfo); else b.i32(h.seekInfo);
  b.i32(h.nbytesInfo);
  b.u16(1); b.raw(uuid);
  while (b.pos < BEGIN) b.u8(0);
  return b.bytes();
}

/** Bytes of the free-segments list: `segments` (10 bytes each, 18 past 2 GB or with force64), then the trailing one. */
export function freeListLength(segments: readonly [number, number][], force64: boolean, bigTail: boolean): number {
  return segments.reduce((n, [, last]) => n + (force64 || last > START_BIG_FILE ? 18 : 10), 0) + (bigTail ? 18 : 10);
}

/** The free-segments list (TFree records): the unused ranges, then one from `fileEnd` to "infinity". */
export function freeListBytes(segments: readonly [number, number][], force64: boolean, fileEnd: number, bigTail: boolean): Uint8Array {
  const free = new WBuf(freeListLength(segments, force64, true));
  for (const [first, last] of segments) {
    if (force64 || last > START_BIG_FILE) { free.i16(1001); free.i64(first); free.i64(last); } else { free.i16(1); free.i32(first); free.i32(last); }
  }
  if (bigTail) { free.i16(1001); free.i64(fileEnd); free.i64(fileEnd + 1e12); } else { free.i16(1); free.i32(fileEnd); free.i32(START_BIG_FILE); }
  return free.bytes();
}
