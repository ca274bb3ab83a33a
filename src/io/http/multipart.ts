// The body of a 206 reply: one range (Content-Range header) or several (multipart/byteranges,
// each part with its own Content-Range). Part lengths come from Content-Range, not from searching
// for the boundary (the data may contain it).
import { RemoteError } from '../errors.js';
import type { HttpReply } from './request.js';

/** `total`: the file's size as the part's Content-Range gives it (null for `*`). */
export interface Part { pos: number; bytes: Uint8Array; total: number | null }

const RANGE = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/i;

export function parseByteRanges(r: HttpReply, display: string): Part[] {
  const ctype = String(r.headers['content-type'] ?? '');
  const bad = (why: string): RemoteError => new RemoteError('protocol', display, `malformed 206 reply: ${why}`);
  if (!/^multipart\/byteranges/i.test(ctype)) {
    const m = RANGE.exec(String(r.headers['content-range'] ?? ''));
    if (m === null) throw bad('no Content-Range');
    const pos = Number(m[1]), end = Number(m[2]);
    if (end - pos + 1 !== r.body.length) throw bad(`Content-Range says ${end - pos + 1} bytes, the body has ${r.body.length}`);
    return [{ pos, bytes: new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.length), total: totalOf(m[3]!) }];
  }
  const bm = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(ctype);
  if (bm === null) throw bad('multipart reply without a boundary');
  const delim = Buffer.from(`--${bm[1] ?? bm[2]}`, 'latin1');
  const body = r.body;
  const parts: Part[] = [];
  let p = body.indexOf(delim);
  while (p >= 0) {
    p += delim.length;
    if (body[p] === 0x2d && body[p + 1] === 0x2d) break; // closing delimiter
    const headEnd = body.indexOf('\r\n\r\n', p, 'latin1');
    if (headEnd < 0) throw bad('part without headers');
    const m = RANGE.exec(body.subarray(p, headEnd).toString('latin1'));
    if (m === null) throw bad('part without Content-Range');
    const pos = Number(m[1]), len = Number(m[2]) - pos + 1, start = headEnd + 4;
    if (len < 0 || start + len > body.length) throw bad('part longer than the body');
    parts.push({ pos, bytes: new Uint8Array(body.buffer, body.byteOffset + start, len), total: totalOf(m[3]!) });
    p = body.indexOf(delim, start + len);
  }
  return parts;
}

const totalOf = (t: string): number | null => (t === '*' ? null : Number(t));

/**
 * The file size given by the first part of a multipart/byteranges body, from its first bytes
 * (null when they do not hold the whole part header): XrdHttp 5.5.3 answers a multi-range request
 * on an empty file with one part header `bytes 0--1/0` and a Content-Length it never sends.
 */
export function firstPartTotal(first: Buffer): number | null {
  const end = first.indexOf('\r\n\r\n', first.indexOf('--'), 'latin1');
  if (end < 0) return null;
  const m = /bytes\s+\d+--?\d+\/(\d+)/i.exec(first.subarray(0, end).toString('latin1'));
  return m === null ? null : Number(m[1]);
}
