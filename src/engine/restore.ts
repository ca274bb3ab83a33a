// Nodes restored from the output cache instead of run, and successful nodes kept in it. A restore
// is a run that reads nothing but the cache: it is built in a tmp dir (the entry's files linked in,
// this attempt's chunk.json and batchScript.sh, the marker written last) and swapped into place,
// so it appears complete or not at all, exactly as a run would.
//
// The directory a restore replaces (the other configuration's result, whose files are the inodes
// of its own cache entry) is parked, not removed: Outdir/.heppy/parked/<label>.<key>, one per node.
// Switching an option back and forth then restores by renaming the parked directory back, after
// checking that it holds exactly the entry's files as the very inodes the entry stores (and the
// entry itself, as always): no link per file, no unlink per file of the replaced one.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parkedName, parseParkedName, type FileStamp, type OutputCache } from '../cache/output-cache.js';
import { batchScriptText } from '../chunkdir/batch-script.js';
import { BATCH_SCRIPT, CHUNK_SPEC_FILE, ensureBatchPaths, MARKER_FILE, parkedRoot, RUN_FILES, trashRoot } from '../chunkdir/layout.js';
import { markerText, parseMarker, readMarker, type Marker } from '../chunkdir/marker.js';
import { chunkSpecText, type ChunkSpec } from '../chunkdir/spec.js';
import { makeTmpDir, swapIntoPlace } from '../chunkdir/swap.js';
import type { OutputRecord } from '../store/records.js';
import { fail, ok, type Result } from '../util/result.js';

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
function discard(dir: string, outdir: string): boolean {
  const trash = join(madeDir(trashRoot(outdir)), `${basename(dir)}.${randomBytes(4).toString('hex')}`);
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
function takeParked(outdir: string, label: string, key: string): string | null {
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
 * (one per node); else discarded itself.
 */
function moveAside(cache: OutputCache, dir: string, outdir: string, label: string): void {
  const key = markerKey(dir);
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

export interface Restored {
  marker: Marker;
  builtAt: string;
  /**
   * The restored directory's result files and marker with their sizes and mtimes, as statOutputs
   * would find them (same order), from the stamps the restore took of the very inodes it put in
   * place; null when the marker lists a file the entry does not hold (the caller stats them).
   */
  outputs: OutputRecord[] | null;
}

/** Keeps a node's outputs (everything but the run files and the marker) under its key. */
export async function keepInCache(cache: OutputCache, id: string, kind: 'chunk' | 'hadd', dir: string, key: string): Promise<Result<void>> {
  const m = readMarker(dir);
  if (!m.ok) return m;
  if (m.value === null || m.value.status !== 'ok' || m.value.key !== key) return fail({ file: dir, object: id, reason: 'no ok marker for this key: not cached' });
  const raw = JSON.parse(JSON.stringify(m.value)) as unknown;
  const saved = await cache.save(key, dir, { kind, node: id, marker: raw, exclude: [CHUNK_SPEC_FILE, BATCH_SCRIPT, MARKER_FILE] });
  return saved.ok ? ok(undefined) : saved;
}

/** The chunk `spec.name` restored into `dir` for `spec.key` and `spec.attempt`; a Failure when the entry is absent or damaged. */
export async function restoreChunk(cache: OutputCache, outdir: string, dir: string, spec: ChunkSpec): Promise<Result<Restored>> {
  return restoreInto(cache, outdir, dir, spec.name, spec.key, spec.attempt, (write) => {
    write(CHUNK_SPEC_FILE, chunkSpecText(spec));
    // The script's log and started/ directories, for when it is resubmitted by hand.
    if (!batchPathsMade.has(outdir)) {
      ensureBatchPaths(outdir);
      batchPathsMade.add(outdir);
    }
    write(BATCH_SCRIPT, batchScriptText(dir, {}, { attempt: spec.attempt, key: spec.key }), 0o755);
  }, (m) => (m.kind === 'chunk' ? { ...m, attempt: spec.attempt } : null));
}

/** A merged component restored for `key`; the record of what it merged is made anew from today's chunk markers. */
export async function restoreMerge(cache: OutputCache, outdir: string, dir: string, id: string, key: string): Promise<Result<Restored>> {
  return restoreInto(cache, outdir, dir, id.replace(/[:/]/g, '_'), key, 'hadd', () => undefined, (m) => {
    if (m.kind !== 'hadd') return null;
    // The build merges the chunks of its own Outdir: the entry may come from another Outdir's build.
    const chunksDir = outdir;
    const sources = m.sources === null ? null : m.sources.map((s) => {
      if (s.file === '') return s;
      try {
        const st = statSync(join(chunksDir, s.chunk, s.file));
        return { ...s, size: st.size, mtimeMs: st.mtimeMs };
      } catch {
        return s;
      }
    });
    return { ...m, sources, chunksDir: m.chunksDir === null ? null : outdir };
  });
}

/** Writes a run file (chunk.json, batchScript.sh) of the restored directory: its name, text and mode. */
type RunFileWriter = (name: string, text: string, mode?: number) => void;

/** Outdirs whose batch directories (logs, started) this process made. */
const batchPathsMade = new Set<string>();

async function restoreInto(cache: OutputCache, outdir: string, dir: string, label: string, key: string, attempt: number | 'hadd',
  writeRunFiles: (write: RunFileWriter) => void, remark: (m: Marker) => Marker | null): Promise<Result<Restored>> {
  const e = cache.entry(key);
  if (e === null) return fail({ object: label, reason: 'no cache entry' });
  const parsed = parseMarker(e.marker, join(cache.root, key));
  if (!parsed.ok) {
    cache.remove(key);
    return parsed;
  }
  const marker = remark(parsed.value);
  if (marker === null || marker.key !== key || marker.status !== 'ok') {
    cache.remove(key);
    return fail({ object: label, reason: 'cache entry holds no ok marker for its key; removed' });
  }
  // The directory swapped into place: the one parked for this key when it still holds the entry's
  // own files, else a tmp dir the entry's files are linked into.
  let from: string | null = null;
  let tmp: string | null = null;
  try {
    const stamps: FileStamp[] = [];
    const parked = takeParked(outdir, label, key);
    if (parked !== null) {
      const held = await cache.holdsEntry(key, parked, PARKED_EXTRA, stamps);
      if (!held.ok || !held.value) discard(parked, outdir);
      if (!held.ok) return held;
      if (held.value) from = parked;
    }
    if (from === null) {
      tmp = makeTmpDir(outdir, label, attempt);
      stamps.length = 0;
      const r = await cache.restoreInto(key, tmp, stamps);
      if (!r.ok) return r;
      from = tmp;
    }
    // Written directly: `from` is seen by nobody before the swap. A parked directory's run files and
    // marker (this node's own, of an earlier attempt) are rewritten in place: ext4 flushes a file
    // truncated to 0 and rewritten (or renamed over) at close (auto_da_alloc, ~1 ms each), and an
    // unlink took 0.3-4 ms each under load (strace -T); a rewrite without truncation costs neither.
    const inPlace = from !== tmp;
    const sizes = new Map<string, number>();
    writeRunFiles((name, text, mode) => sizes.set(name, writeRunFile(join(from!, name), text, mode, inPlace).size));
    if (inPlace) for (const f of RUN_FILES) if (!sizes.has(f)) unlinkIfThere(join(from, f)); // not this node's kind of file
    // The run files were written for this attempt: the marker lists them with their sizes now.
    const outputs = marker.outputs.map((o) => {
      const size = RUN_FILES.has(o.path) ? sizes.get(o.path) : undefined;
      return size !== undefined ? { ...o, size } : o;
    });
    const restored: Marker = { ...marker, outputs, restoredFrom: e.builtAt };
    const markerStat = writeRunFile(join(from, MARKER_FILE), markerText(restored), undefined, inPlace);
    moveAside(cache, dir, outdir, label);
    swapIntoPlace(from, dir, outdir);
    return ok({ marker: restored, builtAt: e.builtAt, outputs: restoredOutputs(restored, e.files, stamps, markerStat) });
  } catch (err) {
    return fail({ file: dir, object: label, reason: `cannot restore from the cache: ${(err as Error).message}` });
  } finally {
    if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  }
}

/** statOutputs's answer for a restored directory, from the stamps of the entry's files (null: a listed file not among them). */
function restoredOutputs(m: Marker, files: ReadonlyArray<{ path: string }>, stamps: readonly FileStamp[], marker: { size: number; mtimeMs: number }): OutputRecord[] | null {
  if (stamps.length !== files.length) return null;
  const byPath = new Map(files.map((f, i) => [f.path, stamps[i]!]));
  const out: OutputRecord[] = [];
  for (const o of m.outputs) {
    if (RUN_FILES.has(o.path) || o.path === MARKER_FILE) continue;
    const st = byPath.get(o.path);
    if (st === undefined) return null;
    out.push({ path: o.path, size: st.size, mtimeMs: msOfNs(BigInt(st.mtimeNs)) });
  }
  out.push({ path: MARKER_FILE, size: marker.size, mtimeMs: marker.mtimeMs });
  return out;
}

/** A stat's mtimeMs from its nanoseconds, as Node computes it (sec * 1e3 + nsec / 1e6): records compare it exactly. */
function msOfNs(ns: bigint): number {
  return Number(ns / 1_000_000_000n) * 1e3 + Number(ns % 1_000_000_000n) / 1e6;
}

/**
 * Writes `text` to `path`; returns its size and mtime as a stat of it would. `inPlace`: over the
 * file there (if it is one with no other link), without truncating it to 0 first, else as a new file.
 */
function writeRunFile(path: string, text: string, mode: number | undefined, inPlace: boolean): { size: number; mtimeMs: number } {
  const bytes = Buffer.from(text);
  let fd = -1;
  if (inPlace) {
    try {
      fd = openSync(path, 'r+');
      const st = fstatSync(fd);
      if (!st.isFile() || st.nlink !== 1) {
        closeSync(fd);
        fd = -1;
        unlinkSync(path);
      }
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      fd = -1;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const fresh = fd < 0;
  if (fresh) fd = openSync(path, 'w', mode);
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    if (!fresh) {
      ftruncateSync(fd, bytes.length); // a shorter text: to its length, never through 0
      if (mode !== undefined) fchmodSync(fd, mode);
    }
    const st = fstatSync(fd);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** What a parked directory holds besides the entry's files: this node's run files and marker, rewritten before it is used. */
const PARKED_EXTRA: ReadonlySet<string> = new Set([...RUN_FILES, MARKER_FILE]);
