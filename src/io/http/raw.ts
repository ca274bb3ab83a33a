// Plain http:// GETs (the data path: range reads) on heppy's own keep-alive connections, with the
// reply parsed here instead of by node:http: a body with a Content-Length is received straight
// into one buffer of that size (net.connect `onread`, as the XRootD client does), so a reply of
// megabytes leaves no 64 kB chunk per socket read to the garbage collector and no concatenation.
// HTTP/1.1 framing: Content-Length, chunked, or until the server closes; 1xx replies skipped. An
// idle connection the server closed is noticed on reuse (nothing came back): the request is sent
// once more on a new connection. https, HEAD and PROPFIND stay with node:http (request.ts).
// This module: the GET and the number of connections per server; the connection and the reply's
// framing are raw-conn.ts.
import { RemoteError } from '../errors.js';
import { RawConn, StaleConnection, idle, type RawHooks, type RawReply } from './raw-conn.js';

export { closeIdle, rawCounters, type RawHooks, type RawReply } from './raw-conn.js';

const MAX_CONNS = 8;

/** One GET on a pooled connection; rejects with a RemoteError naming `display`. */
export async function rawGet(url: URL, headers: Record<string, string>, timeoutMs: number, display: string, hooks: RawHooks): Promise<RawReply> {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new RemoteError('protocol', display, `invalid character in the ${k} header`);
    head += `${k}: ${v}\r\n`;
  }
  const request = Buffer.from(head + '\r\n', 'latin1');
  const key = `${url.hostname}:${url.port || 80}`;
  await slot(key);
  try { return await getOn(key, url, request, timeoutMs, display, hooks); } finally { release(key); }
}

async function getOn(key: string, url: URL, request: Buffer, timeoutMs: number, display: string, hooks: RawHooks): Promise<RawReply> {
  for (;;) {
    const pool = idle.get(key);
    const reused = pool?.pop();
    const conn = reused ?? new RawConn(url.hostname, Number(url.port || 80), key);
    try {
      return await conn.send(request, timeoutMs, display, hooks);
    } catch (e) {
      // A kept connection the server had closed meanwhile: nothing of the reply came; ask again on a new one.
      if (reused !== undefined && e instanceof StaleConnection) continue;
      throw e instanceof StaleConnection ? e.error : e;
    }
  }
}

/** Requests in flight per server, at most MAX_CONNS (one connection each); the others wait their turn. */
const busy = new Map<string, { n: number; waiting: (() => void)[] }>();

function slot(key: string): Promise<void> | void {
  const b = busy.get(key) ?? { n: 0, waiting: [] };
  busy.set(key, b);
  if (b.n < MAX_CONNS) { b.n++; return; }
  return new Promise<void>((r) => b.waiting.push(r));
}

function release(key: string): void {
  const b = busy.get(key)!;
  const next = b.waiting.shift();
  if (next !== undefined) next(); // the slot passes to the next request
  else if (--b.n === 0) busy.delete(key);
}
