// hadd: merges ROOT files like ROOT's `hadd`. Every key (name and cycle) of every input is in the
// output: trees of any branch type are concatenated (stored baskets copied without decompressing,
// branches matched by name), histograms (TH1/TH2/TH3 of every precision, TProfile/2D/3D) are added
// with every statistic, directories are merged recursively, and any other object is copied from
// the first file that has it, with the StreamerInfo of its classes. The output is written to a
// temporary file next to `out` and renamed into place only when complete.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RootError } from '../errors.js';
import { RootFileWriter } from '../write/file.js';
import { prepareCompression, type Compression } from '../write/compress.js';
import type { RawRecord } from '../write/streamer-records.js';
import { fail, ok, type Result } from '../../util/result.js';
import { errnoOf } from '../../util/environment-error.js';
import { readRawKeys, Source, type RawKey } from './keys.js';
import { idOf, objectOf, openInput, prepareDecoding, readerOf, writeLookup, type InfoCache, type Input } from './inputs.js';
import { mergeTree } from './tree.js';
import { ADDABLE } from './hist.js';
import { mergeParallel, splitInputs } from './parallel.js';
import type { AppendPolicy } from './in-place.js';
import { appendWhole, placeAppended } from './append-whole.js';
import { copyFirst, sumAcross, sumHolders, writeSum } from './sums.js';
import { mark } from './timing.js';
/** HEPPY_TIMING=1: the merge's phases on stderr (the CLI marks its own start-up with it). */
export { mark } from './timing.js';

export interface MergeOptions {
  force?: boolean;
  skipUnreadable?: boolean;
  onWarning?: (message: string) => void;
  /** Compression of what hadd writes itself (histograms, tree metadata); default: the first input's. */
  compression?: Compression;
  /** Recompress the baskets of inputs whose compression setting differs from `compression` (hadd -f<N>, -ff). */
  recompress?: boolean;
  /** At most this many inputs open at once (hadd -n): more are merged in steps through temporary files. */
  maxOpenFiles?: number;
  /** hadd -j: merge N groups of inputs in parallel (worker threads) into partial files, then those into `out`. */
  jobs?: number;
  /**
   * Which inputs are appended whole to the output (a kernel copy in another process) with their
   * baskets used where they land (in-place.ts): 'auto' those made mostly of tree baskets,
   * 'always' every input holding a tree (tests), 'never' none (every basket copied through user
   * space). Default: DEFAULT_APPEND.
   */
  append?: AppendPolicy;
  /**
   * The files whose histograms are added (in this order, one file open at a time), when `inputs`
   * are partial merges of them: trees and copied objects come from `inputs`, sums from these, so
   * the output equals one merge of these files bit for bit (a sum is not regrouped).
   */
  sumsFrom?: string[];
}

export interface MergeStats {
  inputs: number;
  skipped: string[];
  trees: number;
  entries: number;
  histograms: number;
  copied: number;
  bytes: number;
}


/**
 * 'never': every basket is copied through this process (one read and one positioned write per
 * contiguous run of baskets, into one reused buffer). 'auto' (opt-in) appends inputs of 4 MB or
 * more whole by a kernel copy in another process and uses their baskets there; it saves this
 * process the copy but costs one read and, past the first input, one write per basket key, plus
 * the copy's own CPU: under load 16-20 on the 2 shared cores, 6 x 54 MB (17,600 baskets): 'auto'
 * 0.15x cp wall and 0.66 s CPU, 'never' 0.26x and 0.55 s (mixed trees 0.22x/0.74 s vs
 * 0.26x/0.64 s); its main thread costs about as much as 'never' does in all, so it gains only
 * where a core is idle for the copy, and its output keeps the unused bytes of those inputs.
 * bench/merge.ts measures both.
 */
export const DEFAULT_APPEND: AppendPolicy = 'never';

/** The class name ROOT writes for an RNTuple anchor (rntuple/ is loaded only when one is merged). */
const RNTUPLE_CLASS = 'ROOT::RNTuple';

const TREE = /^(TTree|TNtuple|TNtupleD)$/;
const DIR = /^(TDirectory|TDirectoryFile)$/;

