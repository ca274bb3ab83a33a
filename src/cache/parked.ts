// Parked node directories (Outdir/.heppy/parked/<label>.<key>, made by engine/restore.ts): the
// directory a restore replaced, kept while its key has an entry so that switching back renames it
// into place. Its files are links of that entry (no space of their own) until the entry is evicted;
// then the parked directory is useless (a restore uses it only after checking the entry) and
// would hold the only links. So the cache knows where directories are parked (the registry
// `cache/outputs.parked.json`, one line per Outdir, written when an Outdir first parks) and its
// eviction removes the parked directories whose key has no entry, and counts what they hold.
import { randomHex } from '../util/lazy-node.js';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where one Outdir parks its node directories, and its trash (a parked directory leaves by rename into it). */
export interface ParkedPlace { parked: string; trash: string }

/** The name of `label`'s directory parked for `key`. */
export const parkedName = (label: string, key: string): string => `${label}.${key}`;

/** The node label and key of a parked directory's name; null for any other name. */
export function parseParkedName(name: string): { label: string; key: string } | null {
  const i = name.lastIndexOf('.');
  return i <= 0 ? null : { label: name.slice(0, i), key: name.slice(i + 1) };
}

/** The registry of the places where Outdirs park directories for the cache at `root`. */
export const parkedRegistry = (root: string): string => `${root}.parked.json`;
const registryOf = parkedRegistry;

function readPlaces(root: string): ParkedPlace[] {
  try {
    const v = JSON.parse(readFileSync(registryOf(root), 'utf8')) as { places?: unknown };
    return Array.isArray(v.places) ? v.places.filter((p): p is ParkedPlace => typeof p?.parked === 'string' && typeof p?.trash === 'string') : [];
  } catch {
    return [];
  }
}

function writePlaces(root: string, places: readonly ParkedPlace[]): void {
  const file = registryOf(root);
  const tmp = `${file}.${process.pid}.${randomHex(4)}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify({ places }) + '\n');
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true }); // not registered: that Outdir's parked directories wait for heppy clean
  }
}

/** Places this process registered (or found registered) per cache root: the registry is read once. */
const noted = new Map<string, Set<string>>();

/** Registers `place` with the cache at `root` (once per process; a write only when it is new). */
export function noteParkedPlace(root: string, place: ParkedPlace): void {
  let mine = noted.get(root);
  if (mine?.has(place.parked)) return;
  if (mine === undefined) noted.set(root, (mine = new Set()));
  const places = readPlaces(root);
  for (const p of places) mine.add(p.parked);
  if (!places.some((p) => p.parked === place.parked)) writePlaces(root, [...places, place]);
  mine.add(place.parked);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Bytes of the files under `dir` that have no other link (held only there). */
function ownBytes(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += ownBytes(p);
    else if (e.isFile()) {
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st !== undefined && st.nlink === 1) bytes += st.size;
    }
  }
  return bytes;
}

export interface ParkedUsage {
  /** Parked directories in the registered Outdirs. */
  dirs: number;
  /** Bytes of their files linked nowhere else (not in the cache's entries: space of their own). */
  ownBytes: number;
}

/** What the parked directories of the registered Outdirs hold. */
export function parkedUsage(root: string): ParkedUsage {
  let dirs = 0, bytes = 0;
  for (const p of readPlaces(root)) {
    for (const name of listDir(p.parked)) {
      if (parseParkedName(name) === null) continue;
      dirs++;
      try {
        bytes += ownBytes(join(p.parked, name));
      } catch { /* removed meanwhile */ }
    }
  }
  return { dirs, ownBytes: bytes };
}

/**
 * Removes the parked directories of the registered Outdirs whose key has no entry (`hasEntry`),
 * each first renamed into its Outdir's trash (a restore renaming it into place at the same time
 * wins or finds it gone, never half removed). Outdirs that no longer park anything are dropped
 * from the registry.
 */
export function sweepParked(root: string, hasEntry: (key: string) => boolean): { removed: number; freedBytes: number } {
  let removed = 0, freedBytes = 0;
  const places = readPlaces(root);
  const kept: ParkedPlace[] = [];
  for (const p of places) {
    const names = listDir(p.parked);
    let left = 0;
    for (const name of names) {
      const parsed = parseParkedName(name);
      if (parsed === null || hasEntry(parsed.key)) {
        left++;
        continue;
      }
      const from = join(p.parked, name);
      const to = join(p.trash, `${name}.${randomHex(4)}`);
      try {
        const bytes = ownBytes(from);
        mkdirSync(p.trash, { recursive: true });
        renameSync(from, to);
        rmSync(to, { recursive: true, force: true });
        removed++;
        freedBytes += bytes;
      } catch { /* taken by a restore meanwhile */ }
    }
    if (left > 0) kept.push(p);
    else noted.get(root)?.delete(p.parked); // registered again when it parks again
  }
  if (kept.length !== places.length) writePlaces(root, kept);
  return { removed, freedBytes };
}
