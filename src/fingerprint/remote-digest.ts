// Digests of remote inputs (root://, http(s)://) from what the server says, without reading the
// file: the server's checksum (kXR_query checksum, HTTP Digest, else a strong ETag) with the size,
// or size and modification time when the server gives no checksum. Cached in the store like local
// digests: while (size, mtime) are those recorded, the recorded digest is used, so a no-op build
// makes one stat request per remote file. `deep` hashes the content instead (reads every byte).
import { RemoteError, isTransient } from '../io/errors.js';
import { openByteSource, remoteStat } from '../io/open.js';
import type { DigestStore } from './digests.js';
import { fail, ok, type Result } from '../util/result.js';
import { hashString } from './hash.js';
import xxhash from 'xxhash-wasm';

export interface RemoteDigestStats { statted: number; checksums: number; hashedBytes: number }

export async function remoteDigest(store: Pick<DigestStore, 'getDigest' | 'putDigest'>, url: string, stats: RemoteDigestStats, deep = false): Promise<Result<string>> {
  try {
    if (deep) return ok(await hashContent(url, stats));
    // A cheap stat first; the checksum is asked for only when size or mtime moved.
    const first = await remoteStat(url, false);
    stats.statted++;
    const mtimeMs = first.mtime === null ? -1 : first.mtime * 1000;
    const rec = store.getDigest(url);
    if (rec && rec.ino === -1 && rec.size === first.size && rec.mtimeMs === mtimeMs && first.mtime !== null) return ok(rec.hash);
    const st = first.checksum !== null || first.mtime === null ? first : await remoteStat(url, true);
    if (st.checksum !== null) stats.checksums++;
    const hash = hashString(st.checksum !== null ? `remote\0${st.size}\0${st.checksum}` : `remote\0${st.size}\0${st.mtime ?? ''}`);
    // ino -1 marks a remote record (a local file never has it). Without an mtime (XrdHttp gives
    // none) the record is never used to skip the stat, but the schema check finds the digest.
    if (rec?.hash !== hash || rec.mtimeMs !== mtimeMs || rec.size !== first.size) void store.putDigest(url, { size: first.size, mtimeMs, ino: -1, hash });
    return ok(hash);
  } catch (e) {
    // A server that does not answer is infrastructure (planning retries, then exit 3), a missing
    // or forbidden file the user's input (exit 2).
    if (e instanceof RemoteError) return fail({ file: e.url, reason: e.reason, kind: isTransient(e.kind) ? 'infrastructure' : 'input' });
    throw e;
  }
}

/** xxhash64 of the whole content, read in 8 MB pieces through the byte source. */
async function hashContent(url: string, stats: RemoteDigestStats): Promise<string> {
  const src = await openByteSource(url);
  try {
    const h = (await xxhash()).create64();
    const step = 8 << 20;
    for (let p = 0; p < src.size; p += step) {
      const len = Math.min(step, src.size - p);
      h.update(await src.read(p, len));
      stats.hashedBytes += len;
    }
    return h.digest().toString(16).padStart(16, '0');
  } finally {
    await src.close();
  }
}
