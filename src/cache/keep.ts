// Keeping a node's outputs: an entry built in cache/outputs/.tmp/ (the files hard-linked in flat,
// each backdated, hashed and stamped; entry.json last) and renamed into place, so that an entry
// appears complete or not at all.
import { closeSync, constants, copyFileSync, fstatSync, futimesSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hashFileSized, hashSmallFd } from '../fingerprint/hash-file.js';
import { initHash } from '../fingerprint/hash.js';
import { BACKDATE_S, ENTRY, entryDir, stampOf, type CacheEntry, type CachedFile } from './entry.js';

export interface KeepMeta {
  kind: 'chunk' | 'hadd';
  node: string;
  marker: unknown;
  /** Paths (relative to the node directory) not kept: the run files and the marker. */
  exclude: readonly string[];
  /** The node's files when the caller knows them (a run that just listed them), else the directory is walked. */
  files?: readonly string[];
  /** Told of each kept file that is a hard link to the node's own (the backdating changed its mtime: this is the new stamp). */
  onLinked?: (rel: string, f: CachedFile) => void;
}

/**
 * A kept file's size, digest and stamp. A small file (nearly every output of a chunk) is one open,
 * one read and one fstat of the open file after the read (a write during the read shows in its
 * mtime or size); a larger one, or one whose size changed meanwhile, is hashed and then stat-ed.
 */
async function hashStamped(path: string, sealAt: number): Promise<{ size: number; hash: string; ino: string; mtimeNs: string }> {
  await initHash();
  const fd = openSync(path, 'r');
  try {
    try {
      futimesSync(fd, sealAt, sealAt);
    } catch { /* not the file's owner: its stamp stays racy, the first restore hashes it */ }
    const h = hashSmallFd(fd);
    const st = fstatSync(fd, { bigint: true });
    if (h !== null && Number(st.size) === h.size) return { ...h, ino: String(st.ino), mtimeNs: String(st.mtimeNs) };
  } finally {
    closeSync(fd);
  }
  const h = await hashFileSized(path);
  const st = stampOf(path); // after the hash: a write during it shows in the mtime
  return { size: h.size, hash: h.hash, ino: st.ino, mtimeNs: st.mtimeNs };
}

/**
 * Builds the entry of `key` from `nodeDir` in `tmp` (a new directory under the root's .tmp/) and
 * renames it into place; `made` holds the parent directories this process made (one mkdir each).
 * Throws on a failure (the caller reports it and removes `tmp`); false when another build saved
 * the same key first (`exists` tells) — theirs is as good as ours.
 */
export async function buildEntry(root: string, key: string, nodeDir: string, meta: KeepMeta, tmp: string, made: Set<string>,
  exists: () => boolean): Promise<{ entry: CacheEntry; moved: boolean }> {
  const tmpRoot = dirname(tmp);
  if (!made.has(tmpRoot)) {
    mkdirSync(tmpRoot, { recursive: true });
    made.add(tmpRoot);
  }
  mkdirSync(tmp);
  const files: CachedFile[] = [];
  const hashedFrom = Date.now();
  const sealAt = Math.floor(hashedFrom / 1000) - BACKDATE_S;
  for (const rel of meta.files ?? walk(nodeDir)) {
    if (meta.exclude.includes(rel)) continue;
    const dst = join(tmp, String(files.length));
    const linked = linkOrCopy(join(nodeDir, rel), dst);
    const kept: CachedFile = { path: rel, ...await hashStamped(dst, sealAt) };
    files.push(kept);
    if (linked) meta.onLinked?.(rel, kept);
  }
  const entry: CacheEntry = { version: 1, key, kind: meta.kind, node: meta.node, builtAt: new Date().toISOString(),
    bytes: files.reduce((s, f) => s + f.size, 0), files, marker: meta.marker, verifiedAt: hashedFrom, flat: true };
  writeFileSync(join(tmp, ENTRY), JSON.stringify(entry) + '\n');
  const dest = entryDir(root, key);
  const parent = dirname(dest);
  if (!made.has(parent)) {
    mkdirSync(parent, { recursive: true });
    made.add(parent);
  }
  try {
    try {
      renameSync(tmp, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(parent, { recursive: true }); // removed since this process made it
      renameSync(tmp, dest);
    }
    return { entry, moved: true };
  } catch (err) {
    if (!exists()) throw err;
    return { entry, moved: false };
  }
}

/** A hard link; a reflink or copy where the filesystem cannot link (another device, no links). */
export function linkOrCopy(src: string, dst: string): boolean {
  try {
    linkSync(src, dst);
    return true;
  } catch {
    copyFileSync(src, dst, constants.COPYFILE_FICLONE);
    return false;
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const rec = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) rec(p);
      else if (e.isFile()) out.push(relative(dir, p));
    }
  };
  rec(dir);
  return out.sort();
}

/** Removes a keep's tmp directory left behind (not renamed into place). */
export function dropTmp(tmp: string): void {
  rmSync(tmp, { recursive: true, force: true });
}
