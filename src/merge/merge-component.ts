// mergeComponent: the hadd of one component. Merges the given (good) chunk directories into
// Outdir/<component>/ built in a tmp dir and swapped into place, with processing.yaml and a
// `kind:'hadd'` marker written last. The build's hadd node and `heppy hadd` both call this.
// A component's final merge over merges (the top of a merge tree) takes trees and copied files from
// them but adds histograms, counters and averages from the chunks under them, in chunk order: the
// sums are then those of a flat merge bit for bit (floating-point addition is not associative).
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { planMerge, type FileAction } from './plan.js';
import { processingYaml } from './processing.js';
import { defaultRootMerger, mergeInGroups, type RootMerger } from './root-merger.js';
import { CHUNK_SPEC_FILE, LOG_FILE, MARKER_FILE } from '../chunkdir/layout.js';
import { readMarker, writeMarker, type HaddMarker, type MarkerOutput, type SourceRecord } from '../chunkdir/marker.js';
import { makeTmpDir, swapIntoPlace } from '../chunkdir/swap.js';
import { sumStatFiles } from '../stats/index.js';
import { assertNever, fail, ok, type Result } from '../util/result.js';
import { errnoOf } from '../util/environment-error.js';

export interface MergeOptions {
  /** All chunks of the component, good or not (processing.yaml's nfiles). Default: chunkDirs.length. */
  nfiles?: number;
  /** The hadd node's key, recorded in the marker. */
  key?: string;
  /** Where the merged directory goes (heppy_hadd's dest). Default: outdir. */
  dest?: string;
  rootMerger?: RootMerger;
  onWarning?: (message: string) => void;
  /**
   * Where the merge is written (absolute), for a node of a merge tree under Outdir/.heppy/merge/;
   * default dest/<component>. Its inputs may then be merges themselves (see composeInputs).
   */
  target?: string;
  /**
   * The build's records of chunks (by absolute directory): their result files with size and mtime,
   * the marker among them. A chunk listed here is not listed, stat-ed nor its marker read again by
   * the merge (the build checked them when it ran or found them up to date); anything else is read.
   */
  listings?: ReadonlyMap<string, ChunkListing>;
  /**
   * Stops the merge between files (heppy hadd's Ctrl-C): the event loop gets a turn before each,
   * so the signal's handler runs, and an aborted merge ends as a failure with its tmp dir removed.
   */
  signal?: AbortSignal;
}

/** One turn of the event loop: a signal handler waiting behind synchronous merge work runs now. */
export const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Before a component or a merged file: a turn of the event loop (a pending signal's handler runs), then whether to stop. */
export async function stopRequested(signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) return false;
  await nextTurn();
  return signal.aborted;
}

/** A chunk's result files as the build recorded them (chunkdir/results.ts statOutputs). */
export type ChunkListing = ReadonlyArray<{ path: string; size: number; mtimeMs: number }>;

export interface MergeSummary {
  component: string;
  dir: string;
  chunks: string[];
  nfiles: number;
  ngoodfiles: number;
  outputs: MarkerOutput[];
  warnings: string[];
}

/** Where a file's sums come from: its inputs' chunks that have it, in chunk order (undefined: the inputs). */
type SumsOf = (rel: string, inputs: string[]) => string[] | undefined;

async function applyAction(a: FileAction, chunkDirs: string[], tmp: string, merger: RootMerger, warn: (m: string) => void, sumsOf: SumsOf, signal?: AbortSignal): Promise<Result<string[]>> {
  const inputs = chunkDirs.map((d) => join(d, a.rel));
  const out = join(tmp, a.rel);
  switch (a.kind) {
    case 'skip':
      return ok([]);
    case 'copy':
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(inputs[0]!, out);
      return ok([a.rel]);
    case 'root': {
      mkdirSync(dirname(out), { recursive: true });
      const sums = sumsOf(a.rel, chunkDirs);
      // One chunk: the merge is the file itself, byte for byte.
      if (inputs.length === 1 && (sums === undefined || sums.length === 1)) {
        copyFileSync(inputs[0]!, out);
        return ok([a.rel]);
      }
      const r = await mergeInGroups(merger, out, inputs, { onWarning: (m) => warn(`${a.rel}: ${m}`), ...(sums ? { sumsFrom: sums } : {}), ...(signal ? { signal } : {}) });
      return r.ok ? ok([a.rel]) : fail({ ...r.error, file: r.error.file ?? a.rel });
    }
    case 'stat': {
      const s = sumStatFiles(sumsOf(a.rel, chunkDirs) ?? inputs);
      if (!s.ok) return s;
      mkdirSync(dirname(out), { recursive: true });
      // Written under the chunk's file name (not the stat's name) so the layout mirrors the chunks.
      const base = a.rel.slice(0, -'.json'.length);
      writeFileSync(join(tmp, base + '.txt'), s.value.fileText());
      writeFileSync(join(tmp, base + '.json'), JSON.stringify(s.value.toJSON()) + '\n');
      return ok([base + '.txt', base + '.json']);
    }
    default:
      return assertNever(a, 'file action');
  }
}

