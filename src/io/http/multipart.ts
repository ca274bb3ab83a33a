// The body of a 206 reply: one range (Content-Range header) or several (multipart/byteranges,
// each part with its own Content-Range). Part lengths come from Content-Range, not from searching
// for the boundary (the data may contain it).
import { RemoteError } from '../errors.js';
import type { HttpReply } from './request.js';

export interface Part { pos: number; bytes: Uint8Array }

const RANGE = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/i;

export function parseByteRanges(r: HttpReply, display: string): Part[] {
  const ctype = String(r.headers['content-type'] ?? '');
  const bad = (why: string): RemoteError => new RemoteError('protocol', display, `malformed 206 reply: ${why}`);
  if (!/^multipart\/byteranges/i.test(ctype)) {
    const m = RANGE.exec(String(r.headers['content-range'] ?? ''));
    if (m === null) throw bad('no Content-Range');
    const pos = Number(m[1]), end = Number(m[2]);
    if (end - pos + 1 !== r.body.length) throw bad(`Content-Range says ${end - pos + 1} bytes, the body has ${r.body.length}`);
    return [{ pos, bytes: new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.length) }];
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
    parts.push({ pos, bytes: new Uint8Array(body.buffer, body.byteOffset + start, len) });
    p = body.indexOf(delim, start + len);
  }
  return parts;
}
