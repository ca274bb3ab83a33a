// The output cache: every successful node's outputs kept by node key under cache/outputs/, so that
// a node whose key comes back (an option switched back, a reverted change, a second Outdir of the
// same analysis) is restored instead of run. Files are hard links to the node's own outputs (the
// build replaces directories by rename, never rewrites a file in place), a copy only where the
// filesystem cannot link. Each entry records every file's size and xxh64: an entry whose file
// changed or went missing is never restored. Entries appear complete or not at all (built in a
// tmp dir, renamed into place); least recently used entries are evicted beyond a size limit.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, fstatSync, futimesSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hashFileSized, hashSmallFd } from '../fingerprint/hash-file.js';
import { initHash } from '../fingerprint/hash.js';
import { fail, ok, type Result } from '../util/result.js';

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

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
}

export const DEFAULT_MAX_BYTES = 20 * 2 ** 30;
/** The ledger of the cache's size is trusted this long; then the next build counts every entry again. */
export const USAGE_RECOUNT_MS = 24 * 3600_000;

interface Usage { bytes: number; countedAt: number }
const ENTRY = 'entry.json';
const FILES = 'files';

/** Where file i of an entry is stored, in the entry's directory `dir`. */
function storedAt(dir: string, e: Pick<CacheEntry, 'flat'>, f: CachedFile, i: number): string {
  return e.flat ? join(dir, String(i)) : join(dir, FILES, f.path);
}

/** Names of keeps in progress: unique within the process, and across processes by the random part. */
const tmpPrefix = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tmpSeq = 0;

const byRoot = new Map<string, OutputCache>();

const keyOk = (key: string): boolean => /^[0-9a-f]{8,64}$/.test(key);

/**
 * File times are taken from a coarse clock (a kernel tick, ≤ 10 ms): a write within this margin
 * of a hash may leave the mtime unchanged, so such a file ("racy", as git says) is hashed.
 */
const RACY_MS = 100;

/** A file's size, inode, mtime (ns) and device, as stat-ed. */
export interface FileStamp { size: number; ino: string; mtimeNs: string; dev: string }

function stampOf(path: string): FileStamp {
  const st = statSync(path, { bigint: true });
  return { size: Number(st.size), ino: String(st.ino), mtimeNs: String(st.mtimeNs), dev: String(st.dev) };
}

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

/** The recorded stamp stands for the digest: same inode, size and mtime, and not racy. */
function stampHolds(f: CachedFile, st: FileStamp, verifiedAt: number | undefined): boolean {
  if (f.ino === undefined || f.mtimeNs === undefined || verifiedAt === undefined) return false;
  if (st.ino !== f.ino || st.mtimeNs !== f.mtimeNs || st.size !== f.size) return false;
  return Number(BigInt(f.mtimeNs) / 1_000_000n) < verifiedAt - RACY_MS;
}

export class OutputCache {
  /** Parent directories (`outputs/<key[0:2]>`) this process made: a save makes each once. */
  private readonly parentsMade = new Set<string>();
  /** entry.json files read by this process (immutable once renamed into place; dropped on remove). */
  private readonly memo = new Map<string, CacheEntry>();
  /** Files a restore had to hash (their stamps did not hold), since this cache was opened. */
  hashedFiles = 0;

  private constructor(readonly root: string, readonly maxBytes: number) {}