/** The chunk's marker as the merge saw it, so that a later re-run of the chunk shows (heppy check). */
export function sourceRecord(dir: string, chunk = basename(dir), listing?: ChunkListing): SourceRecord {
  const m = listing?.find((f) => f.path === MARKER_FILE);
  if (m !== undefined) return { chunk, file: MARKER_FILE, size: m.size, mtimeMs: m.mtimeMs };
  for (const file of [MARKER_FILE, LOG_FILE]) {
    const st = statSync(join(dir, file), { throwIfNoEntry: false });
    if (st) return { chunk, file, size: st.size, mtimeMs: st.mtimeMs };
  }
  return { chunk, file: '', size: 0, mtimeMs: 0 };
}

/** What a merge records about the chunks under it: their names, their markers as seen, where they are. */
interface Provenance {
  chunks: string[];
  sources: SourceRecord[] | null;
  chunksDir: string;
  /** Per input, the chunk directories under it (absolute, chunk order); null for a chunk input. */
  under: Array<string[] | null>;
}

/**
 * The chunks under the inputs: a chunk directory is itself (its marker as seen now); an input that
 * is a merge (a node of a merge tree) brings the chunks, sources and chunksDir its marker records,
 * so that every level, and the component's final merge, names every chunk as a flat merge does.
 */
function composeInputs(inputs: readonly string[], listing: (dir: string) => ChunkListing | undefined): Result<Provenance> {
  // A recorded chunk is a chunk (not a merge): its marker is not read.
  const markers = inputs.map((d) => (listing(d) !== undefined ? null : readMarker(d)));
  const mergeOf = (i: number): HaddMarker | null => {
    const m = markers[i];
    if (m === null || m === undefined) return null;
    return m.ok && m.value?.kind === 'hadd' ? m.value : null;
  };
  // Chunks are named relative to the first one's directory: their names, unless explicit
  // directories (`heppy hadd DIR…`) came from several places.
  const chunksDir = mergeOf(0)?.chunksDir ?? dirname(resolve(inputs[0]!));
  const chunks: string[] = [];
  const under: Array<string[] | null> = [];
  let sources: SourceRecord[] | null = [];
  for (const [i, d] of inputs.entries()) {
    const m = mergeOf(i);
    if (m !== null) {
      if (m.status !== 'ok') return fail({ file: d, reason: 'an input merge is not ok' });
      chunks.push(...m.chunks);
      const base = m.chunksDir ?? chunksDir;
      under.push(m.chunks.map((c) => resolve(base, c)));
      sources = sources === null || m.sources === null ? null : [...sources, ...m.sources];
    } else {
      const name = relative(chunksDir, resolve(d));
      chunks.push(name);
      under.push(null);
      sources?.push(sourceRecord(d, name, listing(d)));
    }
  }
  return ok({ chunks, sources, chunksDir, under });
}

/**
 * For a final merge over merges: where each file's sums come from (the chunks under the inputs that
 * have it, in chunk order), after checking that every chunk is still the one its merge read (its
 * marker as the merge recorded it), so that the sums and the trees are of the same chunks.
 */
function chunkSums(inputs: readonly string[], from: Provenance, listing: (dir: string) => ChunkListing | undefined): Result<SumsOf | undefined> {
  if (from.under.every((u) => u === null)) return ok(undefined);
  const byInput = new Map(inputs.map((d, i) => [d, from.under[i] ?? [resolve(d)]] as const));
  const seen = new Map((from.sources ?? []).map((s) => [resolve(from.chunksDir, s.chunk), s] as const));
  for (const [i, u] of from.under.entries()) {
    for (const c of u ?? []) {
      const rec = listing(c);
      const was = seen.get(c), now = sourceRecord(c, basename(c), rec);
      if (rec === undefined && !statSync(c, { throwIfNoEntry: false })?.isDirectory()) return fail({ file: c, reason: `chunk directory under ${inputs[i]!} is gone` });
      if (was !== undefined && (was.file !== now.file || was.size !== now.size || was.mtimeMs !== now.mtimeMs)) {
        return fail({ file: c, reason: `chunk changed since ${inputs[i]!} merged it (its ${was.file || 'marker'} differs)` });
      }
    }
  }
  const has = (c: string, rel: string): boolean => {
    const rec = listing(c);
    return rec !== undefined ? rec.some((f) => f.path === rel) : existsSync(join(c, rel));
  };
  return ok((rel, dirs) => dirs.flatMap((d) => byInput.get(d) ?? [resolve(d)]).filter((c) => has(c, rel)).map((c) => join(c, rel)));
}

