// Directory listing over HTTP(S) for remote globs: WebDAV PROPFIND with Depth: 1, which XrdHttp,
// dCache, EOS and other grid storage answer with a 207 multistatus (one response per entry, the
// directory itself first). A server without WebDAV (405/501) cannot be globbed: a clear error.
import { XMLParser } from 'fast-xml-parser';
import { RemoteError } from '../errors.js';
import { fetchBytes, statusError } from './request.js';

export interface HttpDirEntry { name: string; isDir: boolean }

const BODY = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';

/** The entries of the directory at `url` (its path with or without a trailing slash). */
export async function httpDirlist(url: URL, display: string): Promise<HttpDirEntry[]> {
  const dir = new URL(url.href);
  if (!dir.pathname.endsWith('/')) dir.pathname += '/';
  const r = await fetchBytes('PROPFIND', dir, { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, BODY);
  if (r.status === 405 || r.status === 501) throw new RemoteError('protocol', display, `the server does not list directories (WebDAV PROPFIND: HTTP ${r.status}); list the files instead of a glob`);
  if (r.status !== 207) throw statusError(display, r, 'directory listing');
  return parseMultistatus(r.body.toString('utf8'), dir.pathname, display);
}

/** The entries of a PROPFIND multistatus reply, except the directory itself (`dirPath`, ending in '/'). */
export function parseMultistatus(xml: string, dirPath: string, display: string): HttpDirEntry[] {
  let doc: unknown;
  try {
    doc = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'response' || name === 'propstat' }).parse(xml);
  } catch (e) {
    throw new RemoteError('protocol', display, `malformed directory listing: ${(e as Error).message}`);
  }
  const responses = (doc as { multistatus?: { response?: unknown[] } } | null)?.multistatus?.response;
  if (!Array.isArray(responses)) throw new RemoteError('protocol', display, 'malformed directory listing (no multistatus response)');
  const self = trimSlash(decodePath(dirPath));
  const out: HttpDirEntry[] = [];
  for (const resp of responses as { href?: unknown; propstat?: { prop?: { resourcetype?: unknown; iscollection?: unknown } }[] }[]) {
    if (typeof resp.href !== 'string') continue;
    // An href is a path or an absolute URL, percent-encoded by most servers (XrdHttp sends it raw).
    const path = trimSlash(decodePath(/^[a-z]+:\/\//i.test(resp.href) ? new URL(resp.href).pathname : resp.href));
    if (path === self || path === '') continue;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const props = (resp.propstat ?? []).map((p) => p.prop ?? {});
    const isDir = resp.href.endsWith('/') || props.some((p) => hasCollection(p.resourcetype) || String(p.iscollection ?? '') === '1');
    out.push({ name, isDir });
  }
  return out;
}

function hasCollection(rt: unknown): boolean {
  return rt !== null && typeof rt === 'object' && 'collection' in rt;
}

function trimSlash(p: string): string {
  return p.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
}

function decodePath(p: string): string {
  if (!/%[0-9a-f]{2}/i.test(p)) return p;
  try { return decodeURIComponent(p); } catch { return p; }
}