export function compressionOf(setting: number): Compression {
  const alg = Math.floor(setting / 100), level = setting % 100 || 1;
  switch (alg) {
    case 0: return setting === 0 ? { algorithm: 'none' } : { algorithm: 'zlib', level };
    case 1: return { algorithm: 'zlib', level };
    case 4: return { algorithm: 'lz4', level };
    case 5: return { algorithm: 'zstd', level };
    default: return { algorithm: 'zlib', level: 1 }; // LZMA and legacy settings: heppy writes zlib
  }
}


export async function mergeRootFiles(out: string, inputs: string[], opts: MergeOptions = {}): Promise<Result<MergeStats>> {
  // Each partial merge of -j takes at least two inputs; with fewer, one merge does it all.
  const groups = Math.min(opts.jobs ?? 1, Math.floor(inputs.length / 2));
  if (groups >= 2) return mergeJobs(out, inputs, opts, groups);
  const n = opts.maxOpenFiles ?? 0;
  if (n >= 2 && inputs.length > n) return mergeInSteps(out, inputs, opts, n);
  return mergeOnce(out, inputs, opts);
}

/** hadd -j: the output is what a sequential merge gives (same compression, entries in input order). */
async function mergeJobs(out: string, inputs: string[], opts: MergeOptions, jobs: number): Promise<Result<MergeStats>> {
  const warn = opts.onWarning ?? (() => {});
  if (existsSync(out) && !opts.force) return fail({ file: out, reason: 'output file exists (use force / -f to overwrite)' });
  if (inputs.includes(out)) return fail({ file: out, reason: 'output file is also an input' });
  // Unreadable inputs are dropped here (keys read natively), so that no group is left without any.
  const readable: string[] = [], skipped: string[] = [];
  let first: number | null = null;
  for (const p of inputs) {
    let src: Source | null = null;
    try { src = new Source(p); const c = readRawKeys(src).compress; first ??= c; readable.push(p); } catch (e) {
      if (!opts.skipUnreadable) return fail({ file: p, reason: `cannot read input: ${e instanceof RootError ? e.reason : (e as Error).message}` });
      warn(`skipping unreadable input ${e instanceof RootError ? e.message : `${p}: ${(e as Error).message}`}`);
      skipped.push(p);
    } finally { src?.close(); }
  }
  if (first === null) return fail({ file: out, reason: 'no readable input files' });
  const compression = opts.compression ?? compressionOf(first);
  const groups = splitInputs(readable, jobs);
  const partOpts = { skipUnreadable: opts.skipUnreadable ?? false, compression, recompress: opts.recompress ?? false, ...(opts.maxOpenFiles !== undefined ? { maxOpenFiles: opts.maxOpenFiles } : {}) };
  const r = await mergeParallel(out, readable, jobs, partOpts, warn,
    (parts) => mergeOnce(out, parts, { ...opts, compression, force: true, skipUnreadable: false, sumsFrom: opts.sumsFrom ?? readable }));
  if (!r.ok) {
    // A partial file stands for its group of inputs: name those instead.
    const part = (i: number): string => join(dirname(out), `.${basename(out)}.heppy-j${i}-${process.pid}`);
    const label = (g: string[]): string => (g.length === 1 ? g[0]! : `the merge of ${g[0]!} … ${g[g.length - 1]!}`);
    const named = (t: string): string => groups.reduce((acc, g, i) => acc.split(part(i)).join(label(g)), t);
    const e = r.error;
    const gi = groups.findIndex((_, i) => e.file === part(i));
    return fail({ ...e, reason: named(e.reason), ...(gi >= 0 ? { file: groups[gi]![0]!, reason: `${named(e.reason)} (in ${label(groups[gi]!)})` } : {}) });
  }
  return ok({ ...r.value.final, inputs: r.value.inputs, skipped: [...skipped, ...r.value.skipped] });
}

