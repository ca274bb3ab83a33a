// Every HTTP(S) request of heppy (range GETs, HEAD, PROPFIND) goes through undici: one Agent for
// the process, keep-alive connections (at most 8 per server), llhttp's parser. Used through its
// dispatch() handler so that a body with a Content-Length is copied from the socket's chunks
// straight into one buffer of that size (no stream, no list of chunks to concatenate). A reply
// may be dropped at its head or its first bytes (the connection is then closed, not reused).
// Redirects, retries and the bearer token are request.ts's; this module makes one exchange.
import { Agent, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { RemoteError } from '../errors.js';

/** What the caller may decide on a reply's head and first body bytes: true drops the connection unread. */
export interface ReplyHooks {
  head(status: number, headers: IncomingHttpHeaders): boolean;
  firstBytes?(status: number, headers: IncomingHttpHeaders, bytes: Buffer): boolean;
}

export interface ClientReply { status: number; headers: IncomingHttpHeaders; body: Buffer; dropped: boolean }

/** Connections made (tests count reuse with it). */
export const clientCounters = { connects: 0 };

const MAX_CONNS = 8;

function makeAgent(): Agent {
  // keepAliveTimeout: how long an idle connection is kept when the server gives no Keep-Alive hint.
  const a = new Agent({ connections: MAX_CONNS, keepAliveTimeout: 30_000, pipelining: 1, connect: { noDelay: true } });
  a.on('connect', () => { clientCounters.connects++; });
  return a;
}

let agent = makeAgent();

/** Closes every connection (tests); later requests open new ones. */
export async function closeConnections(): Promise<void> {
  const old = agent;
  agent = makeAgent();
  await old.destroy();
}

class Dropped extends Error {}

/** One request and its whole reply; rejects with a RemoteError naming `display` (never the URL itself). */
export function send(method: string, url: URL, headers: Record<string, string>, body: string | undefined, timeoutMs: number, display: string, hooks: ReplyHooks): Promise<ClientReply> {
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) return Promise.reject(new RemoteError('protocol', display, `invalid character in the ${k} header`));
  }
  return new Promise<ClientReply>((resolve, reject) => {
    let status = 0;
    let head: IncomingHttpHeaders = {};
    let buf: Buffer | null = null; // the body when its length is announced
    let have = 0;
    let parts: Buffer[] = [];
    let first = true;
    let done = false;
    const drop = (c: Dispatcher.DispatchController): void => {
      done = true;
      c.abort(new Dropped('dropped'));
      resolve({ status, headers: head, body: Buffer.alloc(0), dropped: true });
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() { /* its presence selects undici's handler API of onResponse* callbacks */ },
      onResponseStart(c, code, h) {
        if (code < 200) return; // an interim reply: the real one follows
        status = code; head = h;
        if (hooks.head(code, h)) { drop(c); return; }
        const len = Number(h['content-length']);
        if (method !== 'HEAD' && Number.isSafeInteger(len) && len > 0) buf = Buffer.allocUnsafeSlow(len);
      },
      onResponseData(c, chunk) {
        if (done) return;
        if (first) {
          first = false;
          if (hooks.firstBytes !== undefined && hooks.firstBytes(status, head, chunk)) { drop(c); return; }
        }
        if (buf !== null) {
          if (have + chunk.length > buf.length) { fail(new RemoteError('protocol', display, `malformed HTTP reply: more bytes than its Content-Length (${buf.length})`)); c.abort(new Dropped('overlong')); return; }
          chunk.copy(buf, have);
          have += chunk.length;
        } else parts.push(chunk);
      },
      onResponseEnd() {
        if (done) return;
        done = true;
        const b = buf !== null ? (have === buf.length ? buf : buf.subarray(0, have)) : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        parts = [];
        resolve({ status, headers: head, body: b, dropped: false });
      },
      onResponseError(_c, e) {
        if (e instanceof Dropped) return;
        fail(toRemote(e, display, timeoutMs));
      },
    };
    const fail = (e: RemoteError): void => { if (!done) { done = true; reject(e); } };
    try {
      agent.dispatch({
        origin: url.origin, path: `${url.pathname}${url.search}`, method, headers,
        body: body === undefined ? null : Buffer.from(body), reset: false, headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      }, handler);
    } catch (e) { fail(toRemote(e, display, timeoutMs)); }
  });
}

/** undici's error as a RemoteError: its code only (a message could carry the URL). */
function toRemote(e: unknown, display: string, timeoutMs: number): RemoteError {
  if (e instanceof RemoteError) return e;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new RemoteError('timeout', display, `no reply within ${timeoutMs / 1000} s`);
  }
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return new RemoteError('protocol', display, `malformed HTTP reply (${code})`);
  }
  if (code === 'UND_ERR_SOCKET') return new RemoteError('network', display, 'connection closed by the server');
  return new RemoteError('network', display, `connection error: ${code !== '' ? code : 'unknown'}`);
}
