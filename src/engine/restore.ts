// Nodes restored from the output cache instead of run, and successful nodes kept in it. A restore
// is a run that reads nothing but the cache: it is built in a tmp dir (the entry's files linked in,
// this attempt's chunk.json and batchScript.sh, the marker written last) and swapped into place,
// so it appears complete or not at all, exactly as a run would.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { OutputCache } from '../cache/output-cache.js';
import { writeBatchScript } from '../chunkdir/batch-script.js';
import { BATCH_SCRIPT, CHUNK_SPEC_FILE, MARKER_FILE, RUN_FILES, trashRoot } from '../chunkdir/layout.js';
import { parseMarker, readMarker, writeMarker, type Marker } from '../chunkdir/marker.js';
import { writeChunkSpec, type ChunkSpec } from '../chunkdir/spec.js';
import { makeTmpDir, swapIntoPlace } from '../chunkdir/swap.js';
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

const trashMade = new Set<string>();

/** Renames an existing `dir` into the trash (as swapIntoPlace would) and returns where; null when there is none. */
function moveAside(dir: string, outdir: string): string | null {
  if (!existsSync(dir)) return null;
  const root = trashRoot(outdir);
  if (!trashMade.has(root)) {
    mkdirSync(root, { recursive: true });
    trashMade.add(root);
  }
  const trash = join(root, `${basename(dir)}.${randomBytes(4).toString('hex')}`);
  renameSync(dir, trash);
  return trash;
}

export interface Restored {
  marker: Marker;
  builtAt: string;
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
  return restoreInto(cache, outdir, dir, spec.name, spec.key, spec.attempt, (tmp) => {
    writeChunkSpec(tmp, spec);
    writeBatchScript(dir, {}, { attempt: spec.attempt, key: spec.key }, tmp);
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

async function restoreInto(cache: OutputCache, outdir: string, dir: string, label: string, key: string, attempt: number | 'hadd',
  writeRunFiles: (tmp: string) => void, remark: (m: Marker) => Marker | null): Promise<Result<Restored>> {
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
  const tmp = makeTmpDir(outdir, label, attempt);
  try {
    const r = await cache.restoreInto(key, tmp);
    if (!r.ok) return r;
    writeRunFiles(tmp);
    // The run files were written for this attempt: the marker lists them with their sizes now.
    const outputs = marker.outputs.map((o) => (RUN_FILES.has(o.path) && existsSync(join(tmp, o.path)) ? { ...o, size: statSync(join(tmp, o.path)).size } : o));
    const restored: Marker = { ...marker, outputs, restoredFrom: e.builtAt };
    writeMarker(tmp, restored);
    const old = moveAside(dir, outdir);
    swapIntoPlace(tmp, dir, outdir);
    if (old !== null) removing.push(rm(old, { recursive: true, force: true }).catch(() => undefined));
    return ok({ marker: restored, builtAt: e.builtAt });
  } catch (err) {
    return fail({ file: dir, object: label, reason: `cannot restore from the cache: ${(err as Error).message}` });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
