// After `heppy check --resubmit`, merged components that are out of date (or damaged) are merged
// again from their chunks, and missing ones merged, when every chunk of the component is now good.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseChunkName } from '../chunkdir/layout.js';
import { checkChunks, type ChunkVerdict } from '../check/index.js';
import type { MergedVerdict } from '../check/merged-check.js';
import type { RootProbe } from '../check/root-probe.js';
import { groupChunkDirs } from '../merge/group.js';
import { mergeComponent } from '../merge/merge-component.js';
import { formatFailure } from '../util/result.js';

export interface RemergeResult {
  dir: string;
  status: 'merged' | 'not-merged';
  detail: string;
}

/** A component to merge: its chunks in `chunksDir`, the merged directory at `dir`. */
interface Target { dir: string; component: string; chunksDir: string }

async function mergeIfAllGood(t: Target, byDir: Map<string, ChunkVerdict>, probe: RootProbe | undefined): Promise<RemergeResult> {
  const group = existsSync(t.chunksDir) ? groupChunkDirs(t.chunksDir).groups.find((g) => g.component === t.component) : undefined;
  const dirs = group ? group.chunks.map((c) => c.dir) : [];
  if (dirs.length === 0) return { dir: t.dir, status: 'not-merged', detail: 'no chunk directory of this component is left' };
  const unknown = dirs.filter((d) => !byDir.has(d));
  for (const v of await checkChunks(unknown, probe ? { probe } : {})) byDir.set(v.dir, v);
  const bad = dirs.filter((d) => !byDir.get(d)!.good);
  if (bad.length > 0) {
    return { dir: t.dir, status: 'not-merged', detail: `${bad.length} of ${dirs.length} chunks are still bad (${bad.map((d) => basename(d)).join(', ')})` };
  }
  const r = await mergeComponent(t.chunksDir, t.component, dirs, { nfiles: dirs.length, dest: dirname(t.dir) });
  return r.ok
    ? { dir: t.dir, status: 'merged', detail: `${dirs.length} of ${dirs.length} chunks` }
    : { dir: t.dir, status: 'not-merged', detail: formatFailure(r.error) };
}

/**
 * Merges again every bad (out-of-date, partial, damaged) merged component, and merges for the
 * first time the components of `rerun` chunks that have no merged directory yet (the build did
 * not merge them because of those chunks), each only when all its chunks are good.
 */
export async function remergeBad(merged: MergedVerdict[], known: ChunkVerdict[], opts: { probe?: RootProbe; rerun?: string[] } = {}): Promise<RemergeResult[]> {
  const byDir = new Map(known.map((v) => [v.dir, v]));
  const targets = new Map<string, Target>();
  for (const m of merged.filter((x) => !x.good)) targets.set(m.dir, { dir: m.dir, component: m.component, chunksDir: m.chunksDir });
  for (const d of opts.rerun ?? []) {
    const p = parseChunkName(basename(d));
    if (!p) continue; // an unsplit component is its own result
    const dir = join(dirname(d), p.component);
    if (!targets.has(dir) && !existsSync(dir)) targets.set(dir, { dir, component: p.component, chunksDir: dirname(d) });
  }
  const out: RemergeResult[] = [];
  for (const t of targets.values()) out.push(await mergeIfAllGood(t, byDir, opts.probe));
  return out;
}
