// XRootD operations over pooled connections: open/stat/read/readv/close/dirlist/checksum, with
// redirects followed (bounded), kXR_wait honoured, server errors mapped to RemoteError kinds, and
// idempotent reads retried on a fresh connection (reopening the file) when the network fails.
import { RemoteError, isTransient, type RemoteErrorKind } from '../errors.js';
import { bearerToken } from '../token.js';
import { coalesce, type ByteRange, type ByteSource, type RemoteStat } from '../source.js';
import { Connection, errorText, type Reply } from './connection.js';
import { envNumber } from '../../util/env.js';
import {
  DIRLIST_DSTAT, ERR, OPEN_READ, OPEN_RETSTAT, QUERY_CKSUM, READV_MAX_ELEMENT, READV_MAX_ELEMENTS, REQ, STATUS,
  STAT_IS_DIR, errorName, parseStat, type XrdStat,
} from './protocol.js';

export interface XrdSettings {
  /** Per request (and per connection attempt). */
  timeoutMs: number;
  /** Attempts of an idempotent operation when the network fails (1 = no retry). */
  attempts: number;
  /** First back-off between attempts; doubled each time. */
  backoffMs: number;
}

export const settings: XrdSettings = {
  timeoutMs: envNumber('HEPPY_NET_TIMEOUT', 60) * 1000,
  attempts: envNumber('HEPPY_NET_ATTEMPTS', 3),
  backoffMs: 500,
};


const MAX_REDIRECTS = 16;
const MAX_WAITS = 20;
const MAX_WAIT_S = 60;

/** One connection per server for the whole process; a dead one is replaced on next use. */
const pool = new Map<string, Promise<Connection>>();
/** Requests sent by this process (all connections): what tests and benchmarks count. */
export const counters = { requests: 0, reads: 0, readvs: 0, bytes: 0, connects: 0 };

async function connection(host: string, port: number): Promise<Connection> {
  const key = `${host}:${port}`;
  const got = pool.get(key);
  if (got !== undefined) {
    const c = await got.catch(() => null);
    if (c !== null && c.alive) return c;
    if (pool.get(key) === got) pool.delete(key);
    return connection(host, port);
  }
  counters.connects++;
  const p = Connection.open(host, port, { timeoutMs: settings.timeoutMs });
  pool.set(key, p);
  p.catch(() => { if (pool.get(key) === p) pool.delete(key); });
  return p;
}

/** Closes every pooled connection (tests; a process otherwise exits with idle connections unref'd). */
export async function closeAll(): Promise<void> {
  const all = [...pool.values()];
  pool.clear();
  for (const p of all) (await p.catch(() => null))?.close();
}

interface Target { host: string; port: number; path: string; query: string; display: string }

function withAuthz(query: string): string {
  const parts = query === '' ? [] : query.split('&');
  const token = bearerToken();
  if (token !== null && !parts.some((p) => p.startsWith('authz='))) parts.push(`authz=${encodeURIComponent(`Bearer ${token}`)}`);
  return parts.join('&');
}

function kindOfError(code: number): RemoteErrorKind {
  switch (code) {
    case ERR.NotFound: case ERR.noReplicas: return 'not-found';
    case ERR.NotAuthorized: case ERR.AuthFailed: case ERR.TLSRequired: return 'denied';
    case ERR.IOError: case ERR.ServerError: case ERR.noserver: case ERR.Overloaded: case ERR.NoMemory:
    case ERR.FSError: case ERR.ReqTimedOut: case ERR.TimerExpired: case ERR.inProgress: case ERR.FileLocked:
      return 'server';
    default: return 'protocol';
  }
}

