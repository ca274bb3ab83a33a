// Judging an Outdir against the plan its last build recorded (Outdir/.heppy/plan.json): the plan is
// the truth of what should exist. A planned chunk or merge without a directory is missing (bad); a
// chunk directory the plan does not name (an earlier split) is stale: reported, never merged; so is a
// merged directory it does not name (a removed or renamed component); a chunk whose marker is for
// another key than the planned one is not the last build's result.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseChunkName } from '../chunkdir/layout.js';
import { plannedChunksOf, plannedDir, readPlanFile, type PlanFile } from '../chunkdir/plan-file.js';
import type { ChunkVerdict } from './chunk-check.js';
import { lockHolder, type LockInfo } from '../store/lock.js';
import { discoverChunkDirs } from './discover.js';
import type { MergedVerdict } from './merged-check.js';

export interface PlanView {
  outdir: string;
  plan: PlanFile;
  /** Planned chunk directory → its planned key. */
  chunkKeys: Map<string, string>;
  /** Planned merged component directory → its planned chunk names, in order (through its merge tree). */
  merges: Map<string, string[]>;
}

/** The recorded plan of an Outdir, or null (none, or unreadable: then the directories are judged as found). */
export function planView(outdir: string): PlanView | null {
  const r = readPlanFile(outdir);
  if (!r.ok || r.value === null) return null;
  const plan = r.value;
  const chunkKeys = new Map<string, string>();
  const merges = new Map<string, string[]>();
  for (const n of plan.nodes) {
    if (n.kind === 'chunk') chunkKeys.set(plannedDir(outdir, n), n.key);
    // A component's final merge holds every chunk under its tree; the intermediate nodes of a merge
    // tree live under .heppy/ and are the build's business (a missing one is rebuilt, not a user's problem).
    else if ((n.level ?? 0) === 0) merges.set(plannedDir(outdir, n), plannedChunksOf(plan, n.id));
  }
  return { outdir, plan, chunkKeys, merges };
}

/** Plans of the Outdirs the directories belong to (each directory's parent), read once each. */
export class Plans {
  private readonly views = new Map<string, PlanView | null>();

  of(outdir: string): PlanView | null {
    if (!this.views.has(outdir)) this.views.set(outdir, planView(outdir));
    return this.views.get(outdir)!;
  }

  /** The planned key of a chunk directory (undefined: no plan, or not a planned chunk). */
  keyOf(dir: string): string | undefined {
    return this.of(dirname(dir))?.chunkKeys.get(dir);
  }

  /** The planned chunks of a merged directory (undefined without a plan). */
  chunksOf(dir: string): string[] | undefined {
    return this.of(dirname(dir))?.merges.get(dir);
  }
}

export interface Sorted {
  /** Chunk directories to judge: planned ones, and every one of an Outdir without a plan. */
  chunks: string[];
  /** Planned chunk directories that do not exist. */
  missingChunks: string[];
  /** Planned merged directories that do not exist. */
  missingMerged: string[];
  /** Merged directories to judge: planned ones, and every one of an Outdir without a plan. */
  merged: string[];
  /** Chunk and merged directories of an Outdir with a plan that the plan does not name. */
  stale: string[];
}

/**
 * Sorts found chunk directories by the plans of the Outdirs `scanned` (the arguments that were
 * Outdirs, not chunk directories): their planned chunks must exist, their other chunk directories
 * are stale. Directories given one by one are judged as given.
 */
export function sortByPlan(found: readonly string[], scanned: readonly string[], plans: Plans, foundMerged: readonly string[] = []): Sorted {
  const out: Sorted = { chunks: [], missingChunks: [], missingMerged: [], merged: [], stale: [] };
  const withPlan = new Set(scanned.filter((o) => plans.of(o) !== null));
  for (const d of found) {
    const o = dirname(d);
    if (withPlan.has(o) && !plans.of(o)!.chunkKeys.has(d)) out.stale.push(d);
    else out.chunks.push(d);
  }
  // A merged component the last build did not plan (removed or renamed since) is not judged: holding
  // chunks of an older split, it would otherwise be "bad" for ever, and check --resubmit would re-merge it.
  for (const d of foundMerged) {
    const o = dirname(d);
    if (withPlan.has(o) && !plans.of(o)!.merges.has(d)) out.stale.push(d);
    else out.merged.push(d);
  }
  for (const o of withPlan) {
    const v = plans.of(o)!;
    for (const d of v.chunkKeys.keys()) if (!existsSync(d)) out.missingChunks.push(d);
    for (const d of v.merges.keys()) if (!existsSync(d)) out.missingMerged.push(d);
  }
  return out;
}

