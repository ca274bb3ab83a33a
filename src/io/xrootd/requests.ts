// XRootD requests over pooled connections: one connection per server, redirects followed (bounded),
// kXR_wait honoured, server errors mapped to RemoteError kinds, idempotent operations retried after a
// back-off when the network fails. The operations (client.ts) and open files (file.ts) sit on these.
import { RemoteError, isTransient, type RemoteErrorKind } from '../errors.js';
import { bearerToken } from '../token.js';
import { Connection, errorText, type Reply } from './connection.js';
import { envNumber } from '../../util/env.js';
import { ERR, REQ, STATUS, errorName } from './protocol.js';

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

export interface Target { host: string; port: number; path: string; query: string; display: string }

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

export function serverError(display: string, what: string, body: Buffer): RemoteError {
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
export async function pathRequest(t: Target, code: number, params: Buffer, extraQuery = ''): Promise<{ conn: Connection; body: Buffer }> {
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
export async function retrying<T>(display: string, fn: (attempt: number) => Promise<T>): Promise<T> {
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