function serverError(display: string, what: string, body: Buffer): RemoteError {
  const code = body.length >= 4 ? body.readInt32BE(0) : 0;
  const kind = kindOfError(code);
  const text = kind === 'not-found' ? 'no such file on the server' : `${what}: ${errorName(code)}: ${errorText(body)}`;
  return new RemoteError(kind, display, text);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A request naming a path (open, stat, dirlist, query): redirects are followed to the server they
 * name (with its opaque data appended), kXR_wait is honoured. Resolves with the reply and the
 * connection that gave it (a file handle belongs to that connection).
 */
async function pathRequest(t: Target, code: number, params: Buffer, extraQuery = ''): Promise<{ conn: Connection; body: Buffer }> {
  let host = t.host, port = t.port, query = [withAuthz(t.query), extraQuery].filter((s) => s !== '').join('&');
  let redirects = 0, waits = 0;
  for (;;) {
    const conn = await connection(host, port);
    const data = Buffer.from(t.path + (query ? `?${query}` : ''), 'utf8');
    counters.requests++;
    const r: Reply = await conn.send(code, params, data, settings.timeoutMs);
    switch (r.status) {
      case STATUS.ok: return { conn, body: r.body };
      case STATUS.error: throw serverError(t.display, reqName(code), r.body);
      case STATUS.wait: {
        if (++waits > MAX_WAITS) throw new RemoteError('server', t.display, `the server asked to wait ${MAX_WAITS} times`);
        await sleep(Math.min(MAX_WAIT_S, Math.max(1, r.body.length >= 4 ? r.body.readInt32BE(0) : 1)) * 1000);
        continue;
      }
      case STATUS.redirect: {
        if (++redirects > MAX_REDIRECTS) throw new RemoteError('protocol', t.display, `more than ${MAX_REDIRECTS} redirects`);
        const next = parseRedirect(r.body);
        if (next === null) throw new RemoteError('protocol', t.display, 'malformed redirect');
        host = next.host; port = next.port > 0 ? next.port : port;
        if (next.cgi) query = [withAuthz(t.query), next.cgi].filter((s) => s !== '').join('&');
        continue;
      }
      default: throw new RemoteError('protocol', t.display, `unexpected response status ${r.status} to ${reqName(code)}`);
    }
  }
}

function parseRedirect(body: Buffer): { host: string; port: number; cgi: string } | null {
  if (body.length < 5) return null;
  const port = body.readInt32BE(0);
  let text = body.subarray(4).toString('utf8').replace(/\0.*$/s, '');
  let cgi = '';
  const q = text.indexOf('?');
  if (q >= 0) { cgi = text.slice(q + 1); text = text.slice(0, q); }
  const m = /^(?:[a-z]+:\/\/)?([^/:]+|\[[^\]]+\])(?::(\d+))?/i.exec(text);
  if (m === null) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] !== undefined ? Number(m[2]) : port, cgi };
}

function reqName(code: number): string {
  for (const [k, v] of Object.entries(REQ)) if (v === code) return `kXR_${k}`;
  return `request ${code}`;
}

/** Runs an idempotent operation, again after a back-off when it fails transiently; errors name `display`. */
async function retrying<T>(display: string, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      if (!isTransient(e.kind) || attempt >= settings.attempts) throw e.url === display ? e : new RemoteError(e.kind, display, `${e.reason} (${e.url})`);
      await sleep(settings.backoffMs * 2 ** (attempt - 1));
    }
  }
}

export async function xrdStat(t: Target): Promise<XrdStat> {
  return retrying(t.display, async () => {
    const { body } = await pathRequest(t, REQ.stat, Buffer.alloc(16));
    const st = parseStat(body.toString('latin1'));
    if (st === null) throw new RemoteError('protocol', t.display, 'malformed kXR_stat reply');
    return st;
  });
}

/** "algorithm:value" from kXR_query checksum, or null when the server does not compute one. */
export async function xrdChecksum(t: Target): Promise<string | null> {
  const params = Buffer.alloc(16);
  params.writeUInt16BE(QUERY_CKSUM, 0);
  try {
    const { body } = await retrying(t.display, () => pathRequest(t, REQ.query, params));
    const [alg, value] = body.toString('latin1').replace(/\0.*$/s, '').trim().split(/\s+/);
    return alg && value ? `${alg.toLowerCase()}:${value.toLowerCase()}` : null;
  } catch (e) {
    if (e instanceof RemoteError && (e.kind === 'protocol' || e.kind === 'server')) return null; // no checksum configured
    throw e;
  }
}

export async function xrdRemoteStat(t: Target, checksum = true): Promise<RemoteStat> {
  const st = await xrdStat(t);
  if (st.flags & STAT_IS_DIR) throw new RemoteError('not-found', t.display, 'is a directory, not a file');
  return { size: st.size, mtime: st.mtime, checksum: checksum ? await xrdChecksum(t) : null };
}

export interface DirEntry { name: string; isDir: boolean }

