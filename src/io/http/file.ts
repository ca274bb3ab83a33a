// A file read over HTTP(S) by range requests: a server must answer a Range with 206 (one that
// sends the whole file instead is an error, not a silent full download). Vector reads become one
// multi-range GET per group of ranges (multipart/byteranges), split when the server declines.
import { RemoteError } from '../errors.js';
import { coalesce, cutRuns, type ByteRange, type ByteSource, type RemoteStat } from '../source.js';
import { fetchBytes, statusError, type HttpReply } from './request.js';
import { parseByteRanges } from './multipart.js';

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

export class HttpFile implements ByteSource {
  readonly remote = true;
  private constructor(private readonly url: URL, readonly name: string, readonly size: number) {}

  static async open(url: URL, display: string): Promise<HttpFile> {
    const st = await httpStat(url, display, false);
    return new HttpFile(url, display, st.size);
  }

  async read(pos: number, len: number): Promise<Uint8Array> {
    this.check({ pos, len });
    if (len === 0) return new Uint8Array(0);
    const r = await fetchBytes('GET', this.url, { Range: `bytes=${pos}-${pos + len - 1}` });
    if (r.status === 200) throw this.noRanges();
    if (r.status !== 206) throw statusError(this.name, r, 'range read');
    const parts = parseByteRanges(r, this.name);
    const got = pick(parts, { pos, len });
    if (got === null) throw new RemoteError('protocol', this.name, `the server did not return bytes ${pos}-${pos + len - 1}`);
    return got;
  }

  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    for (const r of ranges) this.check(r);
    const runs = coalesce(ranges, MAX_GAP, MAX_RUN);
    const bytes: Uint8Array[] = new Array(runs.length);
    const groups: number[][] = [];
    for (let i = 0; i < runs.length; i += RANGES_PER_GET) groups.push(runs.slice(i, i + RANGES_PER_GET).map((_, k) => i + k));
    await Promise.all(groups.map(async (g) => {
      if (g.length === 1) { const run = runs[g[0]!]!; bytes[g[0]!] = await this.read(run.pos, run.len); return; }
      const header = 'bytes=' + g.map((i) => `${runs[i]!.pos}-${runs[i]!.pos + runs[i]!.len - 1}`).join(',');
      const r = await fetchBytes('GET', this.url, { Range: header });
      if (r.status === 200) throw this.noRanges();
      if (r.status !== 206) throw statusError(this.name, r, 'multi-range read');
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

  private noRanges(): RemoteError {
    return new RemoteError('protocol', this.name, 'the server ignores range requests (HTTP 200 instead of 206): heppy will not download whole files');
  }

  async close(): Promise<void> { /* connections are pooled by the agent */ }
}

function pick(parts: { pos: number; bytes: Uint8Array }[], r: ByteRange): Uint8Array | null {
  for (const p of parts) {
    if (p.pos <= r.pos && r.pos + r.len <= p.pos + p.bytes.length) return p.bytes.subarray(r.pos - p.pos, r.pos - p.pos + r.len);
  }
  return null;
}
