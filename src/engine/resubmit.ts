// `heppy check --resubmit`: run the bad chunks again through an executor (the local worker pool,
// or a batch executor), one new attempt each, and wait until every attempt has ended. The marker
// each attempt writes is then judged again by the check.
import { ensureChunkAttempt, readChunkSpec } from '../chunkdir/spec.js';
import type { Executor, JobSpec } from '../exec/executor.js';
import { nextAttemptOf } from './attempts.js';
import { basename } from 'node:path';
import { formatTaskFailure } from '../util/failure.js';
import { assertNever } from '../util/result.js';

export interface ResubmitResult {
  dir: string;
  attempt: number;             // 0: not resubmitted
  status: 'succeeded' | 'failed' | 'not-resubmitted';
  detail: string;
}

/** The next attempt number: one more than both chunk.json's and the marker's (null: no chunk.json). */
export function nextAttempt(dir: string): number | null {
  return readChunkSpec(dir).ok ? nextAttemptOf(dir, undefined) : null;
}

export interface ResubmitHooks {
  onSubmitted?: (dir: string, attempt: number, jobId: string) => void;
  onEnded?: (r: ResubmitResult) => void;
}

export async function resubmit(dirs: string[], executor: Executor, hooks: ResubmitHooks = {}): Promise<ResubmitResult[]> {
  const results = new Map<string, ResubmitResult>();
  const jobs: JobSpec[] = [];
  for (const dir of dirs) {
    const attempt = nextAttempt(dir);
    const set = attempt === null ? null : ensureChunkAttempt(dir, attempt);
    if (attempt === null || set === null || !set.ok) {
      results.set(dir, { dir, attempt: 0, status: 'not-resubmitted', detail: 'no readable chunk.json (not made by heppy build): run it again with heppy build' });
      continue;
    }
    jobs.push({ nodeId: `chunk:${dir}`, name: basename(dir), chunkDir: dir, attempt });
  }
  const pending = new Map(jobs.map((j) => [j.nodeId, j]));
  try {
    if (jobs.length > 0) await executor.submit(jobs);
    while (pending.size > 0) {
      for (const e of await executor.next()) {
        switch (e.type) {
          case 'submitted': {
            const j = pending.get(e.nodeId);
            if (j) hooks.onSubmitted?.(j.chunkDir, e.attempt, e.jobId);
            break;
          }
          case 'started':
          case 'progress':
            break;
          case 'ended': {
            const j = pending.get(e.end.nodeId);
            if (!j || e.end.attempt !== j.attempt) break;
            pending.delete(j.nodeId);
            const r: ResubmitResult = e.end.status === 'succeeded'
              ? { dir: j.chunkDir, attempt: j.attempt, status: 'succeeded', detail: `${e.end.eventsProcessed} events` }
              : { dir: j.chunkDir, attempt: j.attempt, status: 'failed', detail: formatTaskFailure(e.end.failure) };
            results.set(j.chunkDir, r);
            hooks.onEnded?.(r);
            break;
          }
          default:
            assertNever(e, 'executor event');
        }
      }
    }
  } finally {
    await executor.close();
  }
  return dirs.map((d) => results.get(d)!);
}
