// `heppy check [Outdir | chunk dirs…]`: heppy_check, stricter, with --json and --resubmit.
import { Command, Option } from 'clipanion';
import type { ChunkVerdict, MergedVerdict } from '../check/index.js';
import type { CheckState } from '../engine/fix.js';
import { executorKind, type ExecutorFlags } from '../engine/executors.js';
import { dirname } from 'node:path';
import { acquireLock, type Lock } from '../store/lock.js';
import { formatFailure, UserError } from '../util/result.js';

export class CheckCommand extends Command {
  static override paths = [['check']];
  static override usage = Command.Usage({
    description: 'report bad chunks with the reason for each (exit 1 if any)',
    details: `
      A chunk is good when its log.txt has heppy's "number of events processed: N" line (heppy_check's
      criterion) and, for chunks made by heppy build: its heppy-status.json marker records success and
      exit code 0, N equals the chunk's expected entries (unless an analyzer raised UserStop), every
      recorded output is there with its size, and every ROOT file opens (truncation is caught; about 2 ms
      per file, once: a file that opened and has not changed since is not opened again; \`--quick\` reads
      only each file's header, which still catches truncation).

      With no argument it checks the build's Outdir (the Config's \`outdir\` when ./heppyfile.ts is there,
      else ./Outdir). An argument that is a chunk directory is checked as is; any
      other directory is scanned for chunk directories (\`<comp>_Chunk<N>\` and unsplit components).

      Merged components (\`Outdir/<comp>/\` made by hadd) are checked too: their outputs, and that they hold
      every chunk of the component and no chunk was re-run after them.

      \`--resubmit\` runs each bad chunk again as a new attempt, in \`-j\` local worker processes that run
      it as \`heppy run-chunk\` does, waits for them, then checks again. \`-b 'TEMPLATE'\` submits each one with
      heppy_batch's template instead (run by /bin/sh in the chunk directory, which gets a batchScript.sh),
      \`--executor slurm\` as Slurm jobs; heppy check waits for their markers either way. Then every merged
      component that is out of date, or that the build did not merge because of those chunks, is merged
      (as \`heppy hadd\` does) if all its chunks are good. The next \`heppy build\` runs those chunks again:
      the store did not record their new outputs.
    `,
    examples: [
      ['Check every chunk of Outdir', '$0 check Outdir'],
      ['Check two chunks, machine-readable', '$0 check --json Outdir/ggH_125_Chunk3 Outdir/ZZ_Chunk0'],
      ['Run the bad chunks again locally, two at a time', '$0 check --resubmit -j 2 Outdir'],
      ['Resubmit the bad chunks to LSF, as heppy_check -b did', "$0 check -b 'bsub -q 1nh < batchScript.sh' Outdir"],
      ['Resubmit the bad chunks to Slurm', '$0 check --resubmit --executor slurm Outdir'],
    ],
  });

  dirs = Option.Rest({ name: 'Outdir | chunk dirs' });
  json = Option.Boolean('--json', false, { description: 'print one JSON document instead of text' });
  quick = Option.Boolean('--quick', false, { description: 'check ROOT files by their header only (truncation), without opening them' });
  resubmit = Option.Boolean('--resubmit', false, { description: 'run the bad chunks again, then check again' });
  jobs = Option.String('-j,--jobs', { description: 'local workers for --resubmit (default 2)' });
  executor = Option.String('--executor', { description: 'local (default), command (with -b) or slurm' });
  batch = Option.String('-b,--batch', { description: "heppy_batch's template, run in each bad chunk's directory (implies --resubmit)" });
  partition = Option.String('--partition', { description: 'Slurm partition for --executor slurm' });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { checkChunks, checkMerged, defaultProbe, discoverChunkDirs, headerProbe } = await import('../check/index.js');
    const { fixBad } = await import('../engine/fix.js');
    const { defaultOutdir } = await import('../engine/workspace.js');
    const { ProbeCache } = await import('../check/probe-cache.js');
    const { formatText, toJson } = await import('../check/report.js');
    let args = this.dirs;
    if (args.length === 0) {
      const d = await defaultOutdir();
      if (d.note) this.context.stderr.write(`heppy: ${d.note}\n`);
      args = [d.dir];
    }
    const jobs = this.jobs === undefined ? 2 : Number(this.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(`-j expects a positive integer, got '${this.jobs}'`);
    const choice = this.executorChoice(jobs);
    const found = discoverChunkDirs(args);
    if (found.missing.length > 0) throw new UserError(`no such directory: ${found.missing.join(', ')}`);
    if (found.chunks.length === 0 && found.merged.length === 0) throw new UserError(`no chunk directory found in ${args.join(', ')}`);

    // Files that opened before and have not changed since are not opened again (--quick: header only).
    const cache = new ProbeCache([...new Set([...found.chunks, ...found.merged].map((d) => dirname(d)))]);
    const probe = this.quick ? headerProbe : cache.wrap(defaultProbe);
    const checkAll = async (): Promise<[ChunkVerdict[], MergedVerdict[]]> => {
      const v = await checkChunks(found.chunks, { probe });
      const m: MergedVerdict[] = [];
      // Rediscovered: --resubmit may have made a merged directory that was not there.
      for (const d of discoverChunkDirs(args).merged) m.push(await checkMerged(d, { probe }));
      return [v, m];
    };
    const [verdicts, merged] = await checkAll();
    let state: CheckState = { verdicts, merged };
    if (this.resubmit || this.batch !== undefined) {
      // Resubmitting writes chunk and merged directories: not while a build uses the same Outdir.
      const locks = lockAll([...new Set([...found.chunks, ...found.merged].map((d) => dirname(d)))]);
      try {
        const out = (line: string): void => { if (!this.json) this.context.stdout.write(line); };
        state = await fixBad(state, { choice, probe, recheck: checkAll, out });
      } finally {
        for (const l of locks) l.release();
      }
    }
    cache.save();
    if (this.json) {
      const { resubmitted, remerged } = state;
      const doc = { ...toJson(state.verdicts, state.merged), ...(resubmitted ? { resubmitted } : {}), ...(remerged ? { remerged } : {}) };
      this.context.stdout.write(JSON.stringify(doc, null, 1) + '\n');
    } else {
      this.context.stdout.write(formatText(state.verdicts, undefined, state.merged));
    }
    return state.verdicts.every((v) => v.good) && state.merged.every((m) => m.good) ? 0 : 1;
  }

  private executorChoice(jobs: number): ExecutorFlags {
    const f: ExecutorFlags = { executor: this.executor, batchTemplate: this.batch, jobs, partition: this.partition };
    if (this.batch !== undefined && this.batch.trim() === '') throw new UserError("-b needs a template, e.g. -b 'nohup ./batchScript.sh &'");
    executorKind(f); // flag errors (exit 2) before anything runs
    return f;
  }

}

function lockAll(outdirs: string[]): Lock[] {
  const locks: Lock[] = [];
  for (const o of outdirs) {
    const l = acquireLock(o, 'check --resubmit');
    if (!l.ok) {
      for (const x of locks) x.release();
      throw new UserError(formatFailure(l.error), 1);
    }
    locks.push(l.value);
  }
  return locks;
}
