// Content digests of input files, cached in the store by (size, mtime, inode): an unchanged file
// is only stat-ed, never re-read. A changed or new file is hashed (streamed) and the cache updated.
import { statSync } from 'node:fs';
import type { DigestRecord } from '../store/records.js';

/** What file digests need of a store (the LMDB store, or the engine's in-memory one). */
export interface DigestStore {
  getDigest(path: string): DigestRecord | undefined;
  putDigest(path: string, rec: DigestRecord): Promise<unknown>;
  getDigestSet(key: string, stats: string): string[] | undefined;
  putDigestSet(key: string, stats: string, hashes: readonly string[]): Promise<unknown>;
}
import { fail, ok, type Result } from '../util/result.js';
import { hashBytes, hashString } from './hash.js';
import { hashFile, hashSmallFile, SMALL_FILE_BYTES } from './hash-file.js';
import { hashPool, POOL_MIN_BYTES, POOL_MIN_TOTAL } from './hash-pool.js';
import { statOnce, type FileStat } from './stat-cache.js';
import { racy } from './racy.js';
import { isUrl } from '../io/url.js';
import type { RemoteDigestStats } from './remote-digest.js';

export interface DigestStats {
  statted: number;
  hashed: number;
  hashedBytes: number;
  /** Files hashed by the hash threads (the others in the calling thread). */
  pooled: number;
}

/** A single file gains nothing from a list record. */
const SET_MIN = 2;

export class FileDigests {
  readonly stats: DigestStats = { statted: 0, hashed: 0, hashedBytes: 0, pooled: 0 };
  /** Remote inputs: stat requests, checksums asked for, bytes hashed (deep). */
  readonly remote: RemoteDigestStats = { statted: 0, checksums: 0, hashedBytes: 0 };
  private readonly memo = new Map<string, Result<string>>();

  /** `deep`: remote inputs are hashed by content (read whole) instead of from server metadata. */
  /** `poolMinTotal`: what a pass must have to hash before the hash threads are used (tests lower it). */
  constructor(private readonly store: DigestStore, private readonly deep = false, private readonly poolMinTotal = POOL_MIN_TOTAL) {}

  /**
   * Digests of many files; files needing a real hash are hashed a few at a time. A list of files
   * that was digested before with the same (path, size, mtime, inode) of every file (the per-file
   * cache's validity rule, over the whole list: the paths' and the stats' xxh64) takes one store
   * read instead of one per file.
   */
  async digestAll(all: readonly string[], concurrency = 4): Promise<Map<string, Result<string>>> {
    const urls = all.filter(isUrl);
    if (urls.length > 0) {
      const local = await this.digestAll(all.filter((p) => !isUrl(p)), concurrency);
      for (const [u, r] of await this.digestRemote(urls)) local.set(u, r);
      return local;
    }
    const paths = all;
    const set = this.digestSet(paths);
    if (set?.hashes) {
      const out = new Map<string, Result<string>>();
      for (let i = 0; i < paths.length; i++) {
        const r = ok(set.hashes[i]!);
        this.memo.set(paths[i]!, r);
        out.set(paths[i]!, r);
      }
      this.stats.statted += paths.length;
      return out;
    }
    const out = await this.digestEach(paths, concurrency);
    if (set) {
      const hashes: string[] = [];
      for (const p of paths) {
        const r = out.get(p);
        if (r === undefined || !r.ok) return out;
        hashes.push(r.value);
      }
      void this.store.putDigestSet(set.key, set.stats, hashes);
    }
    return out;
  }

  /** Forgets the memoised results of these files (remote inputs digested again after a network failure). */
  forget(paths: readonly string[]): void {
    for (const p of paths) this.memo.delete(p);
  }

  /** Remote inputs, several requests in flight (they share one connection per server). */
  private async digestRemote(urls: readonly string[]): Promise<Map<string, Result<string>>> {
    const out = new Map<string, Result<string>>();
    // Loaded only for remote inputs: it brings the XRootD and HTTP clients (a dozen modules).
    const { remoteDigest } = await import('./remote-digest.js');
    let i = 0;
    await Promise.all(Array.from({ length: Math.min(16, urls.length) }, async () => {
      while (i < urls.length) {
        const u = urls[i++]!;
        let r = this.memo.get(u);
        if (r === undefined) { r = await remoteDigest(this.store, u, this.remote, this.deep); this.memo.set(u, r); }
        out.set(u, r);
      }
    }));
    return out;
  }

