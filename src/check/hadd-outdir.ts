// `heppy hadd Outdir [dest]` as a library: group the chunk directories, check each one, merge the
// good chunks of every component, and report the bad ones with their reason (heppy_hadd silently
// left them out; we name them and the command exits 1).
import { basename, dirname, join } from 'node:path';
import { groupChunkDirs } from '../merge/group.js';
import { mergeComponent, stopRequested, type MergeSummary } from '../merge/merge-component.js';
import type { RootMerger } from '../merge/root-merger.js';
import { checkChunks, type ChunkVerdict } from './index.js';
import { checkMerged } from './merged-check.js';
import { classifyDir } from './discover.js';
import { headerProbe, type RootProbe } from './root-probe.js';
import { missingChunkVerdict, Plans } from './plan-view.js';
import { parseChunkName } from '../chunkdir/layout.js';
import { existsSync } from 'node:fs';
import type { Failure, Result } from '../util/result.js';

export type ComponentOutcome =
  | { component: string; status: 'merged'; nchunks: number; bad: ChunkVerdict[]; summary: MergeSummary }
  | { component: string; status: 'up-to-date'; nchunks: number; bad: ChunkVerdict[]; dir: string; ngood: number }
  | { component: string; status: 'no-good-chunk'; nchunks: number; bad: ChunkVerdict[] }
  | { component: string; status: 'merge-failed'; nchunks: number; bad: ChunkVerdict[]; error: Failure }
  /** Stopped by a signal (heppy hadd's Ctrl-C) while merging: its tmp dir removed, the old merge (if any) left. */
  | { component: string; status: 'interrupted'; nchunks: number; bad: ChunkVerdict[] };

export interface HaddReport {
  src: string;
  dest: string;
  components: ComponentOutcome[];
  skipped: string[];
  /** Chunk directories not in the last build's plan (an earlier split): never merged. */
  stale: string[];
  /** Set when a signal stopped the hadd: the components not reached (neither judged nor merged). */
  notStarted?: string[];
}

export interface HaddOptions {
  probe?: RootProbe;
  rootMerger?: RootMerger;
  onWarning?: (message: string) => void;
  /** Merge even when the merged directory already holds exactly these chunks, unchanged. */
  force?: boolean;
  /** Called before each component's merge starts (progress on long merges). */
  onComponent?: (component: string, good: number, total: number) => void;
  /** Ctrl-C/SIGTERM: stops between components and between a merge's files (nothing half-written stays). */
  signal?: AbortSignal;
}

/** A component's outcome from its merge's result: a failure after the signal is the interruption, not an error. */
export function mergeOutcome(base: { component: string; nchunks: number; bad: ChunkVerdict[] }, r: Result<MergeSummary>, signal: AbortSignal | undefined): ComponentOutcome {
  if (r.ok) return { ...base, status: 'merged', summary: r.value };
  return signal?.aborted ? { ...base, status: 'interrupted' } : { ...base, status: 'merge-failed', error: r.error };
}

async function isCurrent(target: string, good: string[], plans: Plans): Promise<boolean> {
  if (classifyDir(target) !== 'merged') return false;
  const v = await checkMerged(target, { probe: headerProbe, plannedChunks: (d) => plans.chunksOf(d) });
  const names = good.map((d) => basename(d));
  // A merge that left bad chunks out is current if it holds exactly today's good chunks.
  const ok = v.problems.every((p) => p.code === 'partial');
  return ok && v.chunks.length === names.length && v.chunks.every((c, i) => c === names[i]) && v.chunksDir === dirname(good[0]!);
}

export async function haddOutdir(src: string, dest: string, opts: HaddOptions = {}): Promise<HaddReport> {
  const { groups, skipped } = groupChunkDirs(src);
  const components: ComponentOutcome[] = [];
  // With a recorded plan, a component is exactly its planned chunks: missing ones are bad, others stale.
  const plans = new Plans();
  const view = plans.of(src);
  const stale: string[] = [];
  if (view) {
    for (const g of groups) {
      stale.push(...g.chunks.filter((c) => !view.chunkKeys.has(c.dir)).map((c) => c.dir));
      g.chunks = g.chunks.filter((c) => view.chunkKeys.has(c.dir));
    }
  }
  for (const [i, g] of groups.entries()) {
    if (await stopRequested(opts.signal)) return { src, dest, components, skipped: skipped.map((s) => join(src, s)), stale, notStarted: groups.slice(i).map((x) => x.component) };
    const dirs = g.chunks.map((c) => c.dir);
    const missing = view ? [...view.chunkKeys.keys()].filter((d) => parseChunkName(basename(d))?.component === g.component && !existsSync(d)) : [];
    if (dirs.length === 0 && missing.length === 0) continue;
    const verdicts = [...await checkChunks(dirs, { probe: opts.probe, plannedKey: (d) => plans.keyOf(d) }), ...missing.map(missingChunkVerdict)];
    const good = verdicts.filter((v) => v.good).map((v) => v.dir);
    const bad = verdicts.filter((v) => !v.good);
    const base = { component: g.component, nchunks: verdicts.length, bad };
    if (good.length === 0) {
      components.push({ ...base, status: 'no-good-chunk' });
      continue;
    }
    // Unchanged work is not redone: the same good chunks, none re-run, the outputs intact.
    const target = join(dest, g.component);
    if (!opts.force && await isCurrent(target, good, plans)) {
      components.push({ ...base, status: 'up-to-date', dir: target, ngood: good.length });
      continue;
    }
    opts.onComponent?.(g.component, good.length, dirs.length);
    const r = await mergeComponent(src, g.component, good, {
      dest, nfiles: verdicts.length, rootMerger: opts.rootMerger, onWarning: opts.onWarning, signal: opts.signal,
    });
    components.push(mergeOutcome(base, r, opts.signal));
  }
  return { src, dest, components, skipped: skipped.map((s) => join(src, s)), stale };
}