/** hadd -n: the first n inputs, then that partial result with the next n-1, and so on. */
async function mergeInSteps(out: string, inputs: string[], opts: MergeOptions, n: number): Promise<Result<MergeStats>> {
  if (existsSync(out) && !opts.force) return fail({ file: out, reason: 'output file exists (use force / -f to overwrite)' });
  const tmp = (i: number): string => join(dirname(out), `.${basename(out)}.heppy-step${i}-${process.pid}`);
  let prev: string | null = null, step = 0, total: MergeStats | null = null;
  try {
    for (let at = 0; at < inputs.length;) {
      const take = inputs.slice(at, at + (prev === null ? n : n - 1));
      at += take.length;
      const dest = at >= inputs.length ? out : tmp(step++);
      const { sumsFrom, ...rest } = opts;
      const r = await mergeOnce(dest, prev === null ? take : [prev, ...take], { ...rest, force: true, ...(dest === out && sumsFrom ? { sumsFrom } : {}) });
      if (!r.ok) return r;
      if (prev !== null) rmSync(prev, { force: true });
      const s = r.value;
      total = total === null ? { ...s } : { ...s, inputs: total.inputs + take.length, skipped: [...total.skipped, ...s.skipped] };
      prev = dest;
    }
    return ok(total!);
  } finally {
    for (let i = 0; i < step; i++) rmSync(tmp(i), { force: true });
  }
}

type Holder = { inp: Input; key: RawKey };
type Warn = (message: string) => void;
/** What merging one object needs besides the object: the lookup of class versions, the sums of partial merges' inputs. */
interface ObjectMerge { lookup: Awaited<ReturnType<typeof writeLookup>>; sums: Awaited<ReturnType<typeof sumAcross>> | null; recompress: boolean; warn: Warn }

/** Opens the inputs into `opened` (in order); an unreadable one is skipped with a warning (skipUnreadable) or fails the merge. */
async function openInputs(inputs: string[], opened: Input[], stats: MergeStats, opts: MergeOptions, warn: Warn): Promise<Result<void>> {
  const infoCache: InfoCache = new Map();
  for (const p of inputs) {
    try {
      opened.push(await openInput(p, infoCache));
    } catch (e) {
      const why = e instanceof RootError ? e.message : `${p}: ${(e as Error).message}`;
      if (!opts.skipUnreadable) return fail({ file: p, reason: `cannot read input: ${e instanceof RootError ? e.reason : (e as Error).message}` });
      warn(`skipping unreadable input ${why}`);
      stats.skipped.push(p);
    }
  }
  return ok(undefined);
}

/** Every (name, cycle) in order of first appearance over the inputs (ROOT's hadd also takes objects only later files have), and the inputs that have one first. */
function firstAppearance(opened: Input[]): { order: RawKey[]; holdersFirst: Set<Input> } {
  const order: RawKey[] = [];
  const seen = new Set<string>();
  const holdersFirst = new Set<Input>();
  for (const i of opened) for (const k of i.keys) if (!seen.has(idOf(k))) { seen.add(idOf(k)); order.push(k); holdersFirst.add(i); }
  return { order, holdersFirst };
}

/** Appends the inputs whole to the new output (their copy runs in another process while jsroot decodes), adds their StreamerInfo. */
async function prepareOutput(w: RootFileWriter, opened: Input[], holdersFirst: Set<Input>, opts: MergeOptions): Promise<ObjectMerge['lookup']> {
  appendWhole(w, opened, opts.recompress ?? false, opts.append ?? DEFAULT_APPEND);
  const added = new Set<RawRecord[]>();
  for (const i of opened) if (!added.has(i.infos)) { added.add(i.infos); w.addStreamerInfos(i.infos); }
  await prepareDecoding(opened, holdersFirst);
  return writeLookup(opened);
}

