// Content digests of input files, cached in the store by (size, mtime, inode): an unchanged file
// is only stat-ed, never re-read. A changed or new file is hashed (streamed) and the cache updated.
import { statSync } from 'node:fs';
import type { Store } from '../store/store.js';
import { fail, ok, type Result } from '../util/result.js';
import { hashFile } from './hash.js';
import { statOnce } from './stat-cache.js';

export interface DigestStats {
  statted: number;
  hashed: number;
  hashedBytes: number;
}

export class FileDigests {
  readonly stats: DigestStats = { statted: 0, hashed: 0, hashedBytes: 0 };
  private readonly memo = new Map<string, Result<string>>();

  constructor(private readonly store: Store) {}

  /** Digests of many files; files needing a real hash are hashed a few at a time. */
  async digestAll(paths: readonly string[], concurrency = 4): Promise<Map<string, Result<string>>> {
    const out = new Map<string, Result<string>>();
    const slow: string[] = [];
    for (const p of paths) {
      const fast = this.fromCache(p);
      if (fast === null) slow.push(p);
      else out.set(p, fast);
    }
    let i = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, slow.length) }, async () => {
        while (i < slow.length) {
          const p = slow[i++]!;
          out.set(p, await this.digest(p));
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

  async digest(path: string): Promise<Result<string>> {
    const fast = this.fromCache(path);
    if (fast !== null) return fast;
    let r: Result<string>;
    try {
      const before = statSync(path);
      const hash = await hashFile(path);
      const after = statSync(path);
      this.stats.hashed++;
      this.stats.hashedBytes += after.size;
      // Only cache when the file did not change while it was read.
      if (before.size === after.size && before.mtimeMs === after.mtimeMs) {
        void this.store.putDigest(path, { size: after.size, mtimeMs: after.mtimeMs, ino: after.ino, hash });
      }
      r = ok(hash);
    } catch (err) {
      r = fail({ file: path, reason: `cannot read input file (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
    }
    this.memo.set(path, r);
    return r;
  }
}
