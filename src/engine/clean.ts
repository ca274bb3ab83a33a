// `heppy clean`: under the Outdir lock (engine/workspace.ts), forget the task records and batch
// journal of the Outdir in its build's store, and (unless records only) remove every directory
// heppy made in the Outdir (a chunk.json or a marker in it) and Outdir/.heppy except the lock.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK_SPEC_FILE, MARKER_FILE } from '../chunkdir/layout.js';
import type { Workspace } from './workspace.js';

export interface CleanReport {
  /** Chunk and merged directories removed. */
  dirs: number;
  /** Task records and journal entries forgotten. */
  records: number;
}

export async function cleanWorkspace(ws: Workspace, opts: { recordsOnly: boolean }): Promise<CleanReport> {
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
  return { dirs, records };
}
