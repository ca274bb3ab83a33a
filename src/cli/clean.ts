// `heppy clean`: remove the build's outputs in Outdir and its records in the store.
import { Command, Option } from 'clipanion';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { UserError } from '../util/result.js';
import type { Workspace } from '../engine/workspace.js';

export class CleanCommand extends Command {
  static override paths = [['clean']];
  static override usage = Command.Usage({
    description: 'remove the outputs in Outdir and the cache entries of this Outdir',
    details: `
      Removes every chunk and merged directory heppy made in Outdir (directories holding a
      chunk.json or a heppy-status.json marker) and Outdir/.heppy, forgets the task records and
      batch journal of this Outdir in the store, and removes the output-cache entries of its recorded
      results (another Outdir that had the same results runs them again when it needs them), so the
      next build runs everything (--keep-cache: it restores them from the cache instead). Other files in
      Outdir are left alone. With --records-only, outputs stay and only the records go (the next
      build re-adopts intact chunks from their markers). The records are those of the store the
      Outdir's last build used (its .heppy/plan.json names it), unless --cache-dir is given.
      With --stale, only the directories that \`heppy check\` lists as stale go: chunk and merged
      directories the last build's plan (Outdir/.heppy/plan.json) does not name, left by an earlier
      split or a removed or renamed component; records, cache entries and the planned directories stay.
      Refuses while a build runs on Outdir. Batch jobs an earlier build left queued or running (killed, interrupted or --detach) are cancelled first, as heppy cancel does: forgotten, they would write into the cleaned Outdir.
    `,
    examples: [
      ['Start from scratch', '$0 clean'],
      ['Another output directory', '$0 clean --outdir Out2'],
      ['Remove only what the last build did not plan (an old split, a renamed component)', '$0 clean --stale'],
    ],
  });

  file = Option.String('-f,--file', { description: 'the heppyfile (default ./heppyfile.ts)' });
  outdir = Option.String('--outdir', { description: 'output directory (default: the Config\'s, else Outdir next to the heppyfile)' });
  cacheDir = Option.String('--cache-dir', { description: "the store (default: the one the Outdir's last build used, else cache/ next to the heppyfile)" });
  recordsOnly = Option.Boolean('--records-only', false, { description: 'keep the outputs, forget the records' });
  keepCache = Option.Boolean('--keep-cache', false, { description: 'keep the output-cache entries of the removed outputs (the next build restores them instead of running)' });

  stale = Option.Boolean('--stale', false, { description: "remove only the directories the last build's plan does not name (heppy check lists them as stale)" });

  override async execute(): Promise<number> {
    if (this.stale && (this.recordsOnly || this.keepCache)) throw new UserError('--stale removes only stale directories: it does not go with --records-only or --keep-cache');
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { locateWorkspace, openWorkspace } = await import('../engine/workspace.js');
    const { cleanWorkspace } = await import('../engine/clean.js');
    const loc = await locateWorkspace({ file: this.file, cacheDir: this.cacheDir, outdir: this.outdir }, 'clean');
    if (!existsSync(loc.outdir) && !existsSync(loc.cacheDir)) {
      this.context.stdout.write(`nothing to clean in ${loc.outdir}\n`);
      return 0;
    }
    const ws = openWorkspace(loc, 'clean');
    try {
      if (this.stale) return this.cleanStale(ws, loc.outdir, (await import('../engine/clean.js')).cleanStale);
      const r = await cleanWorkspace(ws, { recordsOnly: this.recordsOnly, keepCache: this.keepCache });
      // Jobs an earlier build left queued or running were cancelled first (else they write into the cleaned Outdir).
      const { abbreviate, formatCancelled } = await import('./cancel.js');
      this.context.stdout.write(formatCancelled(r.jobs));
      const left = r.jobs.notCancelled.map((x) => x.jobId);
      if (left.length > 0) this.context.stdout.write(`not cancelled (ended, on another host, or on a batch system heppy cannot cancel; heppy cancel says which): ${abbreviate(left)}\n`);
      for (const e of r.jobs.errors) this.context.stderr.write(`heppy: ${e}\n`);
      this.context.stdout.write(`removed ${r.dirs} output directories, ${r.records} records and ${r.cached} cached outputs of ${loc.outdir}\n`);
      return 0;
    } finally {
      await ws.close();
    }
  }

  private cleanStale(ws: Workspace, outdir: string, clean: (ws: Workspace) => string[] | null): number {
    const removed = clean(ws);
    if (removed === null) throw new UserError(`${outdir} has no recorded plan (.heppy/plan.json): nothing is known to be stale; heppy clean removes everything`);
    const names = removed.map((d) => relative(outdir, d));
    this.context.stdout.write(`removed ${removed.length} stale directories of ${outdir}${names.length ? `: ${names.join(', ')}` : ''}\n`);
    return 0;
  }
}
