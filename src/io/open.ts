// Entry points of the byte-source layer: open a file (path or URL) for reading, stat a remote
// file from its server's metadata alone, and expand a remote glob.
import { UserError, assertNever } from '../util/result.js';
import { RemoteError } from './errors.js';
import { LocalSource } from './local.js';
import type { ByteSource, RemoteStat } from './source.js';
import { parseLocation, withPath, type Location } from './url.js';
import type { DirEntry } from './xrootd/client.js';
import { segmentRegExp } from '../util/glob.js';

// The remote clients (XRootD, HTTP with its WebDAV XML parser) are loaded on first use: a
// process reading local files only (hadd, most chunks) does not pay for their module graphs.
const xrootd = (): Promise<typeof import('./xrootd/client.js')> => import('./xrootd/client.js');
const http = (): Promise<typeof import('./http/file.js')> => import('./http/file.js');

/** Opens a file for reading; throws RemoteError (remote), UserError (bad URL) or the system error (local). */
export async function openByteSource(spec: string): Promise<ByteSource> {
  const loc = parseLocation(spec);
  switch (loc.kind) {
    case 'local': return LocalSource.open(loc.path);
    case 'xrootd': return (await xrootd()).XrdFile.open(loc);
    case 'http': return (await http()).HttpFile.open(loc.url, loc.display);
    default: return assertNever(loc, 'location');
  }
}

/**
 * Size, modification time and (with `checksum`) the server's checksum of a remote file, from the
 * server's metadata: no data is read. Over XRootD the checksum is a second request (kXR_query);
 * over HTTP it comes with the HEAD reply (Want-Digest).
 */
export async function remoteStat(spec: string, checksum = true): Promise<RemoteStat> {
  const loc = parseLocation(spec);
  switch (loc.kind) {
    case 'local': throw new Error(`remoteStat of a local path: ${spec}`);
    case 'xrootd': return (await xrootd()).xrdRemoteStat(loc, checksum);
    case 'http': return (await http()).httpStat(loc.url, loc.display);
    default: return assertNever(loc, 'location');
  }
}

const MAGIC = /[*?[]/;

/**
 * The files matching a remote glob (`*`, `?`, `[...]` in any path segment), sorted. root:// lists
 * directories with kXR_dirlist, http(s):// with WebDAV PROPFIND (in an http URL `?` starts the
 * query: use `*` or `[...]` there).
 */
export async function remoteGlob(pattern: string): Promise<string[]> {
  const loc = parseLocation(pattern);
  let path: string;
  let list: (dir: string) => Promise<DirEntry[]>;
  switch (loc.kind) {
    case 'local': throw new Error(`remoteGlob of a local pattern: ${pattern}`);
    case 'xrootd':
      path = loc.path;
      list = async (dir) => (await xrootd()).xrdDirlist({ ...loc, path: dir === '' ? '/' : dir });
      break;
    case 'http':
      try { path = decodeURIComponent(loc.url.pathname); } catch { throw new UserError(`malformed URL: ${loc.display}`); }
      list = async (dir) => {
        const u = new URL(loc.url.href); u.pathname = dir === '' ? '/' : dir; u.search = loc.url.search;
        return (await import('./http/dirlist.js')).httpDirlist(u, loc.display);
      };
      break;
    default: assertNever(loc, 'location');
  }
  const segs = path.split('/').filter((s) => s !== '');
  if (segs.some((s) => s === '**')) throw new UserError(`${loc.display}: '**' is not supported in remote globs`);
  const out: string[] = [];
  await walk(loc, list, '', segs, out);
  return [...new Set(out)].sort();
}

async function walk(loc: Location, list: (dir: string) => Promise<DirEntry[]>, dir: string, rest: string[], out: string[]): Promise<void> {
  if (rest.length === 0) return;
  const [head, ...tail] = rest as [string, ...string[]];
  if (!MAGIC.test(head)) {
    if (tail.length === 0) out.push(withPath(loc, `${dir}/${head}`));
    else await walk(loc, list, `${dir}/${head}`, tail, out);
    return;
  }
  let entries;
  try {
    entries = await list(dir);
  } catch (e) {
    if (e instanceof RemoteError && e.kind === 'not-found') return;
    throw e;
  }
  const re = segmentRegExp(head);
  for (const e of entries) {
    if (e.name.startsWith('.') && !head.startsWith('.')) continue;
    if (!re.test(e.name)) continue;
    if (tail.length === 0) { if (!e.isDir) out.push(withPath(loc, `${dir}/${e.name}`)); } else if (e.isDir) await walk(loc, list, `${dir}/${e.name}`, tail, out);
  }
}

