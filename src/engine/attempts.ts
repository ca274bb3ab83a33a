// Attempt numbers continue across builds and `check --resubmit`: a node's next attempt is one more
// than the last one anything recorded — the store's record, the chunk's marker, its chunk.json
// (written before a batch job of that attempt was submitted) — so that the markers and job logs
// (`.heppy/batch/logs/<chunk>.<attempt>.out`) of successive attempts never share a number.
import { readMarker } from '../chunkdir/marker.js';
import { readChunkSpec } from '../chunkdir/spec.js';

/** The last attempt recorded in a chunk directory (its marker and its chunk.json); 0 when none. */
export function lastAttemptIn(dir: string): number {
  return heldIn(dir).attempt;
}

/**
 * What a chunk directory holds, from one read of its marker and chunk.json: its last attempt (0
 * when none) and its ok marker's key (null: no ok marker, or no directory) — what a restore
 * replacing it needs, its next attempt and where to park it, without reading the marker twice.
 */
export function heldIn(dir: string): { attempt: number; okKey: string | null } {
  const m = readMarker(dir);
  const marked = m.ok && m.value?.kind === 'chunk' ? m.value.attempt : 0;
  const okKey = m.ok && m.value !== null && m.value.status === 'ok' ? m.value.key : null;
  const spec = readChunkSpec(dir);
  return { attempt: Math.max(marked, spec.ok ? spec.value.attempt : 0), okKey };
}

/** The next attempt of a chunk: one more than its directory's and its record's last (`recorded`). */
export function nextAttemptOf(dir: string, recorded: number | undefined): number {
  return Math.max(lastAttemptIn(dir), recorded ?? 0) + 1;
}
