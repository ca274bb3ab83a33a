// Attempt numbers continue across builds and `check --resubmit`: a node's next attempt is one more
// than the last one anything recorded — the store's record, the chunk's marker, its chunk.json
// (written before a batch job of that attempt was submitted) — so that the markers and job logs
// (`.heppy/batch/logs/<chunk>.<attempt>.out`) of successive attempts never share a number.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK_SPEC_FILE, MARKER_FILE } from '../chunkdir/layout.js';
import { readMarker } from '../chunkdir/marker.js';
import { readChunkSpec } from '../chunkdir/spec.js';

/** The last attempt recorded in a chunk directory (its marker and its chunk.json); 0 when none. */
export function lastAttemptIn(dir: string): number {
  const m = readMarker(dir);
  const marked = m.ok && m.value?.kind === 'chunk' ? m.value.attempt : 0;
  const spec = readChunkSpec(dir);
  return Math.max(marked, spec.ok ? spec.value.attempt : 0);
}

/**
 * What a chunk directory holds, from one read of its marker and chunk.json: its last attempt (0
 * when none) and its ok marker's key (null: no ok marker, or no directory) — what a restore
 * replacing it needs, its next attempt and where to park it, without reading the marker twice.
 * Only those fields are read (a parked directory is checked whole before it is used again).
 */
export function heldIn(dir: string): { attempt: number; okKey: string | null } {
  const m = jsonIn(join(dir, MARKER_FILE));
  const marked = m !== null && m.kind === 'chunk' ? attemptOf(m.attempt) : 0;
  const okKey = m !== null && m.status === 'ok' && typeof m.key === 'string' ? m.key : null;
  const spec = jsonIn(join(dir, CHUNK_SPEC_FILE));
  return { attempt: Math.max(marked, spec === null ? 0 : attemptOf(spec.attempt)), okKey };
}

/** A file's JSON object, or null (none, unreadable, not an object). */
function jsonIn(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

function attemptOf(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0;
}

/** The next attempt of a chunk: one more than its directory's and its record's last (`recorded`). */
export function nextAttemptOf(dir: string, recorded: number | undefined): number {
  return Math.max(lastAttemptIn(dir), recorded ?? 0) + 1;
}
