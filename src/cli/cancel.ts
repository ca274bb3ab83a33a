// `heppy cancel`: cancel the batch jobs (Slurm arrays, -b template jobs) that a build of this
// Outdir left queued or running (after Ctrl-C, --detach or a lost session), and forget them.
import { Command, Option } from 'clipanion';
import type { CancelReport } from '../engine/cancel.js';

export class CancelCommand extends Command {
  static override paths = [['cancel']];
  static override usage = Command.Usage({
    description: 'cancel the batch jobs a build of this Outdir left queued or running',
    details: `
      A \`heppy build\` on Slurm or with -b leaves its jobs running when it is interrupted (Ctrl-C,
      a lost ssh session) or run with --detach; the next build re-attaches to them. \`heppy cancel\`
      instead cancels them: every Slurm job of the Outdir's builds (found among your jobs by the
      Outdir's job-name prefix heppy-<hash>, even one a killed build never recorded)
      and every journaled -b job (bkill, condor_rm, scancel, qdel, or the process group of a nohup
      job on this host), then empties the job journal, so that the next build submits afresh.
      Refuses while a build holds the Outdir: stop that one first (Ctrl-C).
    `,
    examples: [
      ['Cancel the jobs of the build of ./heppyfile.ts', '$0 cancel'],
      ['Another Outdir', '$0 cancel --outdir /scratch/me/Out2018'],
    ],
  });

  file = Option.String('-f,--file', { description: 'the heppyfile (default ./heppyfile.ts), to find its Outdir and cache' });
  outdir = Option.String('--outdir', { description: 'output directory (default: the Config\'s, else Outdir next to the heppyfile)' });
  cacheDir = Option.String('--cache-dir', { description: "the store (default: the one the Outdir's last build used, else cache/ next to the heppyfile)" });
  options = Option.Array('-o,--option', [], { description: 'global options, as given to build (they may choose the Outdir)' });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { locateWorkspace, openWorkspace } = await import('../engine/workspace.js');
    const { cancelWorkspace } = await import('../engine/cancel.js');
    const loc = await locateWorkspace({ file: this.file, cacheDir: this.cacheDir, outdir: this.outdir, options: this.options }, 'cancel');
    const ws = openWorkspace(loc, 'cancel', '; stop that build first (Ctrl-C leaves its jobs queued), then heppy cancel');
    try {
      const r = await cancelWorkspace(ws);
      const out = this.context.stdout;
      const n = r.slurm.length + r.command.length;
      out.write(formatCancelled(r));
      out.write(formatNotCancelled(r.notCancelled));
      for (const e of r.errors) this.context.stderr.write(`heppy: ${e}\n`);
      if (n === 0 && r.notCancelled.length === 0 && r.errors.length === 0) out.write(`no queued or running jobs for ${loc.outdir}\n`);
      if (r.forgotten > 0) out.write(`forgot ${r.forgotten} journal entr${r.forgotten === 1 ? 'y' : 'ies'}; the next heppy build submits what is still out of date\n`);
      return r.errors.length > 0 ? 1 : 0;
    } finally {
      await ws.close();
    }
  }
}

/** The lines naming the jobs cancelled (Slurm's, then those of -b templates); '' when none. */
export function formatCancelled(r: CancelReport): string {
  let text = '';
  if (r.slurm.length > 0) text += `cancelled ${r.slurm.length} Slurm job${r.slurm.length === 1 ? '' : 's'}: ${abbreviate(r.slurm)}\n`;
  if (r.command.length > 0) text += `cancelled ${r.command.length} batch job${r.command.length === 1 ? '' : 's'}: ${abbreviate(r.command)}\n`;
  return text;
}

/**
 * The jobs not cancelled, one line per reason: after --detach most jobs have simply ended, and a
 * line for each of hundreds of them would hide the few that need the user's own cancel command.
 */
export function formatNotCancelled(jobs: CancelReport['notCancelled']): string {
  const byWhy = new Map<string, string[]>();
  for (const j of jobs) byWhy.set(j.why, [...(byWhy.get(j.why) ?? []), j.jobId]);
  let text = '';
  for (const [why, ids] of byWhy) text += `not cancelled (${why}): ${ids.length} job${ids.length === 1 ? '' : 's'}: ${abbreviate(ids)}\n`;
  return text;
}

export function abbreviate(ids: string[]): string {
  return ids.length <= 8 ? ids.join(' ') : `${ids.slice(0, 8).join(' ')} … (${ids.length - 8} more)`;
}
