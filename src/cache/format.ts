// The version files of heppy's two on-disk places: the cache directory (`<cache>/heppy-format.json`:
// the store, the output cache, bundles, snapshots) and an Outdir's `.heppy/heppy-format.json` (plan,
// records of batch jobs, merge tree, parked directories). Every heppy from this one on reads the
// file FIRST, before touching anything else there, and refuses — one line, exit 2 — a directory
// that needs a newer heppy. An older heppy (before this file) cannot be told: it may crash on a
// newer layout (as it does on the output cache's `.format-2` marker), which is why the file exists.
//
// The file: `{"format": N, "minReader": M, "writtenBy": "<heppy version>"}`. `format` is the
// newest layout written there; `minReader` the oldest format a heppy must know to use the
// directory safely (a later layout that older versions can still read keeps `minReader` low).
// This heppy uses a directory when `minReader` ≤ the format it knows. No file: a directory made
// before version files (read as it always was: version-1 cache entries included) or not made yet.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNever, UserError } from '../util/result.js';
import { writeAtomic } from './entry.js';

export const FORMAT_FILE = 'heppy-format.json';

/** Which directory a version file describes. */
export type FormatPlace = 'cache' | 'outdir';

/**
 * The formats this heppy writes and reads. The cache's 2: entries as one file and objects (and
 * version-1 entry directories read); the Outdir's 1: `.heppy/` as it is.
 */
export const KNOWN_FORMAT: Readonly<Record<FormatPlace, number>> = { cache: 2, outdir: 1 };

/** The oldest format that reads what this heppy writes (a heppy knowing cache format 1 cannot read objects). */
const MIN_READER: Readonly<Record<FormatPlace, number>> = { cache: 2, outdir: 1 };

export interface FormatFile {
  format: number;
  minReader: number;
  writtenBy: string;
}

export type FormatRead =
  | { kind: 'absent' }
  | { kind: 'ok'; file: FormatFile }
  | { kind: 'unreadable'; reason: string };

/** The directory holding a place's version file: the cache dir itself, or the Outdir's `.heppy`. */
export const formatDir = (place: FormatPlace, dir: string): string => (place === 'cache' ? dir : join(dir, '.heppy'));

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Reads the version file in `dir` (the directory that holds it). */
export function readFormatFile(dir: string): FormatRead {
  let text: string;
  try {
    text = readFileSync(join(dir, FORMAT_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Not there, or `dir` is not a directory: other checks name that (cacheDirProblem, outdirProblem).
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'unreadable', reason: (err as Error).message };
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', reason: 'not JSON' };
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (!positive(o.format) || !positive(o.minReader)) return { kind: 'unreadable', reason: 'no whole "format" and "minReader" numbers' };
  return { kind: 'ok', file: { format: o.format, minReader: o.minReader, writtenBy: typeof o.writtenBy === 'string' ? o.writtenBy : 'an unknown heppy' } };
}

const what = (place: FormatPlace): string => (place === 'cache' ? 'cache directory' : "output directory's .heppy");

const advice = (place: FormatPlace): string =>
  place === 'cache'
    ? 'upgrade heppy, or give this one its own --cache-dir'
    : 'upgrade heppy, or build into another --outdir (with its own --cache-dir)';

/**
 * One line when this heppy must not use the place at `dir` (a cache dir, or an Outdir); null when it
 * may (no file, or one it can read). Reads one file, writes nothing.
 */
export function formatProblem(place: FormatPlace, dir: string, known = KNOWN_FORMAT[place]): string | null {
  const holder = formatDir(place, dir);
  const r = readFormatFile(holder);
  switch (r.kind) {
    case 'absent':
      return null;
    case 'unreadable':
      return `${join(holder, FORMAT_FILE)}: unreadable version file of the ${what(place)} (${r.reason}); this heppy cannot tell whether it may use ${holder}: ${advice(place)}`;
    case 'ok':
      if (r.file.minReader <= known) return null;
      return `${holder}: this ${what(place)} has format ${r.file.format} (written by heppy ${r.file.writtenBy}, readable from format ${r.file.minReader}); this heppy knows format ${known}: ${advice(place)}`;
    default:
      return assertNever(r, 'format read');
  }
}

/** Throws formatProblem's line as a UserError (exit 2): every command calls it before it touches `dir`. */
export function refuseNewer(place: FormatPlace, dir: string): void {
  const problem = formatProblem(place, dir);
  if (problem) throw new UserError(problem);
}

/**
 * Records this heppy's format in `dir`'s place, when the directory exists and its file is absent or
 * older (a layout this heppy reads, now written by it too). A newer one is left as it is (it was
 * accepted by formatProblem: a format that older versions may still read). Returns false when it
 * could not be written (a read-only cache): the next writer tries again.
 */
export function markFormat(place: FormatPlace, dir: string, heppyVersion: string, known = KNOWN_FORMAT[place]): boolean {
  const holder = formatDir(place, dir);
  const r = readFormatFile(holder);
  if (r.kind === 'ok' && r.file.format >= known) return true;
  const file: FormatFile = { format: known, minReader: Math.min(MIN_READER[place], known), writtenBy: heppyVersion };
  try {
    writeAtomic(join(holder, FORMAT_FILE), JSON.stringify(file) + '\n');
    return true;
  } catch {
    return false;
  }
}
