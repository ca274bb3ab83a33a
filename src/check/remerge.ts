// After `heppy check --resubmit`, merged components that are out of date (or damaged) are merged
// again from their chunks, when every chunk of the component is now good.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { checkChunks, type ChunkVerdict } from './index.js';
import type { MergedVerdict } from './merged-check.js';
import type { RootProbe } from './root-probe.js';
import { groupChunkDirs } from '../merge/group.js';
import { mergeComponent } from '../merge/merge-component.js';
import { formatFailure } from '../util/result.js';

export interface RemergeResult {
  dir: string;
  status: 'merged' | 'not-merged';
  detail: string;
}

export async function remergeBad(merged: MergedVerdict[], known: ChunkVerdict[], opts: { probe?: RootProbe } = {}): Promise<RemergeResult[]> {
  const byDir = new Map(known.map((v) => [v.dir, v]));
  const out: RemergeResult[] = [];
  for (const m of merged.filter((x) => !x.good)) {
    const outdir = m.chunksDir;
    const group = existsSync(outdir) ? groupChunkDirs(outdir).groups.find((g) => g.component === m.component) : undefined;
    const dirs = group ? group.chunks.map((c) => c.dir) : [];
    if (dirs.length === 0) {
      out.push({ dir: m.dir, status: 'not-merged', detail: 'no chunk directory of this component is left' });
      continue;
    }
    const unknown = dirs.filter((d) => !byDir.has(d));
    for (const v of await checkChunks(unknown, opts)) byDir.set(v.dir, v);
    const bad = dirs.filter((d) => !byDir.get(d)!.good);
    if (bad.length > 0) {
      out.push({ dir: m.dir, status: 'not-merged', detail: `${bad.length} of ${dirs.length} chunks are still bad (${bad.map((d) => basename(d)).join(', ')})` });
      continue;
    }
    const r = await mergeComponent(outdir, m.component, dirs, { nfiles: dirs.length, dest: dirname(m.dir) });
    out.push(r.ok
      ? { dir: m.dir, status: 'merged', detail: `${dirs.length} of ${dirs.length} chunks` }
      : { dir: m.dir, status: 'not-merged', detail: formatFailure(r.error) });
  }
  return out;
}
