// What an interrupted or detached earlier build left: batch jobs still journaled (re-attached when
// they run exactly today's key, cancelled otherwise) and tmp or trash directories in Outdir/.heppy/.
import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseTmpName } from '../chunkdir/swap.js';
import type { ExecutorKind, JournalEntry } from '../exec/executor.js';
import type { BuildEvent } from '../report/events.js';
import { holderAt, lockPath } from '../store/lock.js';
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

/** rmSync's own retries of a leftover it could not remove (ENOTEMPTY, EBUSY, EPERM…), 25 ms more apart each time: ~250 ms in all. */
const RM_RETRIES = 4;
const RM_DELAY_MS = 25;
/** Names in the one warning about leftovers kept. */
const NAMED = 5;

/** The Outdir lock is held by a live process other than this one: what is in `.heppy/` may be its own. */
function lockedByAnother(outdir: string): boolean {
  const h = holderAt(lockPath(outdir));
  if (h === null || h.stale) return false;
  return h.info === null || h.info.pid !== process.pid || h.info.host !== hostname();
}

/**
 * Removes what killed runs left in `Outdir/.heppy/`: tmp dirs never swapped in, trash not yet
 * removed. The build holds the Outdir lock, so no other build, hadd or check --resubmit of this
 * Outdir is running: a tmp dir can only be live when it belongs to a batch job of an earlier build
 * that is still journaled (queued or running; re-attached now, or being cancelled as stale). Those
 * (`<chunk>.<attempt>.<random>` of a journaled chunk and attempt) are kept; the next build removes
 * them once the journal has let go. Trash is the old content of a directory being replaced: always
 * removable. When another live process holds the lock (a caller that did not take it), nothing is
 * removed. A leftover still being written (a local worker of a killed build, until it notices:
 * src/exec/local/worker.ts) or otherwise not removable after brief retries is left for a later
 * build, named in one warning: it is never a result, and no build reads it. Returns the removed
 * entries (`tmp/<name>`, `trash/<name>`).
 */
export function removeLeftovers(outdir: string, journal: readonly JournalEntry[], warn: (message: string) => void = () => {}): string[] {
  if (lockedByAnother(outdir)) {
    warn(`leftovers in ${join(outdir, '.heppy')} not removed: another process holds the Outdir lock`);
    return [];
  }
  const live = new Set(journal.filter((j) => j.executor !== 'local').map((j) => `${j.name ?? j.nodeId}.${j.attempt}`));
  const removed: string[] = [];
  const left: string[] = [];
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
      try {
        rmSync(join(d, e), { recursive: true, force: true, maxRetries: RM_RETRIES, retryDelay: RM_DELAY_MS });
        removed.push(`${sub}/${e}`);
      } catch (err) {
        left.push(`${sub}/${e} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    }
  }
  if (left.length > 0) {
    const more = left.length > NAMED ? ` and ${left.length - NAMED} more` : '';
    warn(`could not remove ${left.length} leftover(s) of an earlier run in ${join(outdir, '.heppy')}, left for a later build: ${left.slice(0, NAMED).join(', ')}${more}`);
  }
  return removed;
}
