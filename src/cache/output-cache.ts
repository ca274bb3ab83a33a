// The output cache: every successful node's outputs kept by node key under cache/outputs/, so that
// a node whose key comes back (an option switched back, a reverted change, a second Outdir of the
// same analysis) is restored instead of run. An entry is one file, cache/outputs/<kk>/<key>.json;
// the files are objects cache/objects/<xxh64>-<size>-<inode>, hard links to the node's own outputs
// (the build replaces directories by rename, never rewrites a file in place), a copy only where the
// filesystem cannot link. Each entry records every file's size and xxh64: an entry whose file
// changed or went missing is never restored. Entries appear complete or not at all (written aside,
// renamed into place); least recently used entries are evicted beyond a size limit.
// The parts: entry.ts (the format), keep.ts, verify.ts (the restore's checks), eviction.ts,
// parked.ts (the node directories a restore parked in the Outdirs).
import { existsSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../util/result.js';
import { ENTRY, entryFile, FORMAT_MARK, keyOk, legacyDir, objectsRoot, readEntry, rewriteEntry, storedAt, usedFile, type CacheEntry, type FileStamp } from './entry.js';
import { DEFAULT_MAX_BYTES, prune, pruneAfterBuild, stats, type CacheStats, type Pruned } from './eviction.js';
import { buildEntry, type KeepMeta } from './keep.js';
import { noteParkedPlace, parkedRegistry, type ParkedPlace } from './parked.js';
import { checkEntry, holdsInodes, holdsOnly, linkEntryInto, parkedStampsHold } from './verify.js';

export type { CachedFile, CacheEntry, FileStamp } from './entry.js';
export { BACKDATE_S } from './entry.js';
export { DEFAULT_MAX_BYTES, USAGE_RECOUNT_MS, type CacheStats } from './eviction.js';
export { parkedName, parseParkedName, type ParkedPlace } from './parked.js';

const byRoot = new Map<string, OutputCache>();

export class OutputCache {
  /** Directories (the root, `outputs/<key[0:2]>`, `objects`) this process made or found: a save makes each once. */
  private readonly parentsMade = new Set<string>();
  /** entry.json files read by this process (immutable once renamed into place; dropped on remove). */
  private readonly memo = new Map<string, CacheEntry>();
  /** The device of the cache's root (a parked file is trusted only on it), once stat-ed. */
  private rootDev: string | null = null;
  /** Files a restore had to hash (their stamps did not hold), since this cache was opened. */
  hashedFiles = 0;
  /** Bytes this process's build added to the cache (over-counted where an entry already was: safe). */
  private addedBytes = 0;

  /**
   * Whether the cache had neither entries nor parked places when opened (a new or removed cache
   * directory): the size ledger then starts from what this build adds (eviction.ts pruneAfterBuild).
   */
  private startedEmpty = false;
  /** Whether entries of version 1 (directories) may be there: then a missing entry file is looked for as one. */
  private legacyMaybe: boolean | null = null;

  private constructor(readonly root: string, readonly maxBytes: number) {}

  static open(cacheDir: string, maxBytes = DEFAULT_MAX_BYTES): OutputCache {
    const c = new OutputCache(join(cacheDir, 'outputs'), maxBytes);
    c.startedEmpty = !existsSync(c.root) && !existsSync(parkedRegistry(c.root));
    return c;
  }

  /** The cache whose `root` (cache/outputs) is given (a local worker keeping results; one per root). */
  static at(root: string): OutputCache {
    let c = byRoot.get(root);
    if (c === undefined) {
      c = new OutputCache(root, DEFAULT_MAX_BYTES);
      byRoot.set(root, c);
    }
    return c;
  }

  private legacy(): boolean {
    this.legacyMaybe ??= existsSync(this.root) && !existsSync(join(this.root, FORMAT_MARK));
    return this.legacyMaybe;
  }

  /** The entry for this key, or null (none, or unreadable). */
  entry(key: string): CacheEntry | null {
    if (!keyOk(key)) return null;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    // Most probes of a cold cache miss: answered by one stat, not by a read that throws ENOENT.
    if (!this.hasEntry(key)) return null;
    const e = readEntry(this.root, key, this.legacy());
    if (e !== null) this.memo.set(key, e);
    return e;
  }

  /** Whether an entry file is there for `key` (not read: a directory parked for it may be used later). */
  hasEntry(key: string): boolean {
    return keyOk(key) && (this.memo.has(key) || existsSync(entryFile(this.root, key)) || (this.legacy() && existsSync(join(legacyDir(this.root, key), ENTRY))));
  }

  /** Where file i of the entry of `key` is stored (an object, or a version-1 entry's file); null without an entry. */
  storedFile(key: string, i: number): string | null {
    const e = this.entry(key);
    const f = e?.files[i];
    return e == null || f === undefined ? null : storedAt(this.root, e, f, i);
  }

  /**
   * Keeps the files of `nodeDir` (minus `meta.exclude`, paths relative to it) under `key`. An entry
   * already there for the key is kept as it is (same key, same work).
   */
  async save(key: string, nodeDir: string, meta: KeepMeta): Promise<Result<CacheEntry>> {
    if (!keyOk(key)) return fail({ object: meta.node, reason: `not a node key: ${key}` });
    const have = this.entry(key);
    if (have !== null) return ok(have);
    try {
      return ok(await buildEntry(this.root, key, nodeDir, meta, this.parentsMade));
    } catch (err) {
      return fail({ file: nodeDir, object: meta.node, reason: `cannot keep its outputs in the cache: ${(err as Error).message}` });
    }
  }

  /**
   * Links the entry's files into `targetDir` (an empty tmp dir the caller swaps into place) after
   * checking each file: by its recorded inode, size and mtime where they hold, else by its digest.
   * A damaged entry is removed and reported, never restored. `stamps` receives each file's stamp
   * (emptied when a file had to be copied: another inode).
   */
  async restoreInto(key: string, targetDir: string, stamps?: FileStamp[]): Promise<Result<CacheEntry>> {
    const e = this.entry(key);
    if (e === null) return fail({ object: key, reason: 'no cache entry' });
    const checked = await checkEntry(e, this.root, stamps, () => this.hashedFiles++);
    if (!checked.ok) {
      if (this.removedMeanwhile(e)) return fail({ object: key, reason: 'no cache entry (removed since: heppy cache prune or clean)' });
      this.removeDamaged(key, checked.error.file);
      return checked;
    }
    try {
      if (!linkEntryInto(e, this.root, targetDir) && stamps !== undefined) stamps.length = 0;
      this.used(key, checked.value);
    } catch (err) {
      return fail({ file: targetDir, object: e.node, reason: `cannot restore from the cache: ${(err as Error).message}` });
    }
    return ok(e);
  }

  /**
   * Checks the entry of `key` exactly as a restore does (checkEntry: each file by its stamp, else by
   * its digest), changing nothing (heppy why/status: what the build would find). `stamps` receives
   * each file's stamp as found. A Failure names the damaged file (or: no entry). `keepStamps` (a
   * build's header, whose restores follow): files hashed and found intact get their fresh stamps
   * written in the entry, as a restore writes them, so that the restore need not hash them again.
   */
  async verifyEntry(key: string, stamps?: FileStamp[], keepStamps = false): Promise<Result<CacheEntry>> {
    const e = this.entry(key);
    if (e === null) return fail({ object: key, reason: 'no cache entry' });
    const checked = await checkEntry(e, this.root, stamps, () => this.hashedFiles++);
    if (!checked.ok) return this.removedMeanwhile(e) ? fail({ object: key, reason: 'no cache entry (removed since: heppy cache prune or clean)' }) : checked;
    if (keepStamps && checked.value !== null && rewriteEntry(this.root, checked.value)) this.memo.set(key, checked.value);
    return ok(e);
  }

  /**
   * Whether `nodeDir` (a node directory restored from or kept in this entry, parked aside since)
   * holds exactly this entry's content as the entry's inodes, plus at most the `extra` names at its
   * top (the run files and the marker): then it can be put back in place as the restore, without
   * linking anything. When every file there is the inode the entry recorded, with its recorded
   * size and mtime (not racy) on the cache's device, its content is the recorded one and only
   * those files are stat-ed; else the entry is checked as by restoreInto (a damaged one is removed
   * and reported, never restored) and the directory must hold the very inodes found. A directory
   * that differs in any way is ok(false), for the caller to restore by links instead. `stamps`
   * receives the stamp of each of the entry's files (a restored file is that inode: the caller
   * need not stat it again).
   */
  async holdsEntry(key: string, nodeDir: string, extra: ReadonlySet<string>, stamps: FileStamp[] = []): Promise<Result<boolean>> {
    const e = this.entry(key);
    if (e === null) return fail({ object: key, reason: 'no cache entry' });
    let rehashed: CacheEntry | null = null;
    try {
      if (!parkedStampsHold(e, nodeDir, this.dev(), stamps)) {
        stamps.length = 0;
        const checked = await checkEntry(e, this.root, stamps, () => this.hashedFiles++);
        if (!checked.ok) {
          if (this.removedMeanwhile(e)) return fail({ object: key, reason: 'no cache entry (removed since: heppy cache prune or clean)' });
          this.removeDamaged(key, checked.error.file);
          return checked;
        }
        rehashed = checked.value;
        if (!holdsInodes(e, nodeDir, stamps)) return ok(false);
      }
      if (!holdsOnly(nodeDir, e.files.map((f) => f.path), extra)) return ok(false);
      this.used(key, rehashed);
    } catch {
      return ok(false);
    }
    return ok(true);
  }

  private dev(): string {
    if (this.rootDev === null) {
      try {
        this.rootDev = String(statSync(this.root, { bigint: true }).dev);
      } catch {
        return ''; // no cache yet: no parked file can be trusted by its stamp
      }
    }
    return this.rootDev;
  }

  /** An entry just restored from: its fresh stamps written when some files were hashed, else its entry.json touched (evicted last). */
  private used(key: string, rehashed: CacheEntry | null): void {
    if (rehashed !== null) {
      if (rewriteEntry(this.root, rehashed)) this.memo.set(key, rehashed);
    } else {
      const e = this.entry(key);
      const now = new Date();
      if (e !== null) utimesSync(usedFile(this.root, e), now, now);
    }
  }

  /** Removes the entry of `key` (its objects stay while other entries name them: eviction removes those no entry names). */
  remove(key: string): void {
    this.memo.delete(key);
    if (!keyOk(key)) return;
    rmSync(entryFile(this.root, key), { force: true });
    if (this.legacy()) rmSync(legacyDir(this.root, key), { recursive: true, force: true });
  }

  /**
   * After a failed check: whether the entry's file is gone (another process's prune or clean removed
   * it, then its objects, after this one read it). Such an entry was removed, not damaged: it is
   * forgotten here and nothing is removed or reported as damaged.
   */
  private removedMeanwhile(e: CacheEntry): boolean {
    if (e.version !== 2 || existsSync(entryFile(this.root, e.key))) return false;
    this.memo.delete(e.key);
    return true;
  }

  /**
   * A damaged entry removed, and the damaged object (`file`, when it is one): its content is not
   * the digest that names it, for every entry that names it (they find it missing and run).
   */
  private removeDamaged(key: string, file: string | undefined): void {
    this.remove(key);
    if (file !== undefined && file.startsWith(objectsRoot(this.root) + '/')) rmSync(file, { force: true });
  }

  /** Tells the cache where an Outdir parks node directories (its eviction removes those whose entry is gone). */
  noteParked(place: ParkedPlace): void {
    noteParkedPlace(this.root, place);
  }

  stats(): CacheStats {
    return stats(this.root, this.maxBytes);
  }

  noteAdded(bytes: number): void { this.addedBytes += bytes; }

  /** After a build that ran something: evicts beyond the limit when the ledger says it may be passed (eviction.ts). */
  pruneAfterBuild(): Pruned & { counted: boolean } {
    const added = this.addedBytes;
    this.addedBytes = 0;
    const startedEmpty = this.startedEmpty;
    this.startedEmpty = false; // the ledger written now covers what follows
    return pruneAfterBuild(this.root, this.maxBytes, added, (k) => this.remove(k), startedEmpty);
  }

  /** Evicts the least recently used entries until the cache holds at most `maxBytes`, and the parked directories of keys gone. */
  prune(maxBytes = this.maxBytes): Pruned {
    return prune(this.root, maxBytes, (k) => this.remove(k));
  }
}
