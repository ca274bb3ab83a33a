// `heppy check`'s verdicts on what it was given: chunk directories as given, and Outdirs judged
// against their recorded plan (plan-view.ts): planned chunks and merges that are missing are bad,
// chunk and merged directories the plan does not name are stale (listed, not judged, never merged).
import { dirname, resolve } from 'node:path';
import { checkChunks, type ChunkVerdict } from './index.js';
import { checkMerged, type MergedVerdict } from './merged-check.js';
import { classifyDir, discoverChunkDirs } from './discover.js';
import { missingChunkVerdict, missingMergedVerdict, Plans, sortByPlan } from './plan-view.js';
import type { RootProbe } from './root-probe.js';
import { verifyDigests } from './verify-digests.js';
import { recordedFailures, recordedLine, type RecordedFailure } from './recorded-failures.js';

export interface Judgement {
  verdicts: ChunkVerdict[];
  merged: MergedVerdict[];
  /** Chunk and merged directories not in their Outdir's recorded plan (an earlier split, a removed component). */
  stale: string[];
  /** --verify: the good directories whose digests are not recorded (no cache entry): not verified. */
  unverified?: string[];
}

export async function judge(args: readonly string[], probe: RootProbe, verify = false): Promise<Judgement> {
  const found = discoverChunkDirs([...args]);
  const scanned = args.map((a) => resolve(a)).filter((d) => classifyDir(d) === 'other');
  const plans = new Plans();
  const sorted = sortByPlan(found.chunks, scanned, plans, found.merged);
  const verdicts = [...await checkChunks(sorted.chunks, { probe, plannedKey: (d) => plans.keyOf(d) }), ...sorted.missingChunks.map(missingChunkVerdict)];
  await addRecorded(verdicts, plans);
  const merged: MergedVerdict[] = [];
  for (const d of sorted.merged) merged.push(await checkMerged(d, { probe, plannedChunks: (x) => plans.chunksOf(x) }));
  for (const d of sorted.missingMerged) merged.push(missingMergedVerdict(d, plans.chunksOf(d) ?? []));
  if (!verify) return { verdicts, merged, stale: sorted.stale };
  return { verdicts, merged, stale: sorted.stale, unverified: await verifyAll(verdicts, merged) };
}

/**
 * A planned chunk that is bad with no failure of its own (no marker: a batch job that ended without
 * writing it) gets the failure its build recorded in the store, first: why, not only what is missing.
 */
async function addRecorded(verdicts: ChunkVerdict[], plans: Plans): Promise<void> {
  const want = verdicts.filter((v) => !v.good && plans.keyOf(v.dir) !== undefined && !v.problems.some((p) => p.code === 'failed'));
  const byOutdir = new Map<string, Map<string, RecordedFailure>>();
  for (const v of want) {
    const outdir = dirname(v.dir);
    if (!byOutdir.has(outdir)) byOutdir.set(outdir, await recordedFailures(outdir));
    const r = byOutdir.get(outdir)!.get(v.name);
    if (r !== undefined) v.problems.unshift({ code: 'failed', message: recordedLine(r), failure: r.failure });
  }
}

/** --verify: every good directory's result files against their recorded digests; returns those without any. */
async function verifyAll(verdicts: ChunkVerdict[], merged: MergedVerdict[]): Promise<string[]> {
  const memo = new Map<string, string | null>();
  const unverified: string[] = [];
  for (const v of [...verdicts, ...merged]) {
    if (!v.good) continue;
    const d = await verifyDigests(v.dir, undefined, memo);
    if (d.problems === null) unverified.push(v.dir);
    else if (d.problems.length > 0) {
      v.problems.push(...d.problems);
      v.good = false;
    }
  }
  return unverified;
}