export async function xrdDirlist(t: Target): Promise<DirEntry[]> {
  const params = Buffer.alloc(16);
  params[15] = DIRLIST_DSTAT;
  const { body } = await retrying(t.display, () => pathRequest(t, REQ.dirlist, params));
  const lines = body.toString('utf8').replace(/\0.*$/s, '').split('\n');
  const out: DirEntry[] = [];
  // With kXR_dstat the listing starts with ".\n0 0 0 0" and gives "name\nstat" pairs.
  if (lines[0] === '.' && lines.length > 1 && parseStat(lines[1]!) !== null) {
    for (let i = 2; i + 1 < lines.length; i += 2) {
      const st = parseStat(lines[i + 1]!);
      if (lines[i] !== '' && lines[i] !== '.' && lines[i] !== '..') out.push({ name: lines[i]!, isDir: st !== null && (st.flags & STAT_IS_DIR) !== 0 });
    }
    return out;
  }
  for (const l of lines) if (l !== '' && l !== '.' && l !== '..') out.push({ name: l, isDir: false });
  return out;
}

/** A file opened for reading: a ByteSource. */
export class XrdFile implements ByteSource {
  readonly remote = true;
  private closed = false;

  private constructor(private readonly t: Target, private conn: Connection, private fh: Buffer, readonly size: number) {}

  get name(): string { return this.t.display; }

  static async open(t: Target): Promise<XrdFile> {
    return retrying(t.display, async () => {
      const { conn, fh, size } = await XrdFile.openHandle(t);
      return new XrdFile(t, conn, fh, size);
    });
  }

  private static async openHandle(t: Target): Promise<{ conn: Connection; fh: Buffer; size: number }> {
    const params = Buffer.alloc(16);
    params.writeUInt16BE(OPEN_READ | OPEN_RETSTAT, 2);
    const { conn, body } = await pathRequest(t, REQ.open, params);
    if (body.length < 4) throw new RemoteError('protocol', t.display, 'malformed kXR_open reply');
    const fh = Buffer.from(body.subarray(0, 4));
    let st = body.length > 12 ? parseStat(body.subarray(12).toString('latin1')) : null;
    if (st === null) {
      const sp = Buffer.alloc(16);
      fh.copy(sp, 12);
      const r = await conn.send(REQ.stat, sp, null, settings.timeoutMs);
      st = r.status === STATUS.ok ? parseStat(r.body.toString('latin1')) : null;
      if (st === null) throw new RemoteError('protocol', t.display, 'the server gave no size for the file');
    }
    if (st.flags & STAT_IS_DIR) throw new RemoteError('not-found', t.display, 'is a directory, not a file');
    return { conn, fh, size: st.size };
  }

  /** After a network failure: a new connection and a new handle (the old handle died with its connection). */
  private async reopen(): Promise<void> {
    const { conn, fh, size } = await XrdFile.openHandle(this.t);
    if (size !== this.size) throw new RemoteError('protocol', this.t.display, `the file changed on the server while being read (${this.size} → ${size} bytes)`);
    this.conn = conn; this.fh = fh;
  }

  private async onHandle<T>(fn: (conn: Connection, fh: Buffer) => Promise<T>): Promise<T> {
    if (this.closed) throw new RemoteError('protocol', this.t.display, 'file is closed');
    return retrying(this.t.display, async (attempt) => {
      if (attempt > 1 && !this.conn.alive) await this.reopen();
      return fn(this.conn, this.fh);
    });
  }

  private check(reply: Reply, what: string): Buffer {
    if (reply.status === STATUS.ok) return reply.body;
    if (reply.status === STATUS.error) throw serverError(this.t.display, what, reply.body);
    // A redirect or wait on an open handle: treated as a lost connection (reopen and retry).
    this.conn.close();
    throw new RemoteError('network', this.t.display, `${what}: unexpected status ${reply.status}`);
  }

  async read(pos: number, len: number): Promise<Uint8Array> {
    if (pos < 0 || len < 0 || pos + len > this.size) throw new RemoteError('protocol', this.t.display, `read of ${len} bytes at ${pos} is outside the file (${this.size} bytes)`);
    if (len === 0) return new Uint8Array(0);
    if (len > 8 << 20) return (await this.readv([{ pos, len }]))[0]!;
    return this.onHandle(async (conn, fh) => {
      const params = Buffer.alloc(16);
      fh.copy(params, 0);
      params.writeBigInt64BE(BigInt(pos), 4);
      params.writeInt32BE(len, 12);
      counters.requests++; counters.reads++;
      const body = this.check(await conn.send(REQ.read, params, null, settings.timeoutMs, len), 'kXR_read');
      if (body.length !== len) throw new RemoteError('protocol', this.t.display, `kXR_read of ${len} bytes at ${pos} returned ${body.length}`);
      counters.bytes += len;
      return new Uint8Array(body.buffer, body.byteOffset, body.length);
    });
  }

