// The on-disk format of one output-cache entry (`cache/outputs/<key[0:2]>/<key>/`): entry.json and
// the stored files, and the stamps that let a restore trust a stored file without hashing it.
// The one owner of that format: keep.ts writes entries, verify.ts checks them, eviction.ts counts them.
import { randomHex } from '../util/lazy-node.js';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CachedFile {
  path: string; // relative to the node directory
  size: number;
  hash: string; // xxh64 of the content
  /** The kept file's inode and mtime (ns) when its hash was taken: the cheap check of a restore. */
  ino?: string;
  mtimeNs?: string;
}

/** entry.json of one cache entry. */
export interface CacheEntry {
  version: 1;
  key: string;
  kind: 'chunk' | 'hadd';
  node: string;
  builtAt: string;
  bytes: number;
  files: CachedFile[];
  /** The node's marker as it was written, so that a restore can write it again for its attempt. */
  marker: unknown;
  /**
   * When the files' hashes were last taken or checked (ms since the epoch). A file whose inode,
   * size and mtime are the recorded ones, and whose mtime is older than this by more than the
   * clock's granularity, cannot have been written since: a restore trusts it without hashing.
   */
  verifiedAt?: number;
  /**
   * The files are stored flat in the entry's directory, file i as `<i>` (one mkdir per keep). Absent
   * (entries of earlier versions): under `files/<path>`, still read as they are.
   */
  flat?: true;
}

export const ENTRY = 'entry.json';
const FILES = 'files';

/** The entry directory of `key` under the cache's root (cache/outputs). */
export function entryDir(root: string, key: string): string {
  return join(root, key.slice(0, 2), key);
}

/** Where file i of an entry is stored, in the entry's directory `dir`. */
export function storedAt(dir: string, e: Pick<CacheEntry, 'flat'>, f: CachedFile, i: number): string {
  return e.flat ? join(dir, String(i)) : join(dir, FILES, f.path);
}

export const keyOk = (key: string): boolean => /^[0-9a-f]{8,64}$/.test(key);

/** entry.json of `dir` for `key`; null when absent, unreadable or not an entry of this key. */
export function readEntry(dir: string, key: string): CacheEntry | null {
  try {
    const e = JSON.parse(readFileSync(join(dir, ENTRY), 'utf8')) as CacheEntry;
    return e.version === 1 && e.key === key && Array.isArray(e.files) ? e : null;
  } catch {
    return null;
  }
}

/** Replaces entry.json of `dir` by `e` atomically (written aside, renamed over it); false when it could not. */
export function rewriteEntry(dir: string, e: CacheEntry): boolean {
  const path = join(dir, ENTRY);
  const tmp = `${path}.${randomHex(4)}`;
  try {
    writeFileSync(tmp, JSON.stringify(e) + '\n');
    renameSync(tmp, path);
    return true;
  } catch {
    rmSync(tmp, { force: true }); // the old entry stays valid: the next restore hashes again
    return false;
  }
}

/**
 * File times are taken from a coarse clock (a kernel tick, ≤ 10 ms): a write within this margin
 * of a hash may leave the mtime unchanged, so such a file ("racy", as git says) is hashed.
 */
const RACY_MS = 100;

/**
 * A keep backdates every file it links to `floor(start of the keep, s) - BACKDATE_S` (futimens of
 * the open file, before it is read). Any later write sets the mtime to the (coarse) clock's now,
 * which is past the keep's start, so never to that value: the stamp taken after the hash stands
 * for the digest at once, whatever the clock's granularity (no racy window, no hash on the first
 * restore), and a write through a hard link (a user editing the Outdir file) is always seen. A
 * write between the backdating and the stamp leaves a recent mtime, which the racy rule hashes.
 * Callers record the outputs' stats after the keep (the kept files' mtimes changed).
 */
export const BACKDATE_S = 2;

/** A file's size, inode, mtime (ns) and device, as stat-ed. */
export interface FileStamp { size: number; ino: string; mtimeNs: string; dev: string }

export function stampOf(path: string): FileStamp {
  const st = statSync(path, { bigint: true });
  return { size: Number(st.size), ino: String(st.ino), mtimeNs: String(st.mtimeNs), dev: String(st.dev) };
}

/** The recorded stamp stands for the digest: same inode, size and mtime, and not racy. */
export function stampHolds(f: CachedFile, st: Omit<FileStamp, 'dev'>, verifiedAt: number | undefined): boolean {
  if (f.ino === undefined || f.mtimeNs === undefined || verifiedAt === undefined) return false;
  if (st.ino !== f.ino || st.mtimeNs !== f.mtimeNs || st.size !== f.size) return false;
  return Number(BigInt(f.mtimeNs) / 1_000_000n) < verifiedAt - RACY_MS;
}
