// `heppy hadd DIR…`: merge chunk directories given explicitly — copied from another Outdir, made by
// the original heppy_loop, or picked by hand — as a first-class path, not the no-plan fallback of
// `heppy hadd Outdir`. Each directory is judged on its own as `heppy check DIR` does (its marker,
// or heppy's log.txt criterion for the legacy layout; no recorded plan is consulted: the user chose
// these directories), grouped by component in the order given, and each component's good chunks
// are merged in that order into dest/<component>/. Bad ones are named with their reason.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseChunkName } from '../chunkdir/layout.js';
import { readChunkSpec } from '../chunkdir/spec.js';
import { mergeComponent, stopRequested } from '../merge/merge-component.js';
import type { RootMerger } from '../merge/root-merger.js';
import { fail, ok, type Result } from '../util/result.js';
import { classifyDir } from './discover.js';
import { checkChunks } from './index.js';
import { mergeOutcome, type ComponentOutcome, type HaddReport } from './hadd-outdir.js';
import type { RootProbe } from './root-probe.js';

export interface ExplicitGroup {
  component: string;
  /** Absolute chunk directories, in the order given. */
  dirs: string[];
}

/**
 * The component of an explicit chunk directory: its chunk.json's, else its `<comp>_Chunk<N>` name.
 * null when neither tells (a directory renamed and without a spec).
 */
export function componentOf(dir: string): string | null {
  const spec = readChunkSpec(dir);
  if (spec.ok) return spec.value.component;
  return parseChunkName(basename(dir))?.component ?? null;
}

/**
 * Validates the arguments (each an existing chunk directory, once; its component known; no two
 * directories of one component with the same name) and groups them by component in the order
 * given. A Failure is a usage error (one line, exit 2).
 */
export function groupExplicitDirs(args: readonly string[]): Result<ExplicitGroup[]> {
  const groups = new Map<string, ExplicitGroup>();
  const seen = new Set<string>();
  for (const a of args) {
    const dir = resolve(a);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return fail({ file: a, reason: 'no such directory' });
    if (classifyDir(dir) !== 'chunk') return fail({ file: a, reason: 'not a chunk directory (no chunk.json, no chunk marker, not named <component>_Chunk<N>): give chunk directories, or one Outdir' });
    if (seen.has(dir)) return fail({ file: a, reason: 'given twice' });
    seen.add(dir);
    const component = componentOf(dir);
    if (component === null) return fail({ file: a, reason: 'cannot tell its component: no readable chunk.json and not named <component>_Chunk<N>' });
    const g = groups.get(component) ?? { component, dirs: [] };
    const twin = g.dirs.find((d) => basename(d) === basename(dir));
    if (twin !== undefined) return fail({ file: a, reason: `a chunk of ${component} with the same name as ${twin}: a merge names its chunks, rename one` });
    g.dirs.push(dir);
    groups.set(component, g);
  }
  return ok([...groups.values()]);
}

/** Where the merges go by default: the directory holding every given chunk (null when they are in several). */
export function commonParent(groups: readonly ExplicitGroup[]): string | null {
  const parents = new Set(groups.flatMap((g) => g.dirs.map((d) => dirname(d))));
  return parents.size === 1 ? [...parents][0]! : null;
}

export interface HaddDirsOptions {
  probe?: RootProbe;
  rootMerger?: RootMerger;
  onWarning?: (message: string) => void;
  onComponent?: (component: string, good: number, total: number) => void;
  signal?: AbortSignal;
}

/** Judges and merges explicit chunk directories (grouped by groupExplicitDirs) into dest/<component>/. */
export async function haddDirs(groups: readonly ExplicitGroup[], dest: string, opts: HaddDirsOptions = {}): Promise<HaddReport> {
  const components: ComponentOutcome[] = [];
  const src = commonParent(groups) ?? dest;
  for (const [i, g] of groups.entries()) {
    if (await stopRequested(opts.signal)) return { src, dest, components, skipped: [], stale: [], notStarted: groups.slice(i).map((x) => x.component) };
    const verdicts = await checkChunks(g.dirs, { ...(opts.probe ? { probe: opts.probe } : {}) });
    const good = verdicts.filter((v) => v.good).map((v) => v.dir);
    const bad = verdicts.filter((v) => !v.good);
    const base = { component: g.component, nchunks: verdicts.length, bad };
    if (good.length === 0) {
      components.push({ ...base, status: 'no-good-chunk' });
      continue;
    }
    opts.onComponent?.(g.component, good.length, g.dirs.length);
    const r = await mergeComponent(dirname(good[0]!), g.component, good, { dest, nfiles: verdicts.length, rootMerger: opts.rootMerger, onWarning: opts.onWarning, signal: opts.signal });
    components.push(mergeOutcome(base, r, opts.signal));
  }
  return { src, dest, components, skipped: [], stale: [] };
}

/** Whether `heppy hadd` was given chunk directories (explicit mode) rather than an Outdir [dest]. */
export function givenChunkDirs(args: readonly string[]): boolean {
  const first = args[0];
  if (first === undefined) return false;
  const d = resolve(first);
  return existsSync(d) && statSync(d).isDirectory() && classifyDir(d) === 'chunk';
}
