// TKey headers: small (32-bit seeks, version 4) and big (64-bit seeks, version 1004) forms.
import { WBuf } from './wbuf.js';

export function tstringLength(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return n < 255 ? 1 + n : 5 + n;
}

export function keyLength(className: string, name: string, title: string, big: boolean): number {
  return (big ? 34 : 26) + tstringLength(className) + tstringLength(name) + tstringLength(title);
}

export interface KeyHeader {
  nbytes: number; objlen: number; datime: number; keylen: number; cycle: number;
  seekKey: number; seekPdir: number; big: boolean; className: string; name: string; title: string;
}

export function writeKeyHeader(b: WBuf, k: KeyHeader): void {
  b.i32(k.nbytes);
  b.i16(k.big ? 1004 : 4);
  b.i32(k.objlen);
  b.u32(k.datime);
  b.i16(k.keylen);
  b.i16(k.cycle);
  if (k.big) { b.i64(k.seekKey); b.i64(k.seekPdir); } else { b.i32(k.seekKey); b.i32(k.seekPdir); }
  b.tstring(k.className);
  b.tstring(k.name);
  b.tstring(k.title);
}

