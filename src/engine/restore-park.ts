// The directories a restore moves out of the way (engine/restore.ts): the one it replaces is parked
// under its marker's key (Outdir/.heppy/parked/<label>.<key>, one per node) when that key has a
// cache entry, so that switching back is one rename; anything else is renamed into the trash and
// removed on libuv's threads while the next restores go on. Parked names are listed once per
// Outdir and process and kept up to date here.
import { randomHex } from '../util/lazy-node.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parkedName, parseParkedName, type OutputCache } from '../cache/output-cache.js';
import { MARKER_FILE, parkedRoot, trashRoot } from '../chunkdir/layout.js';

/**
 * The replaced directories (the other configuration's outputs) being removed on libuv's threads:
 * unlink and rmdir were most of a restore's time (≈ 13 files per chunk), and they overlap with the
 * restores that follow. A build killed meanwhile leaves them in the trash, which the next build
 * removes (removeLeftovers).
 */
const removing: Array<Promise<unknown>> = [];

/** Waits until the directories replaced by restores are removed (the build awaits it before its summary). */
export async function replacedRemoved(): Promise<void> {
  while (removing.length > 0) await Promise.all(removing.splice(0));
}

const made = new Set<string>();
function madeDir(dir: string): string {
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  return dir;
}

/** Renames `dir` into the trash and removes it in the background; false when there is no `dir`. */
export function discard(dir: string, outdir: string): boolean {
  const trash = join(madeDir(trashRoot(outdir)), `${basename(dir)}.${randomHex(4)}`);
  try {
    renameSync(dir, trash);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  removing.push(rm(trash, { recursive: true, force: true }).catch(() => undefined));
  return true;
}

/** Names in Outdir/.heppy/parked by node label (read once per Outdir and process, then kept up to date here). */
const parkedByOutdir = new Map<string, Map<string, string[]>>();
function parkedNames(outdir: string): Map<string, string[]> {
  let m = parkedByOutdir.get(outdir);
  if (m !== undefined) return m;
  m = new Map();
  let names: string[] = [];
  try {
    names = readdirSync(parkedRoot(outdir));
  } catch { /* none parked yet */ }
  for (const n of names) {
    const label = parseParkedName(n)?.label;
    if (label === undefined) continue;
    const list = m.get(label);
    if (list === undefined) m.set(label, [n]);
    else list.push(n);
  }
  parkedByOutdir.set(outdir, m);
  return m;
}

/**
 * The key of `dir`'s ok marker; null when it has none (or not ok, or unreadable); undefined when
 * there is no such directory. Only the park's name: a parked directory is checked whole before use.
 */
function markerKey(dir: string): string | null | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, MARKER_FILE), 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dir) ? undefined : null;
  }
  try {
    const m = JSON.parse(text) as { status?: unknown; key?: unknown };
    return m.status === 'ok' && typeof m.key === 'string' ? m.key : null;
  } catch {
    return null;
  }
}

/**
 * Parked names taken by a restore that found them unfit and discarded them, or renamed into place:
 * gone, but a discard of that name is tried again before parking over it (never renamed over).
 */
const taken = new Set<string>();

/** The parked directory of `label` for `key` (taken: no longer listed), or null. */
export function takeParked(outdir: string, label: string, key: string): string | null {
  const names = parkedNames(outdir);
  const list = names.get(label);
  const name = parkedName(label, key);
  if (list === undefined || !list.includes(name)) return null;
  names.set(label, list.filter((n) => n !== name));
  const dir = join(parkedRoot(outdir), name);
  taken.add(dir);
  return dir;
}

/**
 * Moves the node directory `dir` out of the way of a restore: parked under its marker's key when
 * that key has a cache entry (it may come back), the node's other parked directories discarded
 * (one per node); else discarded itself. `known`: that key as the caller read it (null: no ok
 * marker; a directory that is not there is then left alone by discard), else it is read here.
 */
export function moveAside(cache: OutputCache, dir: string, outdir: string, label: string, known?: string | null): void {
  const key = known !== undefined ? known : markerKey(dir);
  if (key === undefined) return; // no directory
  if (key === null || !cache.hasEntry(key)) {
    discard(dir, outdir);
    return;
  }
  const names = parkedNames(outdir);
  const root = parkedRoot(outdir);
  cache.noteParked({ parked: root, trash: trashRoot(outdir) }); // (once per process) eviction removes what it no longer needs
  madeDir(root);
  const name = parkedName(label, key);
  const listed = names.get(label) ?? [];
  for (const n of listed) discard(join(root, n), outdir);
  const to = join(root, name);
  // Not listed but taken before (found unfit, or put in place and parked again): never renamed over.
  if (!listed.includes(name) && taken.delete(to)) discard(to, outdir);
  renameSync(dir, to);
  names.set(label, [name]);
}
