// Markers are the truth of a batch job's result: an attempt has ended exactly when the chunk
// directory holds a marker with this attempt's key and number. Scheduler states only explain
// an attempt that ended without one.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MARKER_FILE, markerFailure, readMarker } from '../../chunkdir/marker.js';
import type { AttemptEnd } from '../executor.js';

export interface Awaited {
  nodeId: string;
  chunkDir: string;
  attempt: number;
  key: string;
}

export type MarkerVerdict =
  | { kind: 'none' }                                   // no marker of this attempt (yet)
  | { kind: 'ended'; end: AttemptEnd };

/** Reads the chunk's marker and says whether it is this attempt's result. */
export function judgeMarker(a: Awaited, logHint?: string): MarkerVerdict {
  const r = readMarker(a.chunkDir);
  if (!r.ok) {
    // A marker being written right now is renamed into place whole; unreadable means corrupt.
    return existsSync(join(a.chunkDir, MARKER_FILE))
      ? { kind: 'ended', end: { nodeId: a.nodeId, attempt: a.attempt, status: 'failed', failure: { kind: 'infrastructure', reason: r.error.reason }, ...logOf(a, logHint) } }
      : { kind: 'none' };
  }
  const m = r.value;
  if (m === null || m.kind !== 'chunk' || m.key !== a.key || m.attempt !== a.attempt) return { kind: 'none' };
  if (m.status === 'ok') {
    return { kind: 'ended', end: { nodeId: a.nodeId, attempt: a.attempt, status: 'succeeded', eventsProcessed: m.eventsProcessed ?? 0 } };
  }
  return {
    kind: 'ended',
    end: {
      nodeId: a.nodeId,
      attempt: a.attempt,
      status: 'failed',
      failure: markerFailure(m),
      ...(m.exitCode !== null ? { exitCode: m.exitCode } : {}),
      ...logOf(a, logHint),
    },
  };
}

/** The log to show for a failed attempt: the chunk's log.txt when it has one, else the job output. */
export function logOf(a: { chunkDir: string }, jobLog?: string): { log?: string } {
  const chunkLog = join(a.chunkDir, 'log.txt');
  if (existsSync(chunkLog)) return { log: chunkLog };
  if (jobLog !== undefined && existsSync(jobLog)) return { log: jobLog };
  return {};
}

/**
 * Before submitting (key, attempt) again, a marker already carrying exactly that pair (left by an
 * earlier build) would be mistaken for the new job's result: remove it.
 */
export function clearStaleMarker(a: Awaited): void {
  const r = readMarker(a.chunkDir);
  if (r.ok && r.value !== null && r.value.kind === 'chunk' && r.value.key === a.key && r.value.attempt === a.attempt) {
    rmSync(join(a.chunkDir, MARKER_FILE), { force: true });
  }
}
