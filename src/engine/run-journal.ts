// What an interrupted or detached earlier build left: batch jobs still journaled (re-attached when
// they run exactly today's key, cancelled otherwise) and tmp or trash directories in Outdir/.heppy/.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseTmpName } from '../chunkdir/swap.js';
import type { ExecutorKind, JournalEntry } from '../exec/executor.js';
import type { BuildEvent } from '../report/events.js';
import type { BuildPlan } from './plan.js';
import type { TaskStore } from './store.js';

/**
 * Splits the store's job journal: jobs of an interrupted build still queued or running for exactly
 * today's key on today's executor are re-attached (returned); batch jobs for an older key (or another
 * executor) would run the old analysis and swap their result over this build's, so the ones still
 * queued or running are cancelled. Every other entry leaves the journal.
 */
export async function adoptJournal(plan: BuildPlan, store: TaskStore, journal: readonly JournalEntry[], toRun: ReadonlySet<string>,
  executor: ExecutorKind, outdir: string, emit: (e: BuildEvent) => void): Promise<JournalEntry[]> {
  const adopt = journal.filter((j) => toRun.has(j.nodeId) && j.key === plan.nodes.get(j.nodeId)!.key && j.executor === executor);
  const stale = journal.filter((j) => !adopt.includes(j));
  if (stale.some((j) => j.executor !== 'local')) {
    const { cancelStaleJobs, staleJobsMessage, staleWhy } = await import('./cancel.js');
    const gone = await cancelStaleJobs(outdir, stale);
    const why = gone.map(({ jobId, entry: e }) => ({ jobId, executor: e.executor, why: staleWhy(e, executor, toRun.has(e.nodeId) ? plan.nodes.get(e.nodeId)!.key ?? undefined : undefined) }));
    if (gone.length > 0) emit({ type: 'warning', message: staleJobsMessage(why, executor) });
  }
  for (const j of stale) void store.deleteJob(j.nodeId, j.attempt);
  return adopt;
}

/**
 * Removes what killed runs left in `Outdir/.heppy/`: tmp dirs never swapped in, trash not yet
 * removed. The build holds the Outdir lock, so no other build, hadd or check --resubmit of this
 * Outdir is running: a tmp dir can only be live when it belongs to a batch job of an earlier build
 * that is still journaled (queued or running; re-attached now, or being cancelled as stale). Those
 * (`<chunk>.<attempt>.<random>` of a journaled chunk and attempt) are kept; the next build removes
 * them once the journal has let go. Trash is the old content of a directory being replaced: always
 * removable. Returns the removed entries (`tmp/<name>`, `trash/<name>`).
 */
export function removeLeftovers(outdir: string, journal: readonly JournalEntry[]): string[] {
  const live = new Set(journal.filter((j) => j.executor !== 'local').map((j) => `${j.name ?? j.nodeId}.${j.attempt}`));
  const removed: string[] = [];
  for (const sub of ['tmp', 'trash']) {
    const d = join(outdir, '.heppy', sub);
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const e of names) {
      const owner = sub === 'tmp' ? parseTmpName(e) : null;
      if (owner !== null && live.has(`${owner.label}.${owner.attempt}`)) continue;
      rmSync(join(d, e), { recursive: true, force: true });
      removed.push(`${sub}/${e}`);
    }
  }
  return removed;
}