  static open(cacheDir: string, maxBytes = DEFAULT_MAX_BYTES): OutputCache {
    return new OutputCache(join(cacheDir, 'outputs'), maxBytes);
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

  private dir(key: string): string {
    return join(this.root, key.slice(0, 2), key);
  }

  /** The entry for this key, or null (none, or its entry.json unreadable). */
  entry(key: string): CacheEntry | null {
    if (!keyOk(key)) return null;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    try {
      const e = JSON.parse(readFileSync(join(this.dir(key), ENTRY), 'utf8')) as CacheEntry;
      if (e.version !== 1 || e.key !== key || !Array.isArray(e.files)) return null;
      this.memo.set(key, e);
      return e;
    } catch {
      return null;
    }
  }

  /**
   * Keeps the files of `nodeDir` (minus `exclude`, paths relative to it) under `key`. An entry
   * already there for the key is kept as it is (same key, same work). `files`: the node's files
   * when the caller knows them (a run that just listed them), else the directory is walked.
   */
  async save(key: string, nodeDir: string, meta: { kind: 'chunk' | 'hadd'; node: string; marker: unknown; exclude: readonly string[]; files?: readonly string[];
    /** Told of each kept file that is a hard link to the node's own (the backdating changed its mtime: this is the new stamp). */
    onLinked?: (rel: string, f: CachedFile) => void }): Promise<Result<CacheEntry>> {
    if (!keyOk(key)) return fail({ object: meta.node, reason: `not a node key: ${key}` });
    const have = this.entry(key);
    if (have !== null) return ok(have);
    const tmp = join(this.root, '.tmp', `${key}.${tmpPrefix}.${++tmpSeq}`);
    let moved = false;
    try {
      const files: CachedFile[] = [];
      const tmpRoot = join(this.root, '.tmp');
      if (!this.parentsMade.has(tmpRoot)) {
        mkdirSync(tmpRoot, { recursive: true });
        this.parentsMade.add(tmpRoot);
      }
      mkdirSync(tmp);
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
      const entry: CacheEntry = { version: 1, key, kind: meta.kind, node: meta.node, builtAt: new Date().toISOString(), bytes: files.reduce((s, f) => s + f.size, 0), files, marker: meta.marker, verifiedAt: hashedFrom, flat: true };
      writeFileSync(join(tmp, ENTRY), JSON.stringify(entry) + '\n');
      const parent = dirname(this.dir(key));
      if (!this.parentsMade.has(parent)) {
        mkdirSync(parent, { recursive: true });
        this.parentsMade.add(parent);
      }
      try {
        try {
          renameSync(tmp, this.dir(key));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          mkdirSync(parent, { recursive: true }); // removed since this process made it
          renameSync(tmp, this.dir(key));
        }
        moved = true;
      } catch (err) {
        // Another build saved the same key first: theirs is as good as ours.
        if (this.entry(key) === null) throw err;
      }
      return ok(entry);
    } catch (err) {
      return fail({ file: nodeDir, object: meta.node, reason: `cannot keep its outputs in the cache: ${(err as Error).message}` });
    } finally {
      if (!moved) rmSync(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Links the entry's files into `targetDir` (an empty tmp dir the caller swaps into place) after
   * checking each file: by its recorded inode, size and mtime where they hold, else by its digest.
   * A damaged entry is removed and reported, never restored.
   */
  async restoreInto(key: string, targetDir: string, stamps?: FileStamp[]): Promise<Result<CacheEntry>> {
    const e = this.entry(key);
    if (e === null) return fail({ object: key, reason: 'no cache entry' });
    const dir = this.dir(key);
    const checked = await this.check(e, dir, stamps);
    if (!checked.ok) {
      this.remove(key);
      return checked;
    }
    try {
      const made = new Set<string>([targetDir]);
      let copied = false;
      for (const [i, f] of e.files.entries()) {
        const dst = join(targetDir, f.path);
        makeDirs(dirname(dst), made);
        if (!linkOrCopy(storedAt(dir, e, f, i), dst)) copied = true;
      }
      if (copied && stamps !== undefined) stamps.length = 0; // a copy is another inode: no stamps to pass on
      this.used(key, checked.value);
    } catch (err) {
      return fail({ file: targetDir, object: e.node, reason: `cannot restore from the cache: ${(err as Error).message}` });
    }
    return ok(e);
  }

  /**
   * Whether `nodeDir` holds exactly this entry's files as the very inodes the entry stores (same
   * device, inode, size and mtime: a node directory restored from or kept in this entry, parked
   * aside since), plus at most the `extra` names at its top (the run files and the marker): then
   * it can be put back in place as the restore, without linking anything. The entry is checked
   * first as by restoreInto (a damaged one is removed and reported, never restored); a directory
   * that differs in any way is ok(false), for the caller to restore by links instead. `stamps`
   * receives the stamp of each of the entry's files (restoreInto's likewise: a restored file is
   * that inode, so the caller need not stat it again).
   */
  async holdsEntry(key: string, nodeDir: string, extra: ReadonlySet<string>, stamps: FileStamp[] = []): Promise<Result<boolean>> {
    const e = this.entry(key);
    if (e === null) return fail({ object: key, reason: 'no cache entry' });
    stamps.length = 0;
    const checked = await this.check(e, this.dir(key), stamps);
    if (!checked.ok) {
      this.remove(key);
      return checked;
    }
    try {
      for (const [i, f] of e.files.entries()) {
        const st = lstatSync(join(nodeDir, f.path), { bigint: true, throwIfNoEntry: false });
        const s = stamps[i]!;
        if (st === undefined || !st.isFile() || String(st.dev) !== s.dev || String(st.ino) !== s.ino || String(st.mtimeNs) !== s.mtimeNs || Number(st.size) !== s.size) return ok(false);
      }
      if (!holdsOnly(nodeDir, e.files.map((f) => f.path), extra)) return ok(false);
      this.used(key, checked.value);
    } catch {
      return ok(false);
    }
    return ok(true);
  }

  /** An entry just restored from: its fresh stamps written when some files were hashed, else its entry.json touched (evicted last). */
  private used(key: string, rehashed: CacheEntry | null): void {
    if (rehashed !== null) this.refresh(rehashed);
    else {
      const now = new Date();
      utimesSync(join(this.dir(key), ENTRY), now, now);
    }
  }

  /**
   * Checks every file of `e`. Ok(null): all stamps held (nothing hashed); ok(entry): some files
   * were hashed and matched, the entry with their fresh stamps (so the next restore need not hash).
   * `stamps` (when given) receives each file's stamp as found.
   */
  private async check(e: CacheEntry, dir: string, stamps?: FileStamp[]): Promise<Result<CacheEntry | null>> {
    const from = Date.now();
    let hashed = false;
    const files: CachedFile[] = [];
    for (const [i, f] of e.files.entries()) {
      const src = storedAt(dir, e, f, i);
      let why: string | null = null;
      try {
        const st = stampOf(src);
        stamps?.push(st);
        if (st.size !== f.size) why = 'its size changed';
        else if (!stampHolds(f, st, e.verifiedAt)) {
          hashed = true;
          this.hashedFiles++;
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

  /** Replaces entry.json by `e` (atomically: written aside, renamed over it). */
  private refresh(e: CacheEntry): void {
    const path = join(this.dir(e.key), ENTRY);
    const tmp = `${path}.${randomBytes(4).toString('hex')}`;
    try {
      writeFileSync(tmp, JSON.stringify(e) + '\n');
      renameSync(tmp, path);
      this.memo.set(e.key, e);
    } catch {
      rmSync(tmp, { force: true }); // the old entry stays valid: the next restore hashes again
    }
  }

  remove(key: string): void {
    this.memo.delete(key);
    if (keyOk(key)) rmSync(this.dir(key), { recursive: true, force: true });
  }

  private entries(): Array<{ key: string; bytes: number; usedMs: number }> {
    const out: Array<{ key: string; bytes: number; usedMs: number }> = [];
    if (!existsSync(this.root)) return out;
    for (const p of readdirSync(this.root)) {
      if (p === '.tmp') continue;
      for (const key of readdirSync(join(this.root, p))) {
        const e = this.entry(key);
        if (e === null) continue;
        out.push({ key, bytes: e.bytes, usedMs: statSync(join(this.dir(key), ENTRY)).mtimeMs });
      }
    }
    return out;
  }

  stats(): CacheStats {
    const all = this.entries();
    return { entries: all.length, bytes: all.reduce((s, e) => s + e.bytes, 0), maxBytes: this.maxBytes };
  }

  /** Bytes this process's build added to the cache (over-counted where an entry already was: safe). */
  private addedBytes = 0;
  noteAdded(bytes: number): void { this.addedBytes += bytes; }

  /** `cache/outputs.usage.json`: the cache's size when last counted, plus what builds added since. */
  private get usagePath(): string { return `${this.root}.usage.json`; }
  private readUsage(): Usage | null {
    try {
      const u = JSON.parse(readFileSync(this.usagePath, 'utf8')) as Usage;
      return Number.isFinite(u.bytes) && Number.isFinite(u.countedAt) ? u : null;
    } catch {
      return null;
    }
  }
  private writeUsage(u: Usage): void {
    const tmp = `${this.usagePath}.${tmpPrefix}.${++tmpSeq}`;
    try {
      mkdirSync(dirname(tmp), { recursive: true });
      writeFileSync(tmp, JSON.stringify(u) + '\n');
      renameSync(tmp, this.usagePath);
    } catch {
      rmSync(tmp, { force: true }); // no ledger: the next build counts every entry
    }
  }

  /**
   * After a build: evicts as prune() does, but reads every entry.json (the whole cache, thousands
   * of files) only when the ledger says the cache may exceed its limit, or the ledger is missing
   * or older than USAGE_RECOUNT_MS (concurrent builds may each have added without the other's
   * bytes: the recount bounds that drift). Otherwise the ledger grows by what this build added.
   */
  pruneAfterBuild(): { removed: number; freedBytes: number; counted: boolean } {
    const u = this.readUsage();
    const added = this.addedBytes;
    this.addedBytes = 0;
    if (u !== null && Date.now() - u.countedAt < USAGE_RECOUNT_MS && u.bytes + added <= this.maxBytes) {
      this.writeUsage({ bytes: u.bytes + added, countedAt: u.countedAt });
      return { removed: 0, freedBytes: 0, counted: false };
    }
    return { ...this.prune(), counted: true };
  }

  /** Evicts the least recently used entries until the cache holds at most `maxBytes`. */
  prune(maxBytes = this.maxBytes): { removed: number; freedBytes: number } {
    const countedAt = Date.now();
    const all = this.entries().sort((a, b) => a.usedMs - b.usedMs);
    let total = all.reduce((s, e) => s + e.bytes, 0);
    let removed = 0, freedBytes = 0;
    for (const e of all) {
      if (total <= maxBytes) break;
      this.remove(e.key);
      total -= e.bytes;
      freedBytes += e.bytes;
      removed++;
    }
    this.writeUsage({ bytes: total, countedAt });
    // Leftovers of saves killed midway; a save in progress is younger than an hour.
    const tmpRoot = join(this.root, '.tmp');
    if (existsSync(tmpRoot)) {
      for (const t of readdirSync(tmpRoot)) {
        const p = join(tmpRoot, t);
        if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
      }
    }
    return { removed, freedBytes };
  }
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
 * Whether the files under `dir` are exactly `paths` (relative) plus, at its top, names of `extra`:
 * no other file, no directory that holds none of them, nothing but files and directories.
 */
function holdsOnly(dir: string, paths: readonly string[], extra: ReadonlySet<string>): boolean {
  const want = new Set(paths);
  const dirs = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  let found = 0;
  const rec = (rel: string): boolean => {
    for (const e of readdirSync(rel === '' ? dir : join(dir, rel), { withFileTypes: true })) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!dirs.has(p) || !rec(p)) return false;
      } else if (!e.isFile()) return false;
      else if (want.has(p)) found++;
      else if (rel !== '' || !extra.has(p)) return false;
    }
    return true;
  };
  return rec('') && found === want.size;
}

/** A hard link; a reflink or copy where the filesystem cannot link (another device, no links). */
function linkOrCopy(src: string, dst: string): boolean {
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
