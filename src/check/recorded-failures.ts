// The failures a build recorded in its store for the chunks of its plan. A batch job that ended
// without writing its chunk's marker (killed, cancelled while pending, its script misspelt) leaves
// nothing in the chunk directory: why it failed is only in the store's record, which `heppy
// status` shows; `heppy check` and `heppy report` show it from here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readPlanFile } from '../chunkdir/plan-file.js';
import { DATA_FILE, openStore } from '../store/open.js';
import { formatTaskFailure, type TaskFailure } from '../util/failure.js';

/** A failure the build recorded for a planned chunk (its last attempt, of the planned key). */
export interface RecordedFailure { failure: TaskFailure; attempts: number; log: string | null }

/** By chunk name; empty without a plan or a readable store (then only the Outdir is judged). */
export async function recordedFailures(outdir: string): Promise<Map<string, RecordedFailure>> {
  const out = new Map<string, RecordedFailure>();
  const plan = readPlanFile(outdir);
  if (!plan.ok || plan.value === null || !existsSync(join(plan.value.cacheDir, DATA_FILE))) return out;
  const keys = new Map(plan.value.nodes.flatMap((n) => n.kind === 'chunk' ? [[n.id, n.key] as const] : []));
  const opened = openStore(plan.value.cacheDir, outdir, true);
  if (!opened.ok) return out;
  for (const [id, r] of opened.value.records) {
    // A record of another key is an earlier build's, not this plan's chunk.
    if (r.status !== 'failed' || r.failure === undefined || keys.get(id) !== r.key) continue;
    out.set(id, { failure: r.failure, attempts: r.attempts, log: r.log ?? null });
  }
  await opened.value.store.close().catch(() => undefined);
  return out;
}

/** The line heppy check prints for it (as for a marker's failure). */
export function recordedLine(r: RecordedFailure): string {
  return `run failed (attempt ${r.attempts}): ${formatTaskFailure(r.failure)}`;
}
