// The cache's size: every entry listed (entry.json's mtime is its last use), the least recently
// used evicted beyond the limit, the parked directories of evicted keys removed with them, and the
// ledger `cache/outputs.usage.json` ({bytes, countedAt}) that spares a build the full count.
import { randomHex } from '../util/lazy-node.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ENTRY, entryDir, readEntry } from './entry.js';
import { parkedUsage, sweepParked } from './parked.js';

export interface CacheStats {
  entries: number;
  bytes: number;
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

interface Usage { bytes: number; countedAt: number }
export interface Listed { key: string; bytes: number; usedMs: number }

/** Every readable entry under `root` with its size and last use. */
export function listEntries(root: string): Listed[] {
  const out: Listed[] = [];
  if (!existsSync(root)) return out;
  for (const p of readdirSync(root)) {
    if (p === '.tmp') continue;
    for (const key of readdirSync(join(root, p))) {
      const dir = entryDir(root, key);
      const e = readEntry(dir, key);
      if (e === null) continue;
      out.push({ key, bytes: e.bytes, usedMs: statSync(join(dir, ENTRY)).mtimeMs });
    }
  }
  return out;
}

export function stats(root: string, maxBytes: number): CacheStats {
  const all = listEntries(root);
  const parked = parkedUsage(root);
  return { entries: all.length, bytes: all.reduce((s, e) => s + e.bytes, 0), maxBytes, parked: parked.dirs, parkedBytes: parked.ownBytes };
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

/**
 * Evicts the least recently used entries until the entries, plus what parked directories hold of
 * their own, take at most `maxBytes`; then removes the parked directories whose key has no entry
 * (they cannot be used, and may hold the only links of an evicted entry's files). `remove` removes
 * one entry (the caller's, which also forgets it).
 */
export function prune(root: string, maxBytes: number, remove: (key: string) => void): Pruned {
  const countedAt = Date.now();
  const all = listEntries(root).sort((a, b) => a.usedMs - b.usedMs);
  const live = new Set(all.map((e) => e.key));
  // Parked directories of keys already gone first: what they hold of their own is freed too.
  const stale = sweepParked(root, (k) => live.has(k));
  let total = all.reduce((s, e) => s + e.bytes, 0) + parkedUsage(root).ownBytes;
  let removed = 0, freedBytes = stale.freedBytes;
  for (const e of all) {
    if (total <= maxBytes) break;
    remove(e.key);
    live.delete(e.key);
    total -= e.bytes;
    freedBytes += e.bytes;
    removed++;
  }
  const swept = removed > 0 ? sweepParked(root, (k) => live.has(k)) : { removed: 0, freedBytes: 0 };
  total -= swept.freedBytes;
  freedBytes += swept.freedBytes;
  writeUsage(root, { bytes: Math.max(0, total), countedAt });
  // Leftovers of saves killed midway; a save in progress is younger than an hour.
  const tmpRoot = join(root, '.tmp');
  if (existsSync(tmpRoot)) {
    for (const t of readdirSync(tmpRoot)) {
      const p = join(tmpRoot, t);
      if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
    }
  }
  return { removed, freedBytes, parkedRemoved: stale.removed + swept.removed };
}

/**
 * After a build: evicts as prune() does, but reads every entry.json (the whole cache, thousands
 * of files) only when the ledger says the cache may exceed its limit, or the ledger is missing
 * (and the cache was not empty when the build opened it: `startedEmpty`) or older than USAGE_RECOUNT_MS (concurrent builds may each have added without the other's
 * bytes: the recount bounds that drift). Otherwise the ledger grows by what this build added.
 */
export function pruneAfterBuild(root: string, maxBytes: number, added: number, remove: (key: string) => void,
  startedEmpty = false): Pruned & { counted: boolean } {
  const u = readUsage(root);
  // A cache that had no entries and no parked places when the build opened it holds what this
  // build added: its ledger starts from that instead of reading back every entry.json it just wrote.
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