  /**
   * The list's store key (a hash of the paths in order) and the digest of its files' stats (size,
   * mtime, inode of every file, in order, as float64s: no 10,000-line string to format, store and
   * compare); with its digests when they are stored for exactly these stats.
   */
  private digestSet(paths: readonly string[]): { key: string; stats: string; hashes?: string[] } | null {
    if (paths.length < SET_MIN) return null;
    const nums = new Float64Array(3 * paths.length);
    const now = Date.now();
    for (let i = 0; i < paths.length; i++) {
      const st = statOnce(paths[i]!);
      // A racy stat (racy.ts) vouches for no content: no set is read or recorded for this list.
      if (st instanceof Error || racy(st.mtimeMs, now)) return null;
      nums[3 * i] = st.size;
      nums[3 * i + 1] = st.mtimeMs;
      nums[3 * i + 2] = st.ino;
    }
    const stats = hashBytes(new Uint8Array(nums.buffer));
    const key = hashString(paths.join('\n'));
    const hashes = this.store.getDigestSet(key, stats);
    return hashes !== undefined && hashes.length === paths.length ? { key, stats, hashes } : { key, stats };
  }

  private async digestEach(paths: readonly string[], concurrency: number): Promise<Map<string, Result<string>>> {
    const out = new Map<string, Result<string>>();
    const slow: string[] = [];
    for (const p of paths) {
      const fast = this.fromCache(p);
      if (fast === null) slow.push(p);
      else out.set(p, fast);
    }
    // The hash threads pay off when there is enough to hash: the biggest files go first, so that
    // the threads are busy from the start and the small files fill in at the end.
    let total = 0;
    const size = (p: string): number => { const st = statOnce(p); return st instanceof Error ? 0 : st.size; };
    for (const p of slow) total += size(p);
    const pooled = total >= this.poolMinTotal;
    if (pooled) slow.sort((a, b) => size(b) - size(a));
    let i = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, slow.length) }, async () => {
        while (i < slow.length) {
          const p = slow[i++]!;
          out.set(p, await this.digest(p, pooled));
        }
      }),
    );
    return out;
  }

  /** The digest if the stat matches the cache (or the file is missing), else null: must hash. */
  private fromCache(path: string): Result<string> | null {
    const memo = this.memo.get(path);
    if (memo !== undefined) return memo;
    const st = statOnce(path);
    this.stats.statted++;
    if (st instanceof Error) {
      const r = fail({ file: path, reason: `cannot read input file (${st.code ?? String(st)})` });
      this.memo.set(path, r);
      return r;
    }
    const rec = this.store.getDigest(path);
    if (rec && rec.size === st.size && rec.mtimeMs === st.mtimeMs && rec.ino === st.ino) {
      const r = ok(rec.hash);
      this.memo.set(path, r);
      return r;
    }
    return null;
  }

  /** `pooled`: big files may go to the hash threads (the caller has enough to hash to use them). */
  async digest(path: string, pooled = false): Promise<Result<string>> {
    const fast = this.fromCache(path);
    if (fast !== null) return fast;
    let r: Result<string>;
    try {
      // The stat fromCache just took (or validation before it): older than the read, so a file
      // that changed in between is seen as changed below, like one that changes while read.
      const before = statOnce(path) as FileStat;
      let hashed = before.size < SMALL_FILE_BYTES ? hashSmallFile(path) : null;
      if (hashed === null) {
        // Big files go to the hash threads, so that several are hashed at once on several cores.
        const pool = pooled && before.size >= POOL_MIN_BYTES ? hashPool() : null;
        const hash = await (pool ? pool.hash(path) : hashFile(path));
        if (pool) this.stats.pooled++;
        const st = statSync(path);
        hashed = { hash, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
      }
      this.stats.hashed++;
      this.stats.hashedBytes += hashed.size;
      // Only cache when the file did not change while it was read, and when its mtime is old
      // enough for (size, mtime) to stand for this content (racy.ts).
      if (before.size === hashed.size && before.mtimeMs === hashed.mtimeMs && !racy(hashed.mtimeMs)) {
        void this.store.putDigest(path, { size: hashed.size, mtimeMs: hashed.mtimeMs, ino: hashed.ino, hash: hashed.hash });
      }
      r = ok(hashed.hash);
    } catch (err) {
      r = fail({ file: path, reason: `cannot read input file (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
    }
    this.memo.set(path, r);
    return r;
  }
}
