// The restore side of an entry: every stored file checked before anything is restored (by its
// recorded stamp where it holds, else by its digest), the files linked into a node directory, and
// whether a parked node directory still holds exactly the entry's own inodes.
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashFileSized } from '../fingerprint/hash-file.js';
import { fail, ok, type Result } from '../util/result.js';
import { stampNumbers } from '../util/stat-numbers.js';
import { stampHolds, stampOf, storedAt, type CacheEntry, type CachedFile, type FileStamp } from './entry.js';
import { linkOrCopy } from './keep.js';

/**
 * Checks every file of `e` (stored in the cache at `root`). Ok(null): all stamps held (nothing hashed); ok(entry):
 * some files were hashed and matched, the entry with their fresh stamps (so the next restore need
 * not hash). `stamps` (when given) receives each file's stamp as found; `onHashed` is told of each
 * file hashed. A Failure names the first damaged file.
 */
export async function checkEntry(e: CacheEntry, root: string, stamps?: FileStamp[], onHashed?: () => void): Promise<Result<CacheEntry | null>> {
  const from = Date.now();
  let hashed = false;
  const files: CachedFile[] = [];
  for (const [i, f] of e.files.entries()) {
    const src = storedAt(root, e, f, i);
    let why: string | null = null;
    try {
      const st = stampOf(src);
      stamps?.push(st);
      if (st.size !== f.size) why = 'its size changed';
      else if (!stampHolds(f, st, e.verifiedAt)) {
        hashed = true;
        onHashed?.();
        if ((await hashFileSized(src)).hash !== f.hash) why = 'its content changed';
        else {
          const after = stampOf(src);
          if (stamps !== undefined) stamps[stamps.length - 1] = after;
          files.push({ ...f, ino: after.ino, mtimeNs: after.mtimeNs });
          continue;
        }
      }
    } catch {
      why = 'it is missing';
    }
    if (why !== null) return fail({ file: src, object: e.node, reason: `cache entry damaged (${why}); not restored` });
    files.push(f);
  }
  return ok(hashed ? { ...e, files, verifiedAt: from } : null);
}

/** Links (or copies) the entry's files into `targetDir`; false when some file had to be copied (another inode). */
export function linkEntryInto(e: CacheEntry, root: string, targetDir: string): boolean {
  const made = new Set<string>([targetDir]);
  let linked = true;
  for (const [i, f] of e.files.entries()) {
    const dst = join(targetDir, f.path);
    makeDirs(dirname(dst), made);
    if (!linkOrCopy(storedAt(root, e, f, i), dst)) linked = false;
  }
  return linked;
}

/**
 * Whether every file of `e` in `nodeDir` is the inode its recorded stamp names, on the cache's
 * device `dev`, with the recorded size and mtime, and that stamp is not racy: then the file's
 * content is the recorded digest's (a write through any link moves the mtime), whatever became of
 * the entry's own link to it since. Fills `stamps` (the files as found) when it answers true. Only
 * the parked directory is stat-ed, not the entry: one stat per file instead of two.
 */
export function parkedStampsHold(e: CacheEntry, nodeDir: string, dev: string, stamps: FileStamp[]): boolean {
  stamps.length = 0;
  for (const f of e.files) {
    const st = stampNumbers(join(nodeDir, f.path), false);
    if (st === undefined || !st.isFile) return false;
    const s: FileStamp = { size: st.size, ino: st.ino, mtimeNs: st.mtimeNs, dev: st.dev };
    if (s.dev !== dev || !stampHolds(f, s, e.verifiedAt)) return false;
    stamps.push(s);
  }
  return true;
}

/** Whether `nodeDir` holds each of the entry's files as the very inode of `stamps` (the entry's files as checked). */
export function holdsInodes(e: CacheEntry, nodeDir: string, stamps: readonly FileStamp[]): boolean {
  for (const [i, f] of e.files.entries()) {
    const st = stampNumbers(join(nodeDir, f.path), false);
    const s = stamps[i]!;
    if (st === undefined || !st.isFile || st.dev !== s.dev || st.ino !== s.ino || st.mtimeNs !== s.mtimeNs || st.size !== s.size) return false;
  }
  return true;
}

/** Makes `dir` and its missing parents, one mkdir each, none twice (`made`: the ones known to exist). */
function makeDirs(dir: string, made: Set<string>): void {
  if (made.has(dir)) return;
  const up = dirname(dir);
  if (up !== dir) makeDirs(up, made);
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  made.add(dir);
}

/**
 * Whether the names under `dir` are exactly `paths` (relative), the directories leading to them,
 * and at its top names of `extra`: no other name, no directory that holds none of them. Names
 * only (no file types): the caller has found each of `paths` a regular file by lstat, and a
 * directory's name that is a file fails to be listed (ENOTDIR, thrown).
 */
export function holdsOnly(dir: string, paths: readonly string[], extra: ReadonlySet<string>): boolean {
  const want = new Set(paths);
  const dirs = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  let found = 0;
  const rec = (rel: string): boolean => {
    for (const name of readdirSync(rel === '' ? dir : join(dir, rel))) {
      const p = rel === '' ? name : `${rel}/${name}`;
      if (want.has(p)) found++;
      else if (dirs.has(p)) {
        if (!rec(p)) return false;
      } else if (rel !== '' || !extra.has(p)) return false;
    }
    return true;
  };
  return rec('') && found === want.size;
}
