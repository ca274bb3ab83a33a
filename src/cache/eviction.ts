// The cache's size: every entry listed (its file's mtime is its last use), the least recently used
// evicted beyond the limit with the objects no remaining entry names, the parked directories of
// evicted keys removed with them, and the ledger `cache/outputs.usage.json` ({bytes, countedAt})
// that spares a build the full count. What the cache holds is its objects, each counted once
// however many entries name it (plus version-1 entries' own files), and what parked directories
// hold of their own: stats and prune count it the same way, so that prune's freed bytes and what
// is left add up to what stats said.
import { randomHex } from '../util/lazy-node.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FORMAT_MARK, keyOk, objectsRoot, objectSize, readEntry, usedFile, writeAtomic } from './entry.js';
import { parkedUsage, sweepParked } from './parked.js';

export interface CacheStats {
  entries: number;
  /** Bytes the cache holds: its objects (each once) and its version-1 entries' files. */
  bytes: number;
  /** Objects (files stored once each, shared by the entries that hold that content). */
  objects: number;
  maxBytes: number;
  /** Node directories parked in the Outdirs this cache serves (links of entries: they cost no space while those exist). */
  parked: number;
  /** Bytes of parked files linked nowhere else (counted against the limit with the entries). */
  parkedBytes: number;
}

export interface Pruned { removed: number; freedBytes: number; parkedRemoved: number }

export const DEFAULT_MAX_BYTES = 20 * 2 ** 30;
/** The ledger of the cache's size is trusted this long; then the next build counts every entry again. */
export const USAGE_RECOUNT_MS = 24 * 3600_000;
/** A keep's leftovers (tmp files, objects no entry names yet) younger than this may belong to a keep in progress. */
const LEFTOVER_MS = 3_600_000;

interface Usage { bytes: number; countedAt: number }
export interface Listed {
  key: string;
  bytes: number;
  usedMs: number;
  /** 2: `objects` are the objects it names; 1: a version-1 entry directory holding its `bytes`. */
  version: 1 | 2;
  objects: string[];
}

/** An object's name (its path under the objects' directory). */
const objectRel = (f: { obj?: string }): string => f.obj ?? '';

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface Listing {
  entries: Listed[];
  /** Entry files that cannot be read as entries (never restored): prune removes them. */
  unreadable: string[];
  /** Whether version-1 entry directories may be there (no FORMAT_MARK). */
  legacy: boolean;
  /** Keeps' tmp files and directories (`.tmp`, `<key>.json.<pid>.<random><count>`: util/lazy-node uniqueTag). */
  leftovers: string[];
}

/** Every entry under `root`, readable or not, with its size, last use and objects. */
export function listAll(root: string): Listing {
  const out: Listing = { entries: [], unreadable: [], legacy: false, leftovers: [] };
  if (!existsSync(root)) return out;
  out.legacy = !existsSync(join(root, FORMAT_MARK));
  for (const p of listDir(root)) {
    if (p === '.tmp') out.leftovers.push(join(root, p));
    if (p.startsWith('.') || p.endsWith('.json')) continue;
    for (const name of listDir(join(root, p))) {
      const key = name.endsWith('.json') ? name.slice(0, -5) : name;
      if (!keyOk(key)) {
        out.leftovers.push(join(root, p, name));
        continue;
      }
      if (key === name && !out.legacy) continue; // a directory named as a key in a cache of this version: not an entry
      const e = readEntry(root, key, key === name);
      if (e === null || (e.version === 2) !== (key !== name)) {
        if (key !== name) out.unreadable.push(join(root, p, name));
        continue;
      }
      let usedMs = 0;
      try {
        usedMs = statSync(usedFile(root, e)).mtimeMs;
      } catch { /* removed meanwhile: oldest */ }
      out.entries.push({ key, bytes: e.bytes, usedMs, version: e.version, objects: e.version === 2 ? e.files.map(objectRel) : [] });
    }
  }
  return out;
}

/** Every readable entry under `root` with its size and last use. */
export function listEntries(root: string): Listed[] {
  return listAll(root).entries;
}

/** The objects under `objects` (name → size, from the name) and the tmp files of keeps. */
export function listObjects(objects: string): { sizes: Map<string, number>; leftovers: string[] } {
  const sizes = new Map<string, number>();
  const leftovers: string[] = [];
  for (const name of listDir(objects)) {
    const size = objectSize(name);
    if (size === null) leftovers.push(join(objects, name));
    else sizes.set(name, size);
  }
  return { sizes, leftovers };
}

const sum = (xs: Iterable<number>): number => { let s = 0; for (const x of xs) s += x; return s; };
const legacyBytes = (entries: readonly Listed[]): number => sum(entries.filter((e) => e.version === 1).map((e) => e.bytes));

export function stats(root: string, maxBytes: number): CacheStats {
  const all = listAll(root);
  const { sizes } = listObjects(objectsRoot(root));
  const parked = parkedUsage(root);
  return { entries: all.entries.length + all.unreadable.length, bytes: sum(sizes.values()) + legacyBytes(all.entries), objects: sizes.size,
    maxBytes, parked: parked.dirs, parkedBytes: parked.ownBytes };
}

const usagePath = (root: string): string => `${root}.usage.json`;

export function readUsage(root: string): Usage | null {
  try {
    const u = JSON.parse(readFileSync(usagePath(root), 'utf8')) as Usage;
    return Number.isFinite(u.bytes) && Number.isFinite(u.countedAt) ? u : null;
  } catch {
    return null;
  }
}

