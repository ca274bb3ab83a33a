// Keeping a node's outputs: each file backdated, hashed and stamped, then hard-linked as its object
// (cache/objects/<xxh64>-<size>-<inode>; already there when that inode was kept before), and the
// entry file written aside and renamed into place last, so that an entry appears complete or not
// at all: one file and one link per kept file, no directory per entry.
import { randomHex } from '../util/lazy-node.js';
import { closeSync, constants, copyFileSync, fstatSync, futimesSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hashFileSized, hashSmallFd } from '../fingerprint/hash-file.js';
import { initHash } from '../fingerprint/hash.js';
import { BACKDATE_S, entryFile, FORMAT_MARK, objectName, objectPath, objectsRoot, stampOf, writeAtomic, type CacheEntry, type CachedFile } from './entry.js';

export interface KeepMeta {
  kind: 'chunk' | 'hadd';
  node: string;
  marker: unknown;
  /** Paths (relative to the node directory) not kept: the run files and the marker. */
  exclude: readonly string[];
  /** The node's files when the caller knows them (a run that just listed them), else the directory is walked. */
  files?: readonly string[];
  /** Told of each kept file of the node directory once it is backdated and hashed: `mtimeNs` is its new mtime. */
  onStamped?: (rel: string, mtimeNs: string) => void;
}

type Stamped = { size: number; hash: string; ino: string; mtimeNs: string };

/**
 * A file's size, digest and stamp, backdated to `sealAt` first unless null. A small file (nearly
 * every output of a chunk) is one open, one read and one fstat of the open file after the read (a
 * write during the read shows in its mtime or size); a larger one is hashed and then stat-ed.
 */
async function hashStamped(path: string, sealAt: number | null): Promise<Stamped> {
  await initHash();
  const fd = openSync(path, 'r');
  try {
    if (sealAt !== null) {
      try {
        futimesSync(fd, sealAt, sealAt);
      } catch { /* not the file's owner: its stamp stays racy, the first restore hashes it */ }
    }
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

/** Makes `dir` (its parent known to exist or made recursively) once per process; true when this call made it. */
function ensureDir(dir: string, made: Set<string>): boolean {
  if (made.has(dir)) return false;
  let mine = false;
  try {
    mkdirSync(dir);
    mine = true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') mkdirSync(dir, { recursive: true });
    else if (code !== 'EEXIST') throw err;
  }
  made.add(dir);
  return mine;
}

/** Makes the cache's root (cache/outputs) once per process; a root made here is marked as holding no version-1 entry. */
export function ensureRoot(root: string, made: Set<string>): void {
  if (made.has(root)) return;
  try {
    mkdirSync(root);
    writeAtomic(join(root, FORMAT_MARK), '2\n');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      mkdirSync(dirname(root), { recursive: true });
      made.delete(root);
      return ensureRoot(root, made);
    }
    if (code !== 'EEXIST') throw err;
  }
  made.add(root);
}

/**
 * The object of the node file `src` (stamped as `st`): `src` hard-linked in under the name of its
 * digest, size and inode; an object of that name already there is that very inode (kept before
 * under another key: not re-stamped) unless it is another file's (the name's inode of another
 * filesystem: then replaced). Where the filesystem cannot link, a copy (reflink where it can) is
 * stamped and renamed in. Returns the object's name and stamp.
 */
async function placeObject(src: string, st: Stamped, objects: string, made: Set<string>, sealAt: number): Promise<{ name: string; obj: Stamped }> {
  const name = objectName(st.hash, st.size, st.ino);
  const obj = objectPath(objects, name);
  ensureDir(dirname(obj), made);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(src, obj);
      return { name, obj: st };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && attempt === 0) { // the objects' directory removed since this process made it
        made.delete(dirname(obj));
        ensureDir(dirname(obj), made);
        continue;
      }
      if (code === 'EEXIST') {
        const there = stampOf(obj);
        if (there.ino === st.ino && there.size === st.size && there.mtimeNs === st.mtimeNs) return { name, obj: st };
      }
      break;
    }
  }
  // Another file under that name, or no hard link possible: the object is made aside and renamed in.
  const tmp = `${obj}.tmp.${process.pid}.${randomHex(4)}`;
  try {
    let placed = st;
    try {
      linkSync(src, tmp);
    } catch {
      copyFileSync(src, tmp, constants.COPYFILE_FICLONE);
      placed = await hashStamped(tmp, sealAt);
      if (placed.hash !== st.hash) throw new Error(`${src} changed while it was kept`);
    }
    renameSync(tmp, obj);
    return { name, obj: placed };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * A fraction of a second (whole microseconds in (0, 1)) drawn for each keep. Result digests are over
 * the outputs' sizes and mtimes: without it, a node run again within the second of its last keep
 * (a damaged cache entry, a resubmitted chunk) would get back the same mtimes and sizes, so the same
 * result digest for other bytes, and a merge over the new run would be taken for the old one's.
 */
export function sealFraction(): number {
  return (1 + Math.floor(Math.random() * 999_998)) / 1e6; // not a secret: no node:crypto at start-up
}

/**
 * Keeps the files of `nodeDir` as objects and writes the entry of `key` (renamed into place last:
 * an entry appears complete or not at all; one written meanwhile by another build for the same key
 * is replaced by an equal one). `made` holds the directories this process made (one mkdir each).
 * Throws on a failure (the caller reports it; objects already placed are collected by eviction).
 */
export async function buildEntry(root: string, key: string, nodeDir: string, meta: KeepMeta, made: Set<string>): Promise<CacheEntry> {
  ensureRoot(root, made);
  const objects = objectsRoot(root);
  const files: CachedFile[] = [];
  const hashedFrom = Date.now();
  const sealAt = Math.floor(hashedFrom / 1000) - BACKDATE_S + sealFraction();
  for (const rel of meta.files ?? walk(nodeDir)) {
    if (meta.exclude.includes(rel)) continue;
    const src = join(nodeDir, rel);
    const st = await hashStamped(src, sealAt);
    meta.onStamped?.(rel, st.mtimeNs);
    const { name, obj } = await placeObject(src, st, objects, made, sealAt);
    files.push({ path: rel, size: st.size, hash: st.hash, ino: obj.ino, mtimeNs: obj.mtimeNs, obj: name });
  }
  const entry: CacheEntry = { version: 2, key, kind: meta.kind, node: meta.node, builtAt: new Date().toISOString(),
    bytes: files.reduce((s, f) => s + f.size, 0), files, marker: meta.marker, verifiedAt: hashedFrom };
  const dest = entryFile(root, key);
  ensureDir(dirname(dest), made);
  try {
    writeAtomic(dest, JSON.stringify(entry) + '\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    made.delete(dirname(dest)); // removed since this process made it
    ensureDir(dirname(dest), made);
    writeAtomic(dest, JSON.stringify(entry) + '\n');
  }
  return entry;
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