  /** kXR_readv: the ranges (split to the protocol's element size) in requests of at most 1024 elements, all in flight at once. */
  async readv(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    for (const r of ranges) if (r.pos < 0 || r.len < 0 || r.pos + r.len > this.size) throw new RemoteError('protocol', this.t.display, `read of ${r.len} bytes at ${r.pos} is outside the file (${this.size} bytes)`);
    // Adjacent ranges become one element (fewer headers) up to the element limit; only a range
    // bigger than that is cut into several elements (and put together again below).
    const runs = coalesce(ranges, 0, READV_MAX_ELEMENT);
    const elems: ByteRange[] = [];
    for (const run of runs) for (let p = run.pos; p < run.pos + run.len; p += READV_MAX_ELEMENT) elems.push({ pos: p, len: Math.min(READV_MAX_ELEMENT, run.pos + run.len - p) });
    const groups: ByteRange[][] = [];
    let cur: ByteRange[] = [], bytes = 0;
    for (const e of elems) {
      if (cur.length === READV_MAX_ELEMENTS || (cur.length > 0 && bytes + e.len > 16 << 20)) { groups.push(cur); cur = []; bytes = 0; }
      cur.push(e); bytes += e.len;
    }
    if (cur.length > 0) groups.push(cur);
    const parts = await Promise.all(groups.map((g) => this.readvGroup(g)));
    const flat = parts.flat();
    // Reassemble each run from its elements, then cut the requested ranges out of the runs.
    const runBytes: Uint8Array[] = [];
    let k = 0;
    for (const run of runs) {
      const n = Math.ceil(run.len / READV_MAX_ELEMENT) || 1;
      if (n === 1) runBytes.push(flat[k]!);
      else {
        const buf = new Uint8Array(run.len);
        for (let j = 0; j < n; j++) buf.set(flat[k + j]!, j * READV_MAX_ELEMENT);
        runBytes.push(buf);
      }
      k += n;
    }
    const out: Uint8Array[] = new Array(ranges.length);
    runs.forEach((run, i) => { for (const m of run.members) { const r = ranges[m]!; out[m] = runBytes[i]!.subarray(r.pos - run.pos, r.pos - run.pos + r.len); } });
    return out;
  }

  private readvGroup(elems: ByteRange[]): Promise<Uint8Array[]> {
    return this.onHandle(async (conn, fh) => {
      const list = Buffer.alloc(16 * elems.length);
      elems.forEach((e, i) => { fh.copy(list, 16 * i); list.writeInt32BE(e.len, 16 * i + 4); list.writeBigInt64BE(BigInt(e.pos), 16 * i + 8); });
      counters.requests++; counters.readvs++;
      let size = 0;
      for (const e of elems) size += 16 + e.len;
      const body = this.check(await conn.send(REQ.readv, Buffer.alloc(16), list, settings.timeoutMs, size), 'kXR_readv');
      // The reply: for each element its 16-byte header (handle, length, offset), then its bytes.
      const out: Uint8Array[] = [];
      let p = 0;
      for (const e of elems) {
        if (p + 16 > body.length) throw new RemoteError('protocol', this.t.display, 'kXR_readv reply is shorter than requested');
        const len = body.readInt32BE(p + 4), off = Number(body.readBigInt64BE(p + 8));
        if (len !== e.len || off !== e.pos || p + 16 + len > body.length) throw new RemoteError('protocol', this.t.display, `kXR_readv reply element (${len} bytes at ${off}) does not match the request (${e.len} at ${e.pos})`);
        out.push(new Uint8Array(body.buffer, body.byteOffset + p + 16, len));
        p += 16 + len;
      }
      counters.bytes += p;
      return out;
    });
  }

  /**
   * Releases the handle without waiting for the server: the kXR_close goes with the next request on
   * the connection (Connection.sendLater), so closing a file and opening the next is one write.
   * Resolves when the close is queued; a server's refusal is written to stderr with the file's URL
   * (its data were all read by then, so nothing read is wrong; a failed connection releases it anyway).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.conn.alive) return;
    const params = Buffer.alloc(16);
    this.fh.copy(params, 0);
    counters.requests++;
    this.conn.sendLater(REQ.close, params, null, settings.timeoutMs, (r) => {
      if (!(r instanceof RemoteError) && r.status === STATUS.error) process.stderr.write(`heppy: warning: ${serverError(this.t.display, 'kXR_close', r.body).message}\n`);
    });
  }
}
