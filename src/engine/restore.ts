// Nodes restored from the output cache instead of run, and successful nodes kept in it. A restore
// is a run that reads nothing but the cache: it is built in a tmp dir (the entry's files linked in,
// this attempt's chunk.json and batchScript.sh, the marker written last) and swapped into place,
// so it appears complete or not at all, exactly as a run would.
//
// The directory a restore replaces (the other configuration's result, whose files are the inodes
// of its own cache entry) is parked, not removed: Outdir/.heppy/parked/<label>.<key>, one per node.
// Switching an option back and forth then restores by renaming the parked directory back, after
// checking that it holds exactly the entry's files as the very inodes the entry stores (and the
// entry itself, as always): no link per file, no unlink per file of the replaced one. Parking and
// discarding: restore-park.ts; the run files written and the outputs reported: restore-files.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FileStamp, OutputCache } from '../cache/output-cache.js';
import { batchScriptText } from '../chunkdir/batch-script.js';
import { BATCH_SCRIPT, CHUNK_SPEC_FILE, ensureBatchPaths, MARKER_FILE, RUN_FILES } from '../chunkdir/layout.js';
import { markerText, parseMarker, readMarker, type Marker } from '../chunkdir/marker.js';
import { chunkSpecText, type ChunkSpec } from '../chunkdir/spec.js';
import { makeTmpDir, swapIntoPlace } from '../chunkdir/swap.js';
import { discard, moveAside, takeParked } from './restore-park.js';
import { restoredOutputs, unlinkIfThere, writeRunFile, writeRunFileSized } from './restore-files.js';
import type { OutputRecord } from '../store/records.js';
import { fail, ok, type Result } from '../util/result.js';
import { statNumbers } from '../util/stat-numbers.js';

export { replacedRemoved } from './restore-park.js';

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

/**
 * The chunk `spec.name` restored into `dir` for `spec.key` and `spec.attempt`; a Failure when the
 * entry is absent or damaged. `replacedKey`: the key of `dir`'s ok marker as the caller just read
 * it (null: none), else it is read here.
 */
export async function restoreChunk(cache: OutputCache, outdir: string, dir: string, spec: ChunkSpec, replacedKey?: string | null): Promise<Result<Restored>> {
  return restoreInto(cache, outdir, dir, spec.name, spec.key, spec.attempt, replacedKey, (write) => {
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
  return restoreInto(cache, outdir, dir, id.replace(/[:/]/g, '_'), key, 'hadd', undefined, () => undefined, (m) => {
    if (m.kind !== 'hadd') return null;
    // The build merges the chunks of its own Outdir: the entry may come from another Outdir's build.
    const chunksDir = outdir;
    const sources = m.sources === null ? null : m.sources.map((s) => {
      if (s.file === '') return s;
      try {
        const st = statNumbers(join(chunksDir, s.chunk, s.file)); // statSync's numbers, without its Stats
        return st === undefined ? s : { ...s, size: st.size, mtimeMs: st.mtimeMs };
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

async function restoreInto(cache: OutputCache, outdir: string, dir: string, label: string, key: string, attempt: number | 'hadd', replacedKey: string | null | undefined,
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
    writeRunFiles((name, text, mode) => sizes.set(name, writeRunFileSized(join(from!, name), text, mode, inPlace)));
    if (inPlace) for (const f of RUN_FILES) if (!sizes.has(f)) unlinkIfThere(join(from, f)); // not this node's kind of file
    // The run files were written for this attempt: the marker lists them with their sizes now.
    const outputs = marker.outputs.map((o) => {
      const size = RUN_FILES.has(o.path) ? sizes.get(o.path) : undefined;
      return size !== undefined ? { ...o, size } : o;
    });
    const restored: Marker = { ...marker, outputs, restoredFrom: e.builtAt };
    const markerStat = writeRunFile(join(from, MARKER_FILE), markerText(restored), undefined, inPlace);
    moveAside(cache, dir, outdir, label, replacedKey);
    swapIntoPlace(from, dir, outdir);
    return ok({ marker: restored, builtAt: e.builtAt, outputs: restoredOutputs(restored, e.files, stamps, markerStat) });
  } catch (err) {
    return fail({ file: dir, object: label, reason: `cannot restore from the cache: ${(err as Error).message}` });
  } finally {
    if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  }
}

/** What a parked directory holds besides the entry's files: this node's run files and marker, rewritten before it is used. */
const PARKED_EXTRA: ReadonlySet<string> = new Set([...RUN_FILES, MARKER_FILE]);