export function writeUsage(root: string, u: Usage): void {
  const tmp = `${usagePath(root)}.${process.pid}.${randomHex(4)}`;
  try {
    mkdirSync(dirname(tmp), { recursive: true });
    writeFileSync(tmp, JSON.stringify(u) + '\n');
    renameSync(tmp, usagePath(root));
  } catch {
    rmSync(tmp, { force: true }); // no ledger: the next build counts every entry
  }
}

const olderThan = (path: string, ms: number): boolean => {
  try {
    return Date.now() - statSync(path).ctimeMs > ms; // ctime: a link or rename of the file renews it
  } catch {
    return false;
  }
};

/**
 * Evicts the least recently used entries until the objects, version-1 entries and what parked
 * directories hold of their own take at most `maxBytes`; an evicted entry's objects that no
 * remaining entry names are removed with it. Then removes the parked directories whose key has no
 * entry (they cannot be used, and may hold the only links of an evicted entry's files), the entry
 * files that cannot be read, and the objects no entry names (a keep killed before its entry was
 * written; `heppy clean`'s removed entries) and keeps' tmp files older than an hour (younger ones
 * may be a keep in progress), all of them when `maxBytes` is 0 (emptied). `remove` removes one
 * entry (the caller's, which also forgets it). freedBytes is what the cache held before less what
 * it holds after, both counted as stats() counts.
 */
export function prune(root: string, maxBytes: number, remove: (key: string) => void): Pruned {
  const countedAt = Date.now();
  const objects = objectsRoot(root);
  const listing = listAll(root);
  const all = listing.entries.sort((a, b) => a.usedMs - b.usedMs);
  const objs = listObjects(objects);
  const refs = new Map<string, number>();
  for (const e of all) for (const o of e.objects) refs.set(o, (refs.get(o) ?? 0) + 1);
  let legacy = legacyBytes(all);
  const before = sum(objs.sizes.values()) + legacy + parkedUsage(root).ownBytes;
  const live = new Set(all.map((e) => e.key));
  // Parked directories of keys already gone first: what they hold of their own is freed too.
  const stale = sweepParked(root, (k) => live.has(k));
  let total = before - stale.freedBytes;
  const dropObject = (o: string): void => {
    rmSync(join(objects, o), { force: true });
    total -= objs.sizes.get(o) ?? 0;
    objs.sizes.delete(o);
  };
  let removed = 0;
  for (const e of all) {
    if (total <= maxBytes) break;
    remove(e.key);
    live.delete(e.key);
    removed++;
    if (e.version === 1) {
      total -= e.bytes;
      legacy -= e.bytes;
    }
    for (const o of e.objects) {
      const n = (refs.get(o) ?? 1) - 1;
      refs.set(o, n);
      if (n === 0) dropObject(o);
    }
  }
  for (const f of listing.unreadable) {
    rmSync(f, { force: true });
    removed++;
  }
  for (const o of [...objs.sizes.keys()]) if ((refs.get(o) ?? 0) === 0 && (maxBytes === 0 || olderThan(join(objects, o), LEFTOVER_MS))) dropObject(o);
  for (const t of [...listing.leftovers, ...objs.leftovers]) if (maxBytes === 0 || olderThan(t, LEFTOVER_MS)) rmSync(t, { recursive: true, force: true });
  const swept = removed > 0 ? sweepParked(root, (k) => live.has(k)) : { removed: 0, freedBytes: 0 };
  const after = sum(objs.sizes.values()) + legacy + parkedUsage(root).ownBytes;
  writeUsage(root, { bytes: after, countedAt });
  // No version-1 entry left: later lookups of a missing key need not look for one.
  if (listing.legacy && all.every((e) => e.version === 2 || !live.has(e.key)) && existsSync(root)) {
    try {
      writeAtomic(join(root, FORMAT_MARK), '2\n');
    } catch { /* looked for again */ }
  }
  return { removed, freedBytes: before - after, parkedRemoved: stale.removed + swept.removed };
}

/**
 * After a build: evicts as prune() does, but reads every entry (the whole cache, thousands of
 * files) only when the ledger says the cache may exceed its limit, or the ledger is missing (and
 * the cache was not empty when the build opened it: `startedEmpty`) or older than USAGE_RECOUNT_MS
 * (concurrent builds may each have added without the other's bytes: the recount bounds that
 * drift). Otherwise the ledger grows by what this build added.
 */
export function pruneAfterBuild(root: string, maxBytes: number, added: number, remove: (key: string) => void,
  startedEmpty = false): Pruned & { counted: boolean } {
  const u = readUsage(root);
  // A cache that had no entries and no parked places when the build opened it holds what this
  // build added: its ledger starts from that instead of reading back every entry it just wrote.
  if (u === null && startedEmpty && added <= maxBytes) {
    writeUsage(root, { bytes: added, countedAt: Date.now() });
    return { removed: 0, freedBytes: 0, parkedRemoved: 0, counted: false };
  }
  if (u !== null && Date.now() - u.countedAt < USAGE_RECOUNT_MS && u.bytes + added <= maxBytes) {
    writeUsage(root, { bytes: u.bytes + added, countedAt: u.countedAt });
    return { removed: 0, freedBytes: 0, parkedRemoved: 0, counted: false };
  }
  return { ...prune(root, maxBytes, remove), counted: true };
}

