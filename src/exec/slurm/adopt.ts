// Re-attaching a build to the Slurm jobs an earlier, interrupted build journaled.
import type { JournalEntry } from '../executor.js';
import { pidsWith } from '../batch/proc-scan.js';
import { trackedFromJournal, trackKey, type Tracked } from '../batch/tracker.js';
import type { SlurmContext } from './context.js';
import type { SlurmPoller } from './poll.js';

/**
 * Re-attaches to the journal's entries: a marker of the attempt ends it at once; otherwise the
 * job is looked up in squeue, then sacct — by its id, or, for an entry journaled before sbatch
 * answered, by its sbatch call's name and array task. A job neither knows was never submitted
 * (or is long gone without a result): not adopted, the build submits the chunk again. When
 * Slurm does not answer, every entry is kept and the poll rounds decide.
 */
export async function adoptEntries(c: SlurmContext, poller: SlurmPoller, entries: JournalEntry[]): Promise<JournalEntry[]> {
  const adopted: JournalEntry[] = [];
  const waiting: [JournalEntry, Tracked][] = [];
  for (const e of entries) {
    if (e.executor !== 'slurm' || e.chunkDir === undefined) continue;
    const t = trackedFromJournal({ ...e, chunkDir: e.chunkDir }, c.outdir);
    c.tracker.add(t);
    if (c.tracker.checkMarker(t)) adopted.push(e);
    else waiting.push([e, t]);
  }
  if (waiting.length === 0) return adopted;
  await submittersGone(waiting.map(([, t]) => t), c.client.timeoutMs);
  const queue = await c.q.squeue(c.tracker.inflight.values());
  if (queue === null) return [...adopted, ...waiting.map(([e]) => e)];
  const missing: [JournalEntry, Tracked][] = [];
  for (const [e, t] of waiting) {
    const s = poller.stateOf(t, queue);
    if (s) {
      poller.applyState(t, s, Date.now());
      adopted.push(e);
    } else missing.push([e, t]);
  }
  if (missing.length === 0) return adopted;
  const acct = await c.q.sacct(missing.map(([, t]) => t));
  for (const [e, t] of missing) {
    const s = acct !== null ? poller.stateOf(t, acct) : undefined;
    if (s) {
      poller.applyState(t, s, Date.now());
      adopted.push(e);
    } else {
      c.tracker.inflight.delete(trackKey(t.job.nodeId, t.job.attempt));
    }
  }
  return adopted;
}

/**
 * Waits (up to `timeoutMs`) until no sbatch of these attempts' calls is still running on this
 * host: the sbatch of a build killed while it submitted lives on and may yet submit, so the job
 * is looked for by name only once it has ended.
 */
async function submittersGone(ts: Tracked[], timeoutMs: number): Promise<void> {
  const names = [...new Set(ts.filter((t) => t.jobId === '' && t.jobName !== undefined).map((t) => t.jobName!))];
  const live = (): boolean => names.some((n) => pidsWith('cmdline', `--job-name=${n}`).length > 0);
  for (const t0 = Date.now(); names.length > 0 && live() && Date.now() - t0 < timeoutMs;) await new Promise((r) => setTimeout(r, 200));
}
