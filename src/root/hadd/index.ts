// hadd: merges ROOT files like ROOT's `hadd`. Trees with the same branches are concatenated
// (stored baskets copied without decompressing), TH1F/TH1D/TH2F/TH2D with the same binning are
// added with every statistic, directories are merged recursively, and any other object is
// taken from the first file that has it. The output is written to a temporary file next to
// `out` and renamed into place only when complete.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { openRootFile, type RootFileReader } from '../read/index.js';
import { RootError } from '../errors.js';
import { addInto, cloneHist, incompatibility, type Hist } from '../hist.js';
import { RootFileWriter } from '../write/file.js';
import type { Compression } from '../write/compress.js';
import { fail, ok, type Result } from '../../util/result.js';
import { readRawKeys, Source, type RawKey } from './keys.js';
import { mergeTree } from './tree.js';

export interface MergeOptions {
  force?: boolean;
  skipUnreadable?: boolean;
  onWarning?: (message: string) => void;
  /** Compression of the objects hadd writes itself (histograms, tree metadata); default: the first input's. */
  compression?: Compression;
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

interface Input { path: string; source: Source; reader: RootFileReader; keys: RawKey[]; compress: number }

const HIST = /^TH[12][FD]$/;

function compressionOf(setting: number): Compression {
  const alg = Math.floor(setting / 100), level = setting % 100 || 1;
  switch (alg) {
    case 0: return setting === 0 ? { algorithm: 'none' } : { algorithm: 'zlib', level };
    case 1: return { algorithm: 'zlib', level };
    case 4: return { algorithm: 'lz4', level };
    case 5: return { algorithm: 'zstd', level };
    default: return { algorithm: 'zlib', level: 1 }; // LZMA and legacy settings: heppy writes zlib
  }
}

async function openInput(path: string): Promise<Input> {
  const source = new Source(path);
  try {
    const raw = readRawKeys(source);
    const reader = await openRootFile(path);
    return { path, source, reader, keys: raw.keys, compress: raw.compress };
  } catch (e) {
    source.close();
    throw e;
  }
}

/** Latest cycle of every key, by path. */
function latest(keys: RawKey[]): Map<string, RawKey> {
  const m = new Map<string, RawKey>();
  for (const k of keys) {
    const prev = m.get(k.path);
    if (!prev || k.cycle > prev.cycle) m.set(k.path, k);
  }
  return m;
}

export async function mergeRootFiles(out: string, inputs: string[], opts: MergeOptions = {}): Promise<Result<MergeStats>> {
  const warn = opts.onWarning ?? (() => {});
  if (inputs.length === 0) return fail({ reason: 'no input files', file: out });
  if (existsSync(out) && !opts.force) return fail({ file: out, reason: 'output file exists (use force / -f to overwrite)' });
  if (inputs.includes(out)) return fail({ file: out, reason: 'output file is also an input' });
  const opened: Input[] = [];
  const stats: MergeStats = { inputs: 0, skipped: [], trees: 0, entries: 0, histograms: 0, copied: 0, bytes: 0 };
  const tmp = `${out}.heppy-tmp-${process.pid}`;
  let w: RootFileWriter | null = null;
  try {
    for (const p of inputs) {
      try {
        opened.push(await openInput(p));
      } catch (e) {
        const why = e instanceof RootError ? e.message : `${p}: ${(e as Error).message}`;
        if (!opts.skipUnreadable) return fail({ file: p, reason: `cannot read input: ${e instanceof RootError ? e.reason : (e as Error).message}` });
        warn(`skipping unreadable input ${why}`);
        stats.skipped.push(p);
      }
    }
    if (opened.length === 0) return fail({ file: out, reason: 'no readable input files' });
    stats.inputs = opened.length;
    const perFile = opened.map((i) => latest(i.keys));
    // Objects in order of first appearance over the inputs (ROOT's hadd also takes objects only later files have).
    const order: RawKey[] = [];
    const seen = new Set<string>();
    for (const m of perFile) for (const [p, k] of m) if (!seen.has(p)) { seen.add(p); order.push(k); }

    w = RootFileWriter.create(tmp, { name: basename(out), compression: opts.compression ?? compressionOf(opened[0]!.compress) });
    for (const k of order) {
      const holders = opened.map((inp, i) => ({ inp, key: perFile[i]!.get(k.path) })).filter((h) => h.key !== undefined) as { inp: Input; key: RawKey }[];
      for (const h of holders) {
        if (h.key.className !== k.className) return fail({ file: h.inp.path, object: k.path, reason: `is a ${h.key.className}, but a ${k.className} in ${holders[0]!.inp.path}` });
      }
      if (k.className === 'TDirectory' || k.className === 'TDirectoryFile') { w.mkdir(k.path); continue; }
      if (k.className === 'TTree') {
        stats.entries += await mergeTree(w, k.dir, k.name, k.title, k.path, holders.map((h) => ({ reader: h.inp.reader, source: h.inp.source })));
        stats.trees++;
        continue;
      }
      if (HIST.test(k.className)) {
        let sum: Hist | null = null;
        for (const h of holders) {
          const x = await h.inp.reader.hist(k.path);
          if (x === null) break;
          if (sum === null) { sum = cloneHist(x); continue; }
          const why = incompatibility(sum, x);
          if (why !== null) return fail({ file: h.inp.path, object: k.path, reason: `cannot be added to ${holders[0]!.inp.path}'s: ${why}` });
          addInto(sum, x);
        }
        if (sum !== null) { w.writeHist(sum, k.dir); stats.histograms++; continue; }
      }
      // Cannot be added: the first file's object, its stored bytes copied unchanged.
      const h = holders[0]!;
      if (holders.length > 1) warn(`${k.path} (${k.className}) cannot be added: taken from ${h.inp.path}`);
      const body = h.inp.source.read(h.key.seek + h.key.keylen, h.key.nbytes - h.key.keylen, k.path);
      w.writeRawObject(k.dir, { className: k.className, name: k.name, title: k.title, objlen: h.key.objlen, body, big: h.key.big });
      stats.copied++;
    }
    stats.bytes = w.position;
    await w.close();
    w = null;
    renameSync(tmp, out);
    return ok(stats);
  } catch (e) {
    if (e instanceof RootError) return fail({ file: e.file, object: e.object || undefined, reason: e.reason });
    throw e;
  } finally {
    if (w !== null) { try { await w.close(); } catch { /* already failing */ } }
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    for (const i of opened) { i.reader.close(); i.source.close(); }
  }
}
