// The planner's decisions for one node, one function each: is it fresh (the record is a success
// for today's key and the recorded outputs are unchanged), can a result on disk be adopted (its
// marker says ok for today's key and its outputs are intact: a run the record does not know, e.g.
// a killed build, `heppy check --resubmit` or batchScript.sh run by hand), and else why it runs.
import { MARKER_FILE } from '../chunkdir/layout.js';
import { readMarker } from '../chunkdir/marker.js';
import { resultDigest, sizesAsListed, statOutputs } from '../chunkdir/results.js';
import { readChunkSpec } from '../chunkdir/spec.js';
import { diffKeyParts, type KeyParts } from '../graph/keys.js';
import type { OutputRecord, TaskRecord, TaskSummary } from '../store/records.js';

export interface Decision {
  upToDate: boolean;
  /** Why it must run (empty when up to date). */
  why: string[];
  /** A record rebuilt from the node's marker (to be written). */
  adopted?: TaskRecord;
}

/** Fresh: a recorded success for exactly this key whose outputs are unchanged (`changed` null). */
export function fresh(rec: TaskSummary | undefined, key: string, changed: string | null): boolean {
  return rec !== undefined && rec.status === 'ok' && rec.key === key && changed === null;
}

/** The marker as the record saw it: a marker with the same size and mtime is the same run. */
function sameRun(rec: TaskSummary | undefined, now: readonly OutputRecord[]): boolean {
  if (rec === undefined || rec.status !== 'ok') return false;
  const was = rec.outputs.find((o) => o.path === MARKER_FILE);
  const is = now.find((o) => o.path === MARKER_FILE);
  return was !== undefined && is !== undefined && was.size === is.size && was.mtimeMs === is.mtimeMs;
}

/**
 * A chunk's result on disk, adopted when its marker says ok for `key`, its chunk.json is the spec
 * of that run (not a newer attempt still running), every listed output has its size, and it is not
 * the run the record already knows (whose outputs were then changed by hand: that one runs again).
 */
export function adoptChunk(id: string, dir: string, key: string, parts: () => KeyParts, rec?: TaskSummary): TaskRecord | null {
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.kind !== 'chunk' || m.value.status !== 'ok' || m.value.key !== key) return null;
  const spec = readChunkSpec(dir);
  if (spec.ok && (spec.value.key !== key || spec.value.attempt !== m.value.attempt)) return null;
  const outs = statOutputs(dir, m.value.outputs);
  if (!outs.ok || !sizesAsListed(outs.value, m.value.outputs) || sameRun(rec, outs.value)) return null;
  return { nodeId: id, kind: 'chunk', status: 'ok', key, keyParts: parts(), resultDigest: resultDigest(key, outs.value), outputs: outs.value,
    attempts: m.value.attempt, eventsProcessed: m.value.eventsProcessed ?? 0, finishedAt: Date.now(), durationMs: 0 };
}

/** A merged directory adopted likewise: an ok hadd marker for `key`, outputs intact, not the recorded run. */
export function adoptMerge(id: string, dir: string, key: string, parts: () => KeyParts, rec?: TaskSummary): TaskRecord | null {
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.kind !== 'hadd' || m.value.status !== 'ok' || m.value.key !== key) return null;
  const outs = statOutputs(dir, m.value.outputs);
  if (!outs.ok || !sizesAsListed(outs.value, m.value.outputs) || sameRun(rec, outs.value)) return null;
  return { nodeId: id, kind: 'hadd', status: 'ok', key, keyParts: parts(), resultDigest: resultDigest(key, outs.value), outputs: outs.value,
    attempts: 1, eventsProcessed: 0, finishedAt: Date.now(), durationMs: 0 };
}

/** Why a node whose record is not fresh runs. `before` is the recorded key parts (read only here). */
export function whyRun(rec: TaskSummary | undefined, key: string, changed: string | null, before: () => KeyParts | undefined, now: () => KeyParts | null,
  never: string): string[] {
  if (rec === undefined) return [never];
  if (rec.status !== 'ok') return [`failed last time: ${rec.reason ?? 'unknown reason'}`];
  if (rec.key !== key) {
    const b = before();
    const n = b === undefined ? null : now(); // today's parts only to compare with recorded ones
    const diff = b && n ? diffKeyParts(b, n) : [];
    return diff.length ? diff : ['key changed'];
  }
  return changed !== null ? [changed] : [];
}

export interface ChunkInputs {
  id: string;
  dir: string;
  key: string;
  parts: () => KeyParts;
  rec: TaskSummary | undefined;
  /** The recorded outputs' first difference (null: unchanged); only asked of a fresh-keyed success. */
  changed: () => string | null;
  partsOf: (id: string) => KeyParts | undefined;
  force: boolean;
  /** Whether the node's directory exists (default: assumed; a cold plan asks one readdir, not a failed open per node). */
  present?: (dir: string) => boolean;
}

export function decideChunk(c: ChunkInputs): Decision {
  if (c.force) return { upToDate: false, why: ['--force'] };
  const sameKey = c.rec !== undefined && c.rec.status === 'ok' && c.rec.key === c.key;
  const changed = sameKey ? c.changed() : null;
  if (fresh(c.rec, c.key, changed)) return { upToDate: true, why: [] };
  const adopted = c.present?.(c.dir) === false ? null : adoptChunk(c.id, c.dir, c.key, c.parts, c.rec);
  if (adopted) return { upToDate: true, why: [], adopted };
  return { upToDate: false, why: whyRun(c.rec, c.key, changed, () => c.partsOf(c.id), c.parts, 'never built') };
}

export interface MergeInputs {
  id: string;
  dir: string;
  /** null while some of its chunks run (then its key is not known yet). */
  key: string | null;
  /** The key's parts (null with the key; computed only to adopt or explain). */
  parts: (() => KeyParts) | null;
  pending: number;
  /** What its inputs are: chunks, or the merges below it in a merge tree (default chunks). */
  inputs?: 'chunk' | 'merge';
  rec: TaskSummary | undefined;
  changed: () => string | null;
  partsOf: (id: string) => KeyParts | undefined;
  force: boolean;
  present?: (dir: string) => boolean;
}

export function decideMerge(h: MergeInputs): Decision {
  const noun = h.inputs ?? 'chunk';
  if (h.force) return { upToDate: false, why: ['--force'] };
  if (h.key === null || h.parts === null) return { upToDate: false, why: [`${h.pending} ${noun}${h.pending > 1 ? 's' : ''} to run`] };
  const sameKey = h.rec !== undefined && h.rec.status === 'ok' && h.rec.key === h.key;
  const changed = sameKey ? h.changed() : null;
  if (fresh(h.rec, h.key, changed)) return { upToDate: true, why: [] };
  const adopted = h.present?.(h.dir) === false ? null : adoptMerge(h.id, h.dir, h.key, h.parts, h.rec);
  if (adopted) return { upToDate: true, why: [], adopted };
  return { upToDate: false, why: whyRun(h.rec, h.key, changed, () => h.partsOf(h.id), h.parts, 'never merged').map((s) => s.replace('input', noun)) };
}
