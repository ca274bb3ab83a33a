// Reads the raw key directory of a ROOT file (header → directory records → keys lists), so
// that hadd can copy objects it cannot add byte for byte and find trees and histograms.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RootError } from '../errors.js';

export interface RawKey {
  dir: string;          // '' or 'a/b'
  path: string;         // 'a/b/name'
  name: string;
  title: string;
  className: string;
  cycle: number;
  seek: number;
  nbytes: number;
  objlen: number;
  keylen: number;
  big: boolean;
}

export interface RawFile { path: string; compress: number; seekInfo: number; nbytesInfo: number; keys: RawKey[] }

/**
 * The first and last bytes of a file are read once at open: the header and top directory record,
 * and the keys lists, StreamerInfo and tree/histogram metadata that ROOT writes at the end (one
 * read each instead of one per structure; bounded memory per open input, merges hold thousands).
 */
const HEAD = 512, TAIL = 32 * 1024;

export class Source {
  readonly fd: number;
  readonly size: number;
  private readonly head: Uint8Array;
  private readonly tail: Uint8Array;
  private readonly tailAt: number;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      throw new RootError(path, '', `cannot open: ${(e as Error).message}`);
    }
    try {
      this.tailAt = Math.max(0, this.size - TAIL);
      this.tail = new Uint8Array(this.size - this.tailAt);
      this.fill(this.tail, this.tailAt, this.tail.length);
      this.head = this.tailAt === 0 ? this.tail : new Uint8Array(Math.min(HEAD, this.size));
      if (this.head !== this.tail) this.fill(this.head, 0, this.head.length);
    } catch (e) { closeSync(this.fd); throw e; }
  }
  private fill(b: Uint8Array, pos: number, len: number): void {
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, b, got, len - got, pos + got);
      if (n <= 0) throw new RootError(this.path, '', `short read at ${pos + got}`);
      got += n;
    }
  }
  /** len bytes at pos (possibly a view into bytes read at open: not to be modified). */
  read(pos: number, len: number, what: string): Uint8Array {
    if (pos < 0 || len < 0 || pos + len > this.size) throw new RootError(this.path, what, `${len} bytes at ${pos} lie beyond the end of the file (${this.size} bytes; truncated?)`);
    if (pos >= this.tailAt) return this.tail.subarray(pos - this.tailAt, pos - this.tailAt + len);
    if (pos + len <= this.head.length) return this.head.subarray(pos, pos + len);
    const b = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, b, got, len - got, pos + got);
      if (n <= 0) throw new RootError(this.path, what, `short read at ${pos + got}`);
      got += n;
    }
    return b;
  }
  /** Reads len bytes at pos into buf (reused by the caller: no allocation per read). */
  readInto(buf: Uint8Array, pos: number, len: number, what: string): void {
    if (pos < 0 || len < 0 || pos + len > this.size || len > buf.length) throw new RootError(this.path, what, `${len} bytes at ${pos} lie beyond the end of the file (${this.size} bytes; truncated?)`);
    if (pos >= this.tailAt) { buf.set(this.tail.subarray(pos - this.tailAt, pos - this.tailAt + len)); return; }
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, pos + got);
      if (n <= 0) throw new RootError(this.path, what, `short read at ${pos + got}`);
      got += n;
    }
  }
  close(): void { closeSync(this.fd); }
}

function tstr(b: Uint8Array, dv: DataView, p: number): [string, number] {
  let n = b[p]!; p++;
  if (n === 255) { n = dv.getInt32(p); p += 4; }
  return [Buffer.from(b.subarray(p, p + n)).toString('utf8'), p + n];
}

function parseKeyHeader(src: Source, b: Uint8Array, at: number, dir: string): { key: RawKey; end: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (at + 18 > b.length) throw new RootError(src.path, dir, 'keys list is truncated');
  const nbytes = dv.getInt32(at), version = dv.getInt16(at + 4), objlen = dv.getInt32(at + 6);
  const keylen = dv.getInt16(at + 14), cycle = dv.getInt16(at + 16);
  const big = version > 1000;
  const seek = big ? Number(dv.getBigInt64(at + 18)) : dv.getInt32(at + 18);
  let p = at + 18 + (big ? 16 : 8);
  let className: string, name: string, title: string;
  [className, p] = tstr(b, dv, p);
  [name, p] = tstr(b, dv, p);
  [title, p] = tstr(b, dv, p);
  if (nbytes < keylen || keylen <= 0 || seek <= 0 || seek + nbytes > src.size) {
    throw new RootError(src.path, dir ? `${dir}/${name}` : name, `bad key (${nbytes} bytes at ${seek}, file has ${src.size})`);
  }
  return { key: { dir, path: dir ? `${dir}/${name}` : name, name, title, className, cycle, seek, nbytes, objlen, keylen, big }, end: p };
}

function readDir(src: Source, recordPos: number, dir: string, out: RawKey[], depth: number): void {
  if (depth > 64) throw new RootError(src.path, dir, 'directories nested too deep (a loop?)');
  const rec = src.read(recordPos, 42, dir || 'top directory');
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const version = dv.getInt16(0);
  const big = version > 1000;
  const nbytesKeys = dv.getInt32(10);
  const seekKeys = big ? Number(dv.getBigInt64(34)) : dv.getInt32(26);
  if (seekKeys === 0) return;
  const kl = src.read(seekKeys, nbytesKeys, `${dir || 'top directory'} keys list`);
  const kdv = new DataView(kl.buffer, kl.byteOffset, kl.byteLength);
  const keylen = kdv.getInt16(14);
  const n = kdv.getInt32(keylen);
  let p = keylen + 4;
  for (let i = 0; i < n; i++) {
    const { key, end } = parseKeyHeader(src, kl, p, dir);
    p = end;
    out.push(key);
    if (key.className === 'TDirectory' || key.className === 'TDirectoryFile') readDir(src, key.seek + key.keylen, key.path, out, depth + 1);
  }
}

/** All keys of a file, recursively (directories first, then their contents). */
export function readRawKeys(src: Source): RawFile {
  const h = src.read(0, Math.min(src.size, 64), 'header');
  if (h.length < 64 || Buffer.from(h.subarray(0, 4)).toString('latin1') !== 'root') throw new RootError(src.path, '', 'not a ROOT file (no "root" magic)');
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const version = dv.getInt32(4);
  const begin = dv.getInt32(8);
  const big = version >= 1000000;
  const end = big ? Number(dv.getBigInt64(12)) : dv.getInt32(12);
  if (end > src.size) throw new RootError(src.path, '', `file is truncated: header says ${end} bytes, file has ${src.size}`);
  const nbytesName = big ? dv.getInt32(8 + 4 + 16 + 8) : dv.getInt32(8 + 4 + 8 + 8);
  const cAt = big ? 8 + 4 + 16 + 12 + 1 : 8 + 4 + 8 + 12 + 1;
  const compress = dv.getInt32(cAt);
  const seekInfo = big ? Number(dv.getBigInt64(cAt + 4)) : dv.getInt32(cAt + 4);
  const nbytesInfo = dv.getInt32(cAt + (big ? 12 : 8));
  const keys: RawKey[] = [];
  readDir(src, begin + nbytesName, '', keys, 0);
  return { path: src.path, compress, seekInfo, nbytesInfo, keys };
}