/** Never replaced by a merge: an unsplit component's own run lives at Outdir/<comp>. */
function isChunkDir(target: string): boolean {
  if (!existsSync(target)) return false;
  const m = readMarker(target);
  return (m.ok && m.value?.kind === 'chunk') || existsSync(join(target, CHUNK_SPEC_FILE));
}

export async function mergeComponent(outdir: string, component: string, chunkDirs: string[], opts: MergeOptions = {}): Promise<Result<MergeSummary>> {
  const dest = opts.dest ?? outdir;
  const target = opts.target ?? join(dest, component);
  const warnings: string[] = [];
  const warn = (m: string): void => { warnings.push(m); opts.onWarning?.(m); };
  const startedAt = Date.now();
  if (chunkDirs.length === 0) return fail({ object: component, reason: 'no good chunk to merge' });
  const listing = (dir: string): ChunkListing | undefined => opts.listings?.get(resolve(dir));
  for (const d of chunkDirs) {
    if (listing(d) === undefined && !statSync(d, { throwIfNoEntry: false })?.isDirectory()) return fail({ file: d, object: component, reason: 'chunk directory does not exist' });
  }
  if (isChunkDir(target)) return fail({ file: target, object: component, reason: 'refusing to replace it: it is a chunk directory, not a merged component' });

  const from = composeInputs(chunkDirs, listing);
  if (!from.ok) return fail({ ...from.error, object: component });
  const plan = planMerge(chunkDirs, (d) => listing(d)?.map((f) => f.path));
  if (!plan.ok) return fail({ ...plan.error, object: component });
  // Only the component's final merge needs a flat merge's sums: intermediates add their inputs.
  const sumsOf = resolve(target) === resolve(dest, component) ? chunkSums(chunkDirs, from.value, listing) : ok(undefined);
  if (!sumsOf.ok) return fail({ ...sumsOf.error, object: component });
  for (const n of plan.value.notes) warn(n);
  const pickles = plan.value.files.filter((f) => f.action.rel.endsWith('.pck')).map((f) => f.action.rel);
  if (pickles.length > 0) warn(`heppy's pickled counters/averages are not merged (no JSON sidecar): ${pickles.join(', ')}`);

  mkdirSync(dest, { recursive: true });
  const tmp = makeTmpDir(dest, basename(target) === component ? component : `${component}_${basename(target)}`, 'hadd');
  const merger = opts.rootMerger ?? defaultRootMerger;
  try {
    const written: string[] = [];
    for (const f of plan.value.files) {
      if (await stopRequested(opts.signal)) return fail({ file: target, object: component, reason: 'interrupted: nothing written' });
      const r = await applyAction(f.action, f.from, tmp, merger, warn, sumsOf.value ?? (() => undefined), opts.signal);
      if (!r.ok) return fail({ ...r.error, object: r.error.object ? `${component}: ${r.error.object}` : component });
      written.push(...r.value);
    }
    const { chunks, sources, chunksDir } = from.value;
    const nfiles = opts.nfiles ?? chunks.length;
    writeFileSync(join(tmp, 'processing.yaml'), processingYaml(nfiles, chunks.length));
    written.push('processing.yaml');
    const outputs = written.sort().map((path) => ({ path, size: statSync(join(tmp, path)).size }));
    const marker: HaddMarker = {
      status: 'ok', kind: 'hadd', key: opts.key ?? '', component, chunks, nfiles, ngoodfiles: chunks.length,
      outputs, sources, chunksDir, warnings, host: hostname(), pid: process.pid, startedAt, finishedAt: Date.now(),
    };
    writeMarker(tmp, marker);
    swapIntoPlace(tmp, target, dest);
    return ok({ component, dir: target, chunks, nfiles, ngoodfiles: chunks.length, outputs, warnings });
  } catch (err) {
    // I/O errors (disk full, permissions) become a failure of this merge, not a crash.
    const errno = errnoOf(err);
    return fail({ file: target, object: component, reason: `merge failed: ${(err as Error).message}`, ...(errno ? { errno } : {}) });
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}
