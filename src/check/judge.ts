// `heppy check`'s verdicts on what it was given: chunk directories as given, and Outdirs judged
// against their recorded plan (plan-view.ts): planned chunks and merges that are missing are bad,
// chunk and merged directories the plan does not name are stale (listed, not judged, never merged).
import { resolve } from 'node:path';
import { checkChunks, type ChunkVerdict } from './index.js';
import { checkMerged, type MergedVerdict } from './merged-check.js';
import { classifyDir, discoverChunkDirs } from './discover.js';
import { missingChunkVerdict, missingMergedVerdict, Plans, sortByPlan } from './plan-view.js';
import type { RootProbe } from './root-probe.js';

export interface Judgement {
  verdicts: ChunkVerdict[];
  merged: MergedVerdict[];
  /** Chunk and merged directories not in their Outdir's recorded plan (an earlier split, a removed component). */
  stale: string[];
}

export async function judge(args: readonly string[], probe: RootProbe): Promise<Judgement> {
  const found = discoverChunkDirs([...args]);
  const scanned = args.map((a) => resolve(a)).filter((d) => classifyDir(d) === 'other');
  const plans = new Plans();
  const sorted = sortByPlan(found.chunks, scanned, plans, found.merged);
  const verdicts = [...await checkChunks(sorted.chunks, { probe, plannedKey: (d) => plans.keyOf(d) }), ...sorted.missingChunks.map(missingChunkVerdict)];
  const merged: MergedVerdict[] = [];
  for (const d of sorted.merged) merged.push(await checkMerged(d, { probe, plannedChunks: (x) => plans.chunksOf(x) }));
  for (const d of sorted.missingMerged) merged.push(missingMergedVerdict(d, plans.chunksOf(d) ?? []));
  return { verdicts, merged, stale: sorted.stale };
}