/** A build's global options and -N as they were given: `-o minLeptons=3 -N 1000`, or `no -o options`. */
export function describeBuildFlags(options: Readonly<Record<string, string | boolean>>, maxEvents: number | null): string {
  const o = Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `-o ${k}${v === true ? '' : `=${String(v)}`}`);
  if (maxEvents !== null) o.push(`-N ${maxEvents}`);
  return o.length > 0 ? o.join(' ') : 'no -o options';
}

/**
 * What `heppy check` judges an Outdir against, in one line: the last build's plan, with the options it
 * was made with (a later \`heppy build\` with other options or another heppyfile plans other keys:
 * \`heppy status\` with the same flags says what that build would do). Null without a plan.
 */
export function planLine(outdir: string, shown: string): string | null {
  const v = planView(outdir);
  if (v === null) return null;
  return `${shown}: judged against its last build's plan (${describeBuildFlags(v.plan.options, v.plan.maxEvents)}, planned ${v.plan.createdAt}); ` +
    `\`heppy status\` with the next build's flags says what that build would run`;
}

/**
 * Why the verdicts on `outdir` may be passing ones: a live heppy build (or hadd, check --resubmit)
 * holds its lock, so what it has not finished yet is judged bad. Null when nobody holds it.
 */
export function busyLine(outdir: string, shown: string,
  consequence = 'what it has not finished yet is judged bad; run heppy check again when it is done'): string | null {
  const h = lockHolder(outdir);
  return h === null ? null : holderLine(h, shown, consequence);
}

/** busyLine's text for a holder already read (heppy status shows it in its JSON too). */
export function holderLine(h: LockInfo, shown: string, consequence: string): string {
  return `${shown}: a heppy ${h.command} (pid ${h.pid} on ${h.host}, since ${new Date(h.startedAt).toISOString()}) is writing it: ${consequence}`;
}

/** What `heppy status` adds to busyLine: its "to run" nodes may be queued or running in that build. */
export const STATUS_BUSY = 'nodes it has not finished yet are listed as to run or to restore (they may be queued or running there: ' +
  'do not resubmit them); run heppy status again when it is done';

/**
 * The chunk and merged directories of `outdir` that its recorded plan does not name (what
 * `heppy clean --stale` removes), or null when the Outdir has no readable plan (nothing is known stale).
 */
export function staleDirs(outdir: string): string[] | null {
  const plans = new Plans();
  if (plans.of(outdir) === null) return null;
  const found = discoverChunkDirs([outdir]);
  return sortByPlan(found.chunks, [outdir], plans, found.merged).stale;
}

export function missingChunkVerdict(dir: string): ChunkVerdict {
  return { dir, name: basename(dir), good: false, hasMarker: false, canResubmit: true, eventsProcessed: null, expectedEvents: null, attempt: null,
    problems: [{ code: 'missing', message: 'planned by the last build, but there is no such directory (never run, or its run left nothing)' }] };
}

export function missingMergedVerdict(dir: string, chunks: string[]): MergedVerdict {
  return { dir, component: basename(dir), good: false, chunks: [], chunksDir: dirname(dir),
    problems: [{ code: 'missing', message: `planned by the last build (a merge of ${chunks.length} chunks), but there is no such directory` }] };
}

/** A chunk of a component (by its directory name), for grouping stale directories in messages. */
export function componentOfDir(dir: string): string {
  return parseChunkName(basename(dir))?.component ?? basename(dir);
}

