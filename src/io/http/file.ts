// A file read over HTTP(S) by range requests: a server must answer a Range with 206 (one that
// sends the whole file instead is an error, not a silent full download). Vector reads become one
// multi-range GET per group of ranges (multipart/byteranges), split when the server declines.
// Opening is the first range read (its Content-Range gives the size); there is no HEAD.
import { RemoteError } from '../errors.js';
import { coalesce, cutRuns, type ByteRange, type ByteSource, type RemoteStat } from '../source.js';
import { fetchBytes, statusError, type HttpReply } from './request.js';
import { parseByteRanges, type Part } from './multipart.js';

/** Ranges closer than this are fetched as one (a request costs more than a few kB on any network). */
const MAX_GAP = 32 << 10;
const MAX_RUN = 8 << 20;
/** Ranges per multi-range request (servers limit the header length). */
const RANGES_PER_GET = 64;

/** `digest`: ask for the server's checksum (Want-Digest; the server may compute it). */
export async function httpStat(url: URL, display: string, digest = true): Promise<RemoteStat> {
  let r = await fetchBytes('HEAD', url, digest ? { 'Want-Digest': 'adler32, md5' } : {});
  if (r.status === 405 || r.status === 501) r = await fetchBytes('GET', url, { Range: 'bytes=0-0' });
  if (r.status !== 200 && r.status !== 206) throw statusError(display, r, 'stat');
  let size = Number(r.headers['content-length']);
  const cr = /\/(\d+)\s*$/.exec(String(r.headers['content-range'] ?? ''));
  if (r.status === 206 && cr) size = Number(cr[1]);
  if (!Number.isSafeInteger(size) || size < 0) throw new RemoteError('protocol', display, 'the server gives no file size');
  const lm = r.headers['last-modified'] ? Date.parse(r.headers['last-modified']) : NaN;
  return { size, mtime: Number.isFinite(lm) ? Math.round(lm / 1000) : null, checksum: digestOf(r) };
}

function digestOf(r: HttpReply): string | null {
  const d = r.headers.digest;
  if (typeof d === 'string' && d !== '') {
    const first = d.split(',')[0]!.trim();
    const eq = first.indexOf('=');
    if (eq > 0) return `${first.slice(0, eq).toLowerCase()}:${first.slice(eq + 1)}`;
  }
  const etag = r.headers.etag;
  return typeof etag === 'string' && etag !== '' && !etag.startsWith('W/') ? `etag:${etag}` : null;
}

/**
 * Bytes asked for by the open: the reply's Content-Range gives the file's size (no HEAD: XrdHttp
 * 5.5.3 answers no suffix range, so the size cannot come with the tail), and the bytes are the
 * file's header and first records, or the whole file when it is smaller (ROOT's EdgeCache reads the
 * head and the tail, 64 kB + 512 kB, right after: a file up to this size costs one request).
 */
export const OPEN_PROBE = 576 << 10;
/**
 * The open's Range: two ranges, bytes 0-0 and 1-(OPEN_PROBE - 1). A server clips a range past the
 * end of a small file (RFC 9110), except XrdHttp 5.5.3 on a single range (it announces the bytes
 * asked for, sends none and closes: a second request and a new connection); on a multi-range
 * request it clips every range that starts inside the file, as both do here for any file of ≥ 1
 * byte. The parts are joined (a server may also answer one range 0-N).
 */
export const OPEN_RANGE = `bytes=0-0,1-${OPEN_PROBE - 1}`;

export class HttpFile implements ByteSource {
  readonly remote = true;
  /** `first`: bytes [0, first.length) of the file, read by the open. */
  private constructor(private readonly url: URL, readonly name: string, readonly size: number, private readonly first: Uint8Array) {}

  static async open(url: URL, display: string): Promise<HttpFile> {
    let r = await fetchBytes('GET', url, { Range: OPEN_RANGE });
    if (r.pastEnd !== undefined && r.pastEnd > 0) r = await fetchBytes('GET', url, { Range: `bytes=0-${r.pastEnd - 1}` });
    if (r.status === 416 || r.pastEnd === 0) return new HttpFile(url, display, 0, new Uint8Array(0)); // an empty file
    if (r.status === 200) throw noRanges(display);
    if (r.status !== 206) throw statusError(display, r, 'open (range read)');
    if (r.pastEnd !== undefined) throw new RemoteError('protocol', display, `the server answers ranges past the end of the file (${r.pastEnd} bytes) with a broken reply`);
    const { size, first } = joinFirst(parseByteRanges(r, display), display);
    return new HttpFile(url, display, size, first);
  }

  /** The part of [pos, pos + len) not in the bytes read at open: null when all of it is there. */
  private fromFirst(pos: number, len: number): Uint8Array | null {
    return pos + len <= this.first.length ? this.first.subarray(pos, pos + len) : null;
  }

  async read(pos: number, len: number): Promise<Uint8Array> {
    this.check({ pos, len });
    if (len === 0) return new Uint8Array(0);
    const have = this.fromFirst(pos, len);
    if (have !== null) return have;
    // A range that starts in the bytes read at open: only its rest crosses the network.
    if (pos < this.first.length) {
      const rest = await this.get(this.first.length, pos + len - this.first.length);
      const out = new Uint8Array(len);
      out.set(this.first.subarray(pos));
      out.set(rest, this.first.length - pos);
      return out;
    }
    return this.get(pos, len);
  }

