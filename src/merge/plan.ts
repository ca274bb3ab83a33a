// What hadd does with each file of the chunks, as heppy_hadd does: ROOT files are hadd-ed,
// counter/average sidecars summed (their .txt re-rendered, never parsed), .yaml/.py copied from the
// first chunk, everything else (log.txt included) skipped. Unlike heppy (whose first chunk drove the
// merge, and which crashed on a file missing in a later chunk), the plan covers every file of every
// chunk: a chunk whose marker shows it never produced a file (an analyzer that books lazily and saw
// no event) simply adds nothing to it; a file missing from a chunk that cannot vouch for that is
// an error naming chunk and file.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { filesUnder } from '../util/walk.js';
import { isStatSidecar } from '../stats/index.js';
import { MARKER_FILE, LOG_FILE, RUN_FILES } from '../chunkdir/layout.js';
import { readMarker } from '../chunkdir/marker.js';
import { fail, ok, type Result } from '../util/result.js';

export type FileAction =
  | { kind: 'root'; rel: string }
  | { kind: 'stat'; rel: string }          // rel is the .json sidecar; the .txt is regenerated
  | { kind: 'copy'; rel: string }
  | { kind: 'skip'; rel: string; why: string };

export interface PlannedFile {
  action: FileAction;
  /** The chunk directories that have the file, in chunk order. */
  from: string[];
}

export interface MergePlan {
  files: PlannedFile[];
  /** Files some chunks did not produce (their markers say so): merged from the others. */
  notes: string[];
}

/** Files the framework writes about a run, not results: never merged. */
const NOT_MERGED = new Set([LOG_FILE, MARKER_FILE, ...RUN_FILES, 'processing.yaml']);


function classify(rel: string, isStat: (rel: string) => boolean): FileAction {
  const name = basename(rel);
  if (NOT_MERGED.has(name)) return { kind: 'skip', rel, why: 'run file' };
  if (name.endsWith('.root')) return { kind: 'root', rel };
  if (name.endsWith('.json') && isStat(rel)) return { kind: 'stat', rel };
  if (name.endsWith('.txt') && isStat(rel.slice(0, -4) + '.json')) return { kind: 'skip', rel, why: 're-rendered from its sidecar' };
  if (name.endsWith('.yaml') || name.endsWith('.py')) return { kind: 'copy', rel };
  if (name.endsWith('.pck')) return { kind: 'skip', rel, why: "heppy's pickles are not read; counters are summed from .json sidecars" };
  return { kind: 'skip', rel, why: 'not merged' };
}

/**
 * The outputs a chunk's marker lists, or null when it has no such list (made by the original heppy).
 * An input that is itself a merge (a node of a merge tree) lists what it merged likewise.
 */
function recordedOutputs(dir: string): Set<string> | null {
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.outputs.length === 0) return null;
  return new Set(m.value.outputs.map((o) => o.path));
}

/**
 * The plan over chunkDirs. listed(dir): the files of a chunk as the build recorded them (its
 * marker's outputs, run files aside, and the marker), used instead of listing the directory and
 * reading its marker (a build of thousands of chunks already holds them); undefined: read the disk.
 */
export function planMerge(chunkDirs: string[], listed: (dir: string) => readonly string[] | undefined = () => undefined): Result<MergePlan> {
  const lists = chunkDirs.map((d) => listed(d));
  const present = chunkDirs.map((d, i) => new Set(lists[i] ?? filesUnder(d)));
  const all = [...new Set(present.flatMap((s) => [...s]))].sort();
  const statCache = new Map<string, boolean>();
  // A recorded file gone from the disk would be taken for a file that is not a sidecar: named instead.
  let lost: string | null = null;
  const isStat = (rel: string): boolean => {
    let v = statCache.get(rel);
    if (v === undefined) {
      const i = present.findIndex((s) => s.has(rel));
      const p = i >= 0 ? join(chunkDirs[i]!, rel) : null;
      v = p !== null && isStatSidecar(p);
      if (!v && p !== null && lists[i] !== undefined && !existsSync(p)) lost ??= p;
      statCache.set(rel, v);
    }
    return v;
  };
  const outputs = new Map<string, Set<string> | null>();
  const files: PlannedFile[] = [];
  const notes: string[] = [];
  for (const rel of all) {
    const action = classify(rel, isStat);
    if (lost !== null) return fail({ file: lost, reason: 'a result file the build recorded is missing (deleted since?)' });
    const from = chunkDirs.filter((_, i) => present[i]!.has(rel));
    if (action.kind !== 'skip' && from.length < chunkDirs.length) {
      const absent = chunkDirs.flatMap((_, i) => (present[i]!.has(rel) ? [] : [i]));
      for (const i of absent) {
        const d = chunkDirs[i]!;
        // A recorded listing is the marker's outputs: a file absent from it is one the marker does not list.
        if (!outputs.has(d)) outputs.set(d, lists[i] !== undefined ? present[i]! : recordedOutputs(d));
        const rec = outputs.get(d)!;
        if (rec === null || rec.has(rel)) {
          const why = rec === null ? 'and it has no marker listing its outputs' : 'although its marker lists it (deleted since?)';
          return fail({ file: join(d, rel), reason: `chunk ${basename(d)} has no ${rel} (present in ${basename(from[0]!)}), ${why}` });
        }
      }
      notes.push(`${rel}: not produced by ${absent.map((i) => basename(chunkDirs[i]!)).join(', ')} (merged from the other ${from.length})`);
    }
    files.push({ action, from });
  }
  return ok({ files, notes });
}
