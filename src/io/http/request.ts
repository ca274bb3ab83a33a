// One HTTP(S) request with keep-alive connections (plain http GETs on heppy's own, raw.ts; the
// rest through one node:http agent per scheme for the process),
// redirects followed (bounded), a timeout, and transient failures (network, 5xx, 429) retried with
// back-off. The bearer token, when there is one, goes in an Authorization header only.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RemoteError, isTransient } from '../errors.js';
import { bearerToken } from '../token.js';
import { redactUrl } from '../url.js';
import { firstPartTotal } from './multipart.js';
import { rawGet } from './raw.js';
import { envNumber } from '../../util/env.js';

export interface HttpSettings { timeoutMs: number; attempts: number; backoffMs: number }
export const httpSettings: HttpSettings = {
  timeoutMs: envNumber('HEPPY_NET_TIMEOUT', 60) * 1000,
  attempts: envNumber('HEPPY_NET_ATTEMPTS', 3),
  backoffMs: 500,
};


// noDelay: a request is small and its reply awaited; Nagle would hold a request written in two
// pieces (headers, then a PROPFIND body) until the first is acknowledged.
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 8, noDelay: true }), https: new HttpsAgent({ keepAlive: true, maxSockets: 8, noDelay: true }) };
export const httpCounters = { requests: 0, gets: 0, heads: 0, bytes: 0 };

export type HttpMethod = 'GET' | 'HEAD' | 'PROPFIND';

export interface HttpReply {
  status: number; headers: IncomingHttpHeaders; body: Buffer; url: URL;
  /**
   * A 206 whose Content-Range ends at or past the file's size (`bytes 0-N/T` with N ≥ T): its body
   * was not read (XrdHttp 5.5.3 announces N + 1 bytes, sends none and closes), only T is known.
   * A correct server clips the range to the file instead. Also 0 for a multi-range reply whose
   * first part says the file is empty (XrdHttp again: a Content-Length it never sends).
   */
  pastEnd?: number;
}

const MAX_REDIRECTS = 10;

/** A request, following redirects; retried when it fails transiently. Never throws for an HTTP status. */
export async function fetchBytes(method: HttpMethod, url: URL, headers: Record<string, string>, body?: string): Promise<HttpReply> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await followRedirects(method, url, headers, body);
      if ((r.status >= 500 || r.status === 429) && attempt < httpSettings.attempts) {
        await sleep(httpSettings.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      return r;
    } catch (e) {
      if (!(e instanceof RemoteError) || !isTransient(e.kind) || attempt >= httpSettings.attempts) throw e;
      await sleep(httpSettings.backoffMs * 2 ** (attempt - 1));
    }
  }
}

async function followRedirects(method: HttpMethod, start: URL, headers: Record<string, string>, body?: string): Promise<HttpReply> {
  let url = start;
  const token = bearerToken();
  for (let i = 0; ; i++) {
    const h: Record<string, string> = { ...headers };
    // The token goes to the URL's server and to https servers it redirects to, never over plain http elsewhere.
    if (token !== null && (url.origin === start.origin || url.protocol === 'https:')) h.Authorization = `Bearer ${token}`;
    const r = await once(method, url, h, body);
    if (r.status >= 300 && r.status < 400 && r.status !== 304 && r.headers.location) {
      if (i >= MAX_REDIRECTS) throw new RemoteError('protocol', redactUrl(start.href), `more than ${MAX_REDIRECTS} redirects`);
      url = new URL(r.headers.location, url);
      continue;
    }
    return r;
  }
}

/**
 * Replies read no further than their head (the connection is then dropped): a single range past
 * the end of the file (XrdHttp 5.5.3 announces bytes it never sends: `pastEnd`), and a 200 to a
 * range request (a server ignoring ranges would send the whole file; the caller reports it).
 */
function dropAtHead(status: number, h: IncomingHttpHeaders, ranged: boolean): boolean {
  return (status === 206 && rangePastEnd(h) !== null) || (status === 200 && ranged);
}

/** A multipart reply whose first part says the file is empty (XrdHttp 5.5.3: a Content-Length it never sends). */
function dropAtFirstBytes(status: number, h: IncomingHttpHeaders, first: Buffer): boolean {
  return status === 206 && /^multipart\/byteranges/i.test(String(h['content-type'] ?? '')) && firstPartTotal(first) === 0;
}

function dropped(status: number, headers: IncomingHttpHeaders, url: URL): HttpReply {
  const past = status === 206 ? rangePastEnd(headers) ?? 0 : undefined;
  return { status, headers, body: Buffer.alloc(0), url, ...(past !== undefined ? { pastEnd: past } : {}) };
}

function once(method: HttpMethod, url: URL, headers: Record<string, string>, body?: string): Promise<HttpReply> {
  const display = redactUrl(url.href);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new RemoteError('protocol', display, `unsupported scheme ${url.protocol}`));
  httpCounters.requests++;
  if (method === 'GET') httpCounters.gets++; else if (method === 'HEAD') httpCounters.heads++;
  const ranged = headers.Range !== undefined;
  if (!secure && method === 'GET' && body === undefined) {
    // The data path: heppy's own connections, the body received into one buffer (raw.ts).
    return rawGet(url, headers, httpSettings.timeoutMs, display, {
      head: (status, h) => dropAtHead(status, h, ranged),
      firstBytes: dropAtFirstBytes,
    }).then((r) => {
      if (r.dropped) return dropped(r.status, r.headers, url);
      httpCounters.bytes += r.body.length;
      return { status: r.status, headers: r.headers, body: r.body, url };
    });
  }
  return new Promise<HttpReply>((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? agents.https : agents.http }, (res) => {
      const status = res.statusCode ?? 0;
      const drop = (): void => {
        res.on('error', () => undefined);
        req.destroy(); // the connection carries a body that will not be read: not reused
        resolve(dropped(status, res.headers, url));
      };
      if (dropAtHead(status, res.headers, ranged)) { drop(); return; }
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        if (parts.length === 0 && dropAtFirstBytes(status, res.headers, d)) { drop(); return; }
        parts.push(d);
      });
      res.on('end', () => {
        const body = Buffer.concat(parts);
        httpCounters.bytes += body.length;
        resolve({ status, headers: res.headers, body, url });
      });
      res.on('error', (e) => reject(new RemoteError('network', display, `connection error: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    });
    req.setTimeout(httpSettings.timeoutMs, () => req.destroy(new RemoteError('timeout', display, `no reply within ${httpSettings.timeoutMs / 1000} s`)));
    req.on('error', (e) => reject(e instanceof RemoteError ? e : new RemoteError('network', display, `connection error: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    req.end(body);
  });
}

/** The file size of a single-range 206 whose range passes the end of the file, else null. */
function rangePastEnd(h: IncomingHttpHeaders): number | null {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(String(h['content-range'] ?? ''));
  return m !== null && Number(m[2]) >= Number(m[3]) ? Number(m[3]) : null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The RemoteError for a status that is not what was asked for. */
export function statusError(display: string, r: HttpReply, what: string): RemoteError {
  const s = r.status;
  if (s === 404 || s === 410) return new RemoteError('not-found', display, 'no such file on the server (HTTP 404)');
  if (s === 401 || s === 403) return new RemoteError('denied', display, `access denied (HTTP ${s}${bearerToken() === null ? '; no BEARER_TOKEN or BEARER_TOKEN_FILE is set' : ''})`);
  if (s >= 500 || s === 429) return new RemoteError('server', display, `${what}: server error (HTTP ${s})`);
  return new RemoteError('protocol', display, `${what}: unexpected HTTP status ${s}`);
}
