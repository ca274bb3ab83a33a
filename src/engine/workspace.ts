// Where things are for one build: the heppyfile, the cache (store), the Outdir; heppy's version.
// And the workspace of the commands that act on a build's results without running it (clean,
// cancel): the Outdir (from --outdir or the heppyfile's Config), its store (the one its last
// build recorded in Outdir/.heppy/plan.json, else cache/ next to the heppyfile), the Outdir lock
// taken first, then the store opened (a damaged one moved aside, as for the build).
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadHeppyfile } from '../config/load.js';
import { readPlanFile, type PlanFile } from '../chunkdir/plan-file.js';
import { initHash } from '../fingerprint/hash.js';
import { acquireLock, type Lock } from '../store/lock.js';
import { cacheDirProblem, openFailureError, openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { formatFailure, InfrastructureError, UserError } from '../util/result.js';
import { markFormat, refuseNewer } from '../cache/format.js';

export const heppyVersion: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Paths {
  heppyfile: string;
  cacheDir: string;
}

/** The heppyfile (default ./heppyfile.ts) and the cache dir (default `cache/` next to it). */
export function resolvePaths(file: string | undefined, cacheDir: string | undefined): Paths {
  const heppyfile = resolve(file ?? 'heppyfile.ts');
  return { heppyfile, cacheDir: cacheDir !== undefined ? resolve(cacheDir) : join(dirname(heppyfile), 'cache') };
}

/** `--outdir` (relative to the working directory) wins; else the Config's (relative to the heppyfile); else Outdir. */
export function resolveOutdir(flag: string | undefined, fromConfig: string | null, heppyfile: string): string {
  if (flag !== undefined) return resolve(flag);
  const d = fromConfig ?? 'Outdir';
  return isAbsolute(d) ? d : resolve(dirname(heppyfile), d);
}

/** `-o key=value` / `-o flag` → options (a bare flag is true, as heppy's). */
export function parseOptions(list: readonly string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const o of list) {
    const i = o.indexOf('=');
    if (i < 0) out[o] = true;
    else out[o.slice(0, i)] = o.slice(i + 1);
  }
  return out;
}

export async function defaultOutdir(): Promise<{ dir: string; note?: string }> {
  const paths = resolvePaths(undefined, undefined);
  if (!existsSync(paths.heppyfile)) return { dir: resolve('Outdir') };
  refuseNewer('cache', paths.cacheDir);
  const loaded = await loadHeppyfile(paths.heppyfile, paths.cacheDir, {});
  if (!loaded.ok) {
    // A broken heppyfile must not stop a look at the results: its default Outdir is checked.
    const dir = resolveOutdir(undefined, null, paths.heppyfile);
    // A server down (a remote glob) hides the Config's Outdir too: with no default Outdir there,
    // "no such directory" (exit 2) would blame the user for what is the server's.
    if (loaded.error.kind === 'infrastructure' && !existsSync(dir)) {
      throw new InfrastructureError(`infrastructure: ${formatFailure(loaded.error)}: the heppyfile cannot be loaded to find its Outdir and ${dir} does not exist; name the Outdir (e.g. heppy check DIR)`);
    }
    return { dir, note: `heppyfile not loaded (${formatFailure(loaded.error)}); checking the default Outdir` };
  }
  return { dir: resolveOutdir(undefined, loaded.value.config.outdir, paths.heppyfile) };
}

export interface WorkspaceFlags {
  file?: string;
  cacheDir?: string;
  outdir?: string;
  /** -o options: they may choose the Outdir in the heppyfile. */
  options?: string[];
}

/** Where a build's results are: its Outdir, its store, and the plan its last build recorded (null: none). */
export interface WorkspaceLocation {
  heppyfile: string;
  outdir: string;
  cacheDir: string;
  plan: PlanFile | null;
}

/**
 * The Outdir (`--outdir`, else the heppyfile's Config, loaded) and its store: `--cache-dir`, else
 * the one the Outdir's last build used (its plan.json), else cache/ next to the heppyfile. A bad
 * heppyfile or plan.json is a UserError (one line, exit 2); nothing is written.
 */
export async function locateWorkspace(f: WorkspaceFlags, why: string): Promise<WorkspaceLocation> {
  const paths = resolvePaths(f.file, f.cacheDir);
  let outdir: string;
  if (f.outdir !== undefined) outdir = resolveOutdir(f.outdir, null, paths.heppyfile);
  else {
    refuseNewer('cache', paths.cacheDir);                 // the loader's bundle cache
    await initHash();
    const l = await loadHeppyfile(paths.heppyfile, paths.cacheDir, parseOptions(f.options ?? []));
    if (!l.ok) {
      // A server that did not answer (a remote glob) is not the user's input: exit 3, as build's.
      const line = `${formatFailure(l.error)} (give --outdir to ${why} without loading the heppyfile)`;
      throw l.error.kind === 'infrastructure' ? new InfrastructureError(`infrastructure: ${line}`) : new UserError(line);
    }
    outdir = resolveOutdir(undefined, l.value.config.outdir, paths.heppyfile);
  }
  refuseNewer('outdir', outdir);
  const plan = readPlanFile(outdir);
  if (!plan.ok) throw new UserError(formatFailure(plan.error));
  const cacheDir = f.cacheDir !== undefined ? paths.cacheDir : plan.value?.cacheDir ?? paths.cacheDir;
  refuseNewer('cache', cacheDir);
  return { heppyfile: paths.heppyfile, outdir, cacheDir, plan: plan.value };
}

export interface Workspace extends WorkspaceLocation {
  lock: Lock;
  /** The store, or null when there is none yet (nothing was ever recorded: it is not created). */
  store: Store | null;
  close(): Promise<void>;
}

/**
 * Takes the Outdir lock for `command` (held by a build: a UserError with exit 1 and `busyHint`),
 * then opens the store when it exists (damaged: moved aside with one line on stderr, as the build
 * does). `close()` closes the store and releases the lock.
 */
export function openWorkspace(loc: WorkspaceLocation, command: string, busyHint = ''): Workspace {
  const unusable = existsSync(loc.cacheDir) ? cacheDirProblem(loc.cacheDir) : null;
  if (unusable) throw new UserError(unusable);
  const lock = acquireLock(loc.outdir, command);
  if (!lock.ok) throw new UserError(`${formatFailure(lock.error)}${busyHint}`, 1);
  markFormat('outdir', loc.outdir, heppyVersion);
  let store: Store | null = null;
  if (existsSync(loc.cacheDir)) {
    const opened = openStore(loc.cacheDir, loc.outdir, false);
    if (!opened.ok) {
      lock.value.release();
      throw openFailureError(opened.error);
    }
    if (opened.value.notice) process.stderr.write(opened.value.notice + '\n');
    store = opened.value.store;
    markFormat('cache', loc.cacheDir, heppyVersion);
  }
  const held = lock.value;
  return { ...loc, lock: held, store, close: async () => {
    try {
      await store?.close();
    } finally {
      held.release();
    }
  } };
}
