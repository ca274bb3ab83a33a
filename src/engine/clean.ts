// `heppy clean`: under the Outdir lock (engine/workspace.ts), forget the task records and batch
// journal of the Outdir in its build's store, and (unless records only) remove every directory
// heppy made in the Outdir (a chunk.json or a marker in it), Outdir/.heppy except the lock, and the
// output-cache entries of the results recorded for it (else the next build would restore them all
// instead of starting from scratch; --keep-cache keeps them). First it cancels the batch jobs an
// earlier build left queued or running (as heppy cancel): forgotten by the journal, they would
// write their results into the cleaned Outdir (and, while it is removed, race with rmSync).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OutputCache } from '../cache/output-cache.js';
import { CHUNK_SPEC_FILE, MARKER_FILE } from '../chunkdir/layout.js';
import { staleDirs } from '../check/plan-view.js';
import { cancelOutdirJobs, type CancelReport } from './cancel.js';
import type { Workspace } from './workspace.js';

export interface CleanReport {
  /** Chunk and merged directories removed. */
  dirs: number;
  /** Task records forgotten (with the Outdir's journal). */
  records: number;
  /** Output-cache entries removed (the keys of its successful records). */
  cached: number;
  /** The batch jobs cancelled first, and those that could not be (with why). */
  jobs: CancelReport;
}

/**
 * `heppy clean --stale`: under the Outdir lock, remove only the chunk and merged directories the last
 * build's plan does not name (an earlier split, a removed or renamed component). Records, the cache
 * and the planned directories stay. Null when the Outdir has no recorded plan (nothing is known stale).
 */
export function cleanStale(ws: Workspace): string[] | null {
  const stale = staleDirs(ws.outdir);
  for (const d of stale ?? []) rmSync(d, { recursive: true, force: true });
  return stale;
}

export async function cleanWorkspace(ws: Workspace, opts: { recordsOnly: boolean; keepCache?: boolean }): Promise<CleanReport> {
  const jobs = await cancelOutdirJobs(ws.outdir, ws.store?.listJobs() ?? [], { slurm: false });
  let cached = 0;
  if (ws.store && !opts.recordsOnly && !opts.keepCache) {
    const cache = OutputCache.open(ws.cacheDir);
    for (const rec of ws.store.allTasks().values()) {
      if (rec.status !== 'ok' || cache.entry(rec.key) === null) continue;
      cache.remove(rec.key);
      cached++;
    }
  }
  const records = ws.store ? await ws.store.clearOutdir() : 0;
  let dirs = 0;
  if (!opts.recordsOnly && existsSync(ws.outdir)) {
    for (const d of readdirSync(ws.outdir, { withFileTypes: true })) {
      if (!d.isDirectory() || d.name === '.heppy') continue;
      const p = join(ws.outdir, d.name);
      if (existsSync(join(p, CHUNK_SPEC_FILE)) || existsSync(join(p, MARKER_FILE))) {
        rmSync(p, { recursive: true, force: true });
        dirs++;
      }
    }
    const own = join(ws.outdir, '.heppy');
    // The lock is ours until the workspace closes: everything else of .heppy goes (plan, bundles, batch files).
    if (existsSync(own)) for (const d of readdirSync(own)) if (join(own, d) !== ws.lock.path) rmSync(join(own, d), { recursive: true, force: true });
  }
  return { dirs, records, cached, jobs };
}
