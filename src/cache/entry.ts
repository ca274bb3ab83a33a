// The on-disk format of the output cache: one entry = ONE file `cache/outputs/<key[0:2]>/<key>.json`
// (written aside, renamed into place), and the kept files as objects `cache/objects/<xxh64>-<size>-<inode>`
// (hard links to a node's result files: no inode of their own), in one flat directory (a fan-out of
// 256 subdirectories cost more mkdirs than it saved below ~100,000 objects; ext4 indexes large
// directories). An entry costs one inode and no directory. The inode in the name keeps each node's
// files its own (as a directory per entry did): two nodes with equal bytes are two objects, so that
// a node directory holds its entry's very inodes (a restore's parked-directory check) and a write
// in place through one Outdir file never reaches another node's; the same inode kept twice (under
// two keys) is one object. Entries of the earlier format (a directory `<key>/` with entry.json
// and the files, version 1) are still read, restored from and evicted, never written.
// The one owner of the format: keep.ts writes entries, verify.ts checks them, eviction.ts counts them.
import { uniqueTag } from '../util/lazy-node.js';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stampNumbers } from '../util/stat-numbers.js';

export interface CachedFile {
  path: string; // relative to the node directory
  size: number;
  hash: string; // xxh64 of the content
  /** The stored file's inode and mtime (ns) when its hash was taken: the cheap check of a restore. */
  ino?: string;
  mtimeNs?: string;
  /** Version 2: the object's name, `<hash>-<size>-<inode when kept>`. */
  obj?: string;
}

/** One cache entry (the JSON document of `<key>.json`; entry.json of a version-1 entry directory). */
export interface CacheEntry {
  /** 2: the files are objects (objectPath); 1: an entry directory of an earlier version (storedAt). */
  version: 1 | 2;
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
  /** Version 1 only: file i stored as `<i>` in the entry's directory; absent: under `files/<path>`. */
  flat?: true;
}

export const ENTRY = 'entry.json';
const FILES = 'files';
/**
 * In the root of a cache made by this version (written when the root is made; by a prune that found
 * no version-1 entry): no entry directory can be there, so a missing key costs one stat, not two.
 */
export const FORMAT_MARK = '.format-2';

/** The entry file of `key` under the cache's root (cache/outputs). */
export function entryFile(root: string, key: string): string {
  return join(root, key.slice(0, 2), `${key}.json`);
}

/** The directory of a version-1 entry of `key`. */
export function legacyDir(root: string, key: string): string {
  return join(root, key.slice(0, 2), key);
}

/** The objects' directory of the cache whose root (cache/outputs) is given: cache/objects. */
export const objectsRoot = (root: string): string => join(dirname(root), 'objects');

/** The name of the object of a file of this digest and size, kept from this inode. */
export const objectName = (hash: string, size: number, ino: string): string => `${hash}-${size}-${ino}`;

const OBJECT = /^[0-9a-f]{8,64}-(\d+)-\d+$/;

/** The path of the object `name` (`<hash>-<size>-<ino>`) under the objects' directory. */
export function objectPath(objects: string, name: string): string {
  return join(objects, name);
}

/** An object's file name → its size in bytes; null for any other name (a keep's tmp file). */
export function objectSize(name: string): number | null {
  const m = OBJECT.exec(name);
  return m === null ? null : Number(m[1]);
}

/** Where file i of entry `e` is stored, in the cache at `root`. */
export function storedAt(root: string, e: Pick<CacheEntry, 'version' | 'flat' | 'key'>, f: CachedFile, i: number): string {
  if (e.version === 2) return objectPath(objectsRoot(root), f.obj ?? '');
  const dir = legacyDir(root, e.key);
  return e.flat ? join(dir, String(i)) : join(dir, FILES, f.path);
}

/** A key names files that remove() deletes: nothing but lower-case hex. */
export const keyOk = (key: string): boolean => /^[0-9a-f]{8,64}$/.test(key);

function parse(text: string, key: string, version: 1 | 2): CacheEntry | null {
  const e = JSON.parse(text) as CacheEntry;
  if (e.version !== version || e.key !== key || !Array.isArray(e.files)) return null;
  // An object's name is a path: one that is not an object's name would name another file.
  return version === 1 || e.files.every((f) => typeof f.obj === 'string' && objectSize(f.obj) === f.size) ? e : null;
}

/**
 * The entry of `key` under `root`; null when absent, unreadable or not an entry of this key.
 * `legacy`: look for a version-1 entry directory when there is no entry file.
 */
export function readEntry(root: string, key: string, legacy = true): CacheEntry | null {
  try {
    return parse(readFileSync(entryFile(root, key), 'utf8'), key, 2);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !legacy) return null;
  }
  try {
    return parse(readFileSync(join(legacyDir(root, key), ENTRY), 'utf8'), key, 1);
  } catch {
    return null;
  }
}

/** The file whose mtime is the entry's last use. */
export const usedFile = (root: string, e: Pick<CacheEntry, 'version' | 'key'>): string =>
  e.version === 2 ? entryFile(root, e.key) : join(legacyDir(root, e.key), ENTRY);

/** Writes `text` to `path` atomically (written aside, renamed over it); throws when it could not (nothing left behind). */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${uniqueTag()}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Replaces the entry `e` under `root` by itself as given (fresh stamps); false when it could not (the old one stays valid). */
export function rewriteEntry(root: string, e: CacheEntry): boolean {
  try {
    writeAtomic(usedFile(root, e), JSON.stringify(e) + '\n');
    return true;
  } catch {
    return false; // the next restore hashes again
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
 * Callers record the outputs' stats after the keep (the kept files' mtimes changed). An object
 * already present is not backdated again (other entries recorded its stamp).
 */
export const BACKDATE_S = 2;

/** A file's size, inode, mtime (ns) and device, as stat-ed. */
export interface FileStamp { size: number; ino: string; mtimeNs: string; dev: string }

/** As statSync(path, { bigint: true }) (throws as it does), without its BigIntStats (stat-numbers.ts). */
export function stampOf(path: string): FileStamp {
  const st = stampNumbers(path, true, true)!;
  return { size: st.size, ino: st.ino, mtimeNs: st.mtimeNs, dev: st.dev };
}

/** The recorded stamp stands for the digest: same inode, size and mtime, and not racy. */
export function stampHolds(f: CachedFile, st: Omit<FileStamp, 'dev'>, verifiedAt: number | undefined): boolean {
  if (f.ino === undefined || f.mtimeNs === undefined || verifiedAt === undefined) return false;
  if (st.ino !== f.ino || st.mtimeNs !== f.mtimeNs || st.size !== f.size) return false;
  return Number(BigInt(f.mtimeNs) / 1_000_000n) < verifiedAt - RACY_MS;
}