  private async get(pos: number, len: number): Promise<Uint8Array> {
    const r = await fetchBytes('GET', this.url, { Range: `bytes=${pos}-${pos + len - 1}` });
    if (r.status === 200) throw noRanges(this.name);
    if (r.status !== 206 || r.pastEnd !== undefined) throw statusError(this.name, r, 'range read');
    const parts = parseByteRanges(r, this.name);
    const got = pick(parts, { pos, len });
    if (got === null) throw new RemoteError('protocol', this.name, `the server did not return bytes ${pos}-${pos + len - 1}`);
    return got;
  }

  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    for (const r of ranges) this.check(r);
    const out: (Uint8Array | null)[] = ranges.map((r) => this.fromFirst(r.pos, r.len));
    const missing = ranges.filter((_, i) => out[i] === null);
    if (missing.length === 0) return out as Uint8Array[];
    const got = await this.fetchv(missing);
    let k = 0;
    for (let i = 0; i < out.length; i++) if (out[i] === null) out[i] = got[k++]!;
    return out as Uint8Array[];
  }

  private async fetchv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const runs = coalesce(ranges, MAX_GAP, MAX_RUN);
    const bytes: Uint8Array[] = new Array(runs.length);
    const groups: number[][] = [];
    for (let i = 0; i < runs.length; i += RANGES_PER_GET) groups.push(runs.slice(i, i + RANGES_PER_GET).map((_, k) => i + k));
    await Promise.all(groups.map(async (g) => {
      if (g.length === 1) { const run = runs[g[0]!]!; bytes[g[0]!] = await this.read(run.pos, run.len); return; }
      const header = 'bytes=' + g.map((i) => `${runs[i]!.pos}-${runs[i]!.pos + runs[i]!.len - 1}`).join(',');
      const r = await fetchBytes('GET', this.url, { Range: header });
      if (r.status === 200) throw noRanges(this.name);
      if (r.status !== 206 || r.pastEnd !== undefined) throw statusError(this.name, r, 'multi-range read');
      const parts = parseByteRanges(r, this.name);
      for (const i of g) {
        const got = pick(parts, runs[i]!);
        // A server may answer only part of a multi-range request: the rest is asked for one by one.
        bytes[i] = got ?? await this.read(runs[i]!.pos, runs[i]!.len);
      }
    }));
    return cutRuns(ranges, runs, bytes);
  }

  private check(r: ByteRange): void {
    if (r.pos < 0 || r.len < 0 || r.pos + r.len > this.size) throw new RemoteError('protocol', this.name, `read of ${r.len} bytes at ${r.pos} is outside the file (${this.size} bytes)`);
  }

  async close(): Promise<void> { /* connections are pooled by the agent */ }
}

/** The open's parts as bytes [0, N) of the file, and its size (from Content-Range). */
function joinFirst(parts: Part[], display: string): { size: number; first: Uint8Array } {
  const sorted = [...parts].sort((a, b) => a.pos - b.pos);
  const size = sorted[0]?.total ?? NaN;
  let end = 0;
  for (const p of sorted) {
    if (p.pos !== end || p.total !== size) break;
    end += p.bytes.length;
  }
  // A server may answer part of the ranges: whatever starts the file is kept, the rest is read later.
  if (!Number.isSafeInteger(size) || end === 0 || end > size) {
    throw new RemoteError('protocol', display, 'the reply to the first range read gives no file size (Content-Range bytes 0-N/SIZE)');
  }
  if (sorted.length === 1 || sorted[1]!.pos >= end) return { size, first: sorted[0]!.bytes.subarray(0, end) };
  const [a, b] = sorted as [Part, Part];
  if (sorted.length === 2 || sorted[2]!.pos >= end) {
    // The usual reply to OPEN_RANGE: byte 0, then bytes 1..N after a part header in the same body.
    // Byte 0 is written over the end of that header (already parsed), so the first bytes are one
    // view of the reply instead of a copy of 576 kB.
    const k = a.bytes.length;
    if (a.bytes.buffer === b.bytes.buffer && a.bytes.byteOffset + k <= b.bytes.byteOffset - k) {
      const at = b.bytes.byteOffset - k;
      new Uint8Array(b.bytes.buffer, at, k).set(a.bytes);
      return { size, first: new Uint8Array(b.bytes.buffer, at, k + b.bytes.length) };
    }
  }
  const first = new Uint8Array(end);
  for (const p of sorted) { if (p.pos >= end) break; first.set(p.bytes, p.pos); }
  return { size, first };
}

function noRanges(display: string): RemoteError {
  return new RemoteError('protocol', display, 'the server ignores range requests (HTTP 200 instead of 206): heppy will not download whole files');
}

function pick(parts: { pos: number; bytes: Uint8Array }[], r: ByteRange): Uint8Array | null {
  for (const p of parts) {
    if (p.pos <= r.pos && r.pos + r.len <= p.pos + p.bytes.length) return p.bytes.subarray(r.pos - p.pos, r.pos - p.pos + r.len);
  }
  return null;
}
