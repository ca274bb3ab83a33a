// The verdict on a merged component directory (a `kind:'hadd'` marker): the merge succeeded, its
// outputs are there with their size and open, it holds every chunk of the component, and no chunk
// was re-run after it (then the merge is out of date: `heppy hadd` or `heppy build` makes it again).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MARKER_FILE, readMarker, type HaddMarker } from '../chunkdir/marker.js';
import { parseChunkName } from './discover.js';
import { defaultProbe, type RootProbe } from './root-probe.js';
import type { Problem } from './chunk-check.js';
import { formatFailure } from '../util/result.js';

export interface MergedVerdict {
  dir: string;
  component: string;
  good: boolean;
  problems: Problem[];
  chunks: string[];
  /** Where this merge's chunks are (its own parent, unless merged into another directory). */
  chunksDir: string;
}

/** Names of the `<component>_Chunk<N>` directories next to the merged directory. */
function siblingChunks(outdir: string, component: string): string[] {
  const out: string[] = [];
  if (!existsSync(outdir)) return out;
  for (const name of readdirSync(outdir)) {
    const p = parseChunkName(name);
    if (p && p.component === component) out.push(name);
  }
  return out.sort((a, b) => parseChunkName(a)!.index - parseChunkName(b)!.index);
}

/**
 * Chunks whose marker is not the one the merge saw. The merge recorded each marker's size and
 * mtime (compared with the same file's own, so clocks of batch nodes do not matter); a merge
 * without that record falls back to comparing mtimes with its own marker.
 */
function changedChunks(dir: string, marker: HaddMarker, outdir: string): string[] {
  if (marker.sources !== null) {
    return marker.sources.filter((s) => {
      const st = s.file === '' ? undefined : statSync(join(outdir, s.chunk, s.file), { throwIfNoEntry: false });
      return st === undefined || st.size !== s.size || st.mtimeMs !== s.mtimeMs;
    }).map((s) => s.chunk);
  }
  const mergedAt = statSync(join(dir, MARKER_FILE)).mtimeMs;
  return marker.chunks.filter((c) => {
    const st = statSync(join(outdir, c, MARKER_FILE), { throwIfNoEntry: false }) ?? statSync(join(outdir, c, 'log.txt'), { throwIfNoEntry: false });
    return st === undefined || st.mtimeMs > mergedAt;
  });
}

/**
 * `plannedChunks`: the chunks the last build planned for this merge (its recorded plan); without a
 * plan, every `<component>_Chunk<N>` directory next to it.
 */
export async function checkMerged(dir: string, opts: { probe?: RootProbe; plannedChunks?: (dir: string) => string[] | undefined } = {}): Promise<MergedVerdict> {
  const probe = opts.probe ?? defaultProbe;
  const component = basename(dir);
  const problems: Problem[] = [];
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.kind !== 'hadd') {
    const why = !m.ok ? formatFailure({ ...m.error, file: undefined }) : 'no hadd marker';
    return { dir, component, good: false, problems: [{ code: 'marker', message: why }], chunks: [], chunksDir: dirname(dir) };
  }
  const marker = m.value;
  if (marker.status !== 'ok') problems.push({ code: 'failed', message: 'the merge failed' });
  for (const o of marker.outputs) {
    const st = statSync(join(dir, o.path), { throwIfNoEntry: false });
    if (!st) problems.push({ code: 'output', file: o.path, message: `output ${o.path} is missing` });
    else if (st.size !== o.size) problems.push({ code: 'output', file: o.path, message: `output ${o.path} has ${st.size} bytes, ${o.size} were written` });
    else if (o.path.endsWith('.root')) {
      const r = await probe(join(dir, o.path));
      if (!r.ok) problems.push({ code: 'root', file: o.path, message: `${o.path}: ${formatFailure({ ...r.error, file: undefined })}` });
    }
  }
  // Complete and current: every chunk of the component is in the merge, none re-run since. The
  // chunks are next to the merge, or where they were when merged into another directory.
  const first = marker.chunks[0];
  const near = first === undefined || existsSync(join(dirname(dir), first));
  const outdir = near || marker.chunksDir === null ? dirname(dir) : marker.chunksDir;
  const all = opts.plannedChunks?.(dir) ?? siblingChunks(outdir, component);
  const missing = all.filter((c) => !marker.chunks.includes(c));
  if (missing.length > 0) problems.push({ code: 'partial', message: `only ${marker.chunks.length} of ${all.length} chunks merged (not: ${missing.join(', ')})` });
  const changed = changedChunks(dir, marker, outdir);
  if (changed.length > 0) problems.push({ code: 'stale', message: `out of date: ${changed.join(', ')} changed or vanished after the merge` });
  return { dir, component, good: problems.length === 0, problems, chunks: marker.chunks, chunksDir: outdir };
}
