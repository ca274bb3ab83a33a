// Where an input file lives: a local path, an XRootD URL (root://host[:port]//path) or an HTTP(S)
// URL. Parsing is strict (a bad URL is bad user input); `display` is the form that may appear in
// logs, markers and errors: user:password, tokens and the authz/access_token query parts removed.
import { UserError, assertNever } from '../util/result.js';

export type Location =
  | { kind: 'local'; path: string; display: string }
  | { kind: 'xrootd'; host: string; port: number; path: string; query: string; display: string }
  | { kind: 'http'; url: URL; display: string };

const SCHEMES = /^(root|xroot|roots|xroots|https?|davs?):\/\//i;

/** Whether a `files` entry names a remote file (anything with a scheme://). */
export function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

/** Query keys that carry credentials: never printed, never part of a cache key. */
const SECRET_KEYS = /^(authz|access_token|bearer_token|token|xrd\.gsiusrpxy|xrdcl\.secuid|xrdcl\.secgid)$/i;

/** A URL with its credentials removed (user info, secret query parameters). Any string is accepted. */
export function redactUrl(s: string): string {
  if (!isUrl(s)) return s;
  let out = s.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  const q = out.indexOf('?');
  if (q >= 0) {
    const kept = out.slice(q + 1).split('&').filter((kv) => kv !== '' && !SECRET_KEYS.test(kv.split('=')[0]!));
    out = out.slice(0, q) + (kept.length > 0 ? '?' + kept.join('&') : '');
  }
  return out;
}

/** Redacts every URL found in a free text (error messages from servers or libraries). */
export function redactText(s: string): string {
  return s.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u))
    .replace(/(authz=|Bearer\s+|access_token=)[^\s&"']+/gi, '$1***');
}

export function parseLocation(s: string): Location {
  if (!isUrl(s)) return { kind: 'local', path: s, display: s };
  // A credential written into a URL would be copied into chunk.json, markers and logs.
  if (redactUrl(s) !== s) throw new UserError(`${redactUrl(s)}: credentials in the URL are not accepted; set BEARER_TOKEN or BEARER_TOKEN_FILE instead`);
  const m = SCHEMES.exec(s);
  if (m === null) throw new UserError(`unsupported URL scheme in ${redactUrl(s)} (heppy reads root://, http:// and https://)`);
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'roots' || scheme === 'xroots') throw new UserError(`${redactUrl(s)}: XRootD over TLS (roots://) is not supported; use root:// or https://`);
  if (scheme === 'root' || scheme === 'xroot') return parseXrootd(s);
  const http = scheme.startsWith('dav') ? s.replace(/^davs/i, 'https').replace(/^dav/i, 'http') : s;
  let url: URL;
  try { url = new URL(http); } catch { throw new UserError(`malformed URL: ${redactUrl(s)}`); }
  if (url.hostname === '') throw new UserError(`URL without a host: ${redactUrl(s)}`);
  return { kind: 'http', url, display: redactUrl(http) };
}

function parseXrootd(s: string): Location {
  // root://[user@]host[:port]/<path>: the path after the first '/' following the authority,
  // conventionally starting with another '/' (root://host//abs/path).
  const rest = s.replace(/^[a-z]+:\/\//i, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new UserError(`malformed XRootD URL (expected root://host[:port]//path): ${redactUrl(s)}`);
  let authority = rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority, port = 1094;
  const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (hp === null) throw new UserError(`malformed host in XRootD URL: ${redactUrl(s)}`);
  host = hp[1]!.replace(/^\[|\]$/g, '');
  if (hp[2] !== undefined) {
    port = Number(hp[2]);
    if (!(port > 0 && port < 65536)) throw new UserError(`bad port in XRootD URL: ${redactUrl(s)}`);
  }
  let path = rest.slice(slash + 1);
  let query = '';
  const q = path.indexOf('?');
  if (q >= 0) { query = path.slice(q + 1); path = path.slice(0, q); }
  if (!path.startsWith('/')) path = '/' + path;
  path = path.replace(/\/{2,}/g, '/');
  if (path.includes('\0')) throw new UserError(`malformed XRootD URL: ${redactUrl(s)}`);
  const display = redactUrl(`root://${host.includes(':') ? `[${host}]` : host}${port === 1094 ? '' : `:${port}`}/${path}${query ? `?${query}` : ''}`);
  return { kind: 'xrootd', host, port, path, query, display };
}

/** The same server and scheme with another path (glob results, redirects keep the query). */
export function withPath(loc: Location, path: string): string {
  switch (loc.kind) {
    case 'local': return path;
    case 'xrootd': return `root://${loc.host.includes(':') ? `[${loc.host}]` : loc.host}${loc.port === 1094 ? '' : `:${loc.port}`}/${path}${loc.query ? `?${loc.query}` : ''}`;
    case 'http': { const u = new URL(loc.url.href); u.pathname = path; return u.href; }
    default: return assertNever(loc, 'location');
  }
}