/** Merges the object `k` of its holders into `w`: a directory, an RNTuple, a tree, a sum, or the first holder's copy. */
async function mergeObject(w: RootFileWriter, k: RawKey, holders: Holder[], m: ObjectMerge, stats: MergeStats): Promise<Result<void>> {
  const id = idOf(k);
  for (const h of holders) {
    const same = h.key.className === k.className || (DIR.test(h.key.className) && DIR.test(k.className));
    if (!same) return fail({ file: h.inp.path, object: id, reason: `is a ${h.key.className}, but a ${k.className} in ${holders[0]!.inp.path}` });
  }
  if (DIR.test(k.className)) { w.mkdir(k.path); return ok(undefined); }
  if (k.className === RNTUPLE_CLASS) {
    const { mergeRNTuple } = await import('../rntuple/merge.js');
    stats.entries += await mergeRNTuple(w, k.dir, k.name, id, await Promise.all(holders.map((h) => readerOf(h.inp))));
    stats.trees++;
    return ok(undefined);
  }
  if (TREE.test(k.className)) {
    stats.entries += await mergeTree(w, k, k.path, holders.map((h) => ({ path: h.inp.path, source: h.inp.source, compress: h.inp.compress, object: () => objectOf(h.inp, h.key), appended: h.inp.appended })),
      { lookup: m.lookup, recompress: m.recompress });
    stats.trees++;
    return ok(undefined);
  }
  if (ADDABLE.test(k.className)) {
    const sum = m.sums !== null && m.sums.has(id) ? m.sums.get(id)! : await sumHolders(k, holders, m.warn);
    if (sum !== null && writeSum(w, k, sum, m.lookup, m.warn)) { stats.histograms++; return ok(undefined); }
  }
  copyFirst(w, k, holders[0]!, m.lookup, m.warn, holders.length);
  stats.copied++;
  return ok(undefined);
}

async function mergeOnce(out: string, inputs: string[], opts: MergeOptions): Promise<Result<MergeStats>> {
  const warn = opts.onWarning ?? (() => {});
  if (inputs.length === 0) return fail({ reason: 'no input files', file: out });
  if (existsSync(out) && !opts.force) return fail({ file: out, reason: 'output file exists (use force / -f to overwrite)' });
  if (inputs.includes(out)) return fail({ file: out, reason: 'output file is also an input' });
  const opened: Input[] = [];
  const stats: MergeStats = { inputs: 0, skipped: [], trees: 0, entries: 0, histograms: 0, copied: 0, bytes: 0 };
  const tmp = `${out}.heppy-tmp-${process.pid}`;
  let w: RootFileWriter | null = null;
  try {
    const read = await openInputs(inputs, opened, stats, opts, warn);
    if (!read.ok) return read;
    mark('inputs opened (keys, StreamerInfo)');
    if (opened.length === 0) return fail({ file: out, reason: 'no readable input files' });
    stats.inputs = opened.length;
    const perFile = opened.map((i) => new Map(i.keys.map((k) => [idOf(k), k] as const)));
    const { order, holdersFirst } = firstAppearance(opened);
    // The output first, with the inputs appended whole: their copy (another process) runs while jsroot loads and decodes.
    const compression = opts.compression ?? compressionOf(opened[0]!.compress);
    await prepareCompression(compression);
    w = RootFileWriter.create(tmp, { name: basename(out), compression });
    const lookup = await prepareOutput(w, opened, holdersFirst, opts);
    mark('output created, decoding prepared');
    // Files of the partial merges' inputs are opened only when there is something to add (not for trees alone).
    const sums = opts.sumsFrom && order.some((k) => ADDABLE.test(k.className)) ? await sumAcross(opts.sumsFrom, warn) : null;
    const m: ObjectMerge = { lookup, sums, recompress: opts.recompress ?? false, warn };
    for (const k of order) {
      const id = idOf(k);
      const holders = opened.map((inp, i) => ({ inp, key: perFile[i]!.get(id) })).filter((h) => h.key !== undefined) as Holder[];
      const merged = await mergeObject(w, k, holders, m, stats);
      if (!merged.ok) return merged;
    }
    mark('objects merged (trees: baskets copied)');
    await placeAppended(w, opened.filter((i) => i.appended !== null).map((i) => i.appended!));
    mark('appended inputs placed');
    stats.bytes = w.position;
    await w.close();
    w = null;
    mark('output closed');
    renameSync(tmp, out);
    mark('renamed');
    return ok(stats);
  } catch (e) {
    // The errno under a failed write (ENOSPC) classes the merge's failure (util/environment-error systemFailure).
    if (e instanceof RootError) { const errno = errnoOf(e); return fail({ file: e.file, object: e.object || undefined, reason: e.reason, ...(errno ? { errno } : {}) }); }
    throw e;
  } finally {
    if (w !== null) { try { await w.close(); } catch { /* already failing */ } }
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    for (const i of opened) { i.reader?.close(); i.source.close(); }
  }
}
