// XRootD operations naming a path: stat, checksum, dirlist; files are opened by XrdFile (file.ts).
// The connection pool, settings and counters are in requests.ts (re-exported here: io/open.ts
// imports this module lazily, tests and benchmarks count requests through it).
import { RemoteError } from '../errors.js';
import type { RemoteStat } from '../source.js';
import { DIRLIST_DSTAT, QUERY_CKSUM, REQ, STAT_IS_DIR, parseStat, type XrdStat } from './protocol.js';
import { pathRequest, retrying, type Target } from './requests.js';

export { XrdFile } from './file.js';
export { closeAll, counters, settings, type XrdSettings } from './requests.js';

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
