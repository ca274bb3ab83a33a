// `heppy check [Outdir | chunk dirs…]`: heppy_check, stricter, with --json and --resubmit.
import { Command, Option } from 'clipanion';
import { checkChunks, checkMerged, defaultProbe, discoverChunkDirs, headerProbe, type ChunkVerdict, type MergedVerdict } from '../check/index.js';
import { remergeBad, type RemergeResult } from '../check/remerge.js';
import { displayPath, formatText, toJson } from '../check/report.js';
import { resubmit, type ResubmitResult } from '../check/resubmit.js';
import { byOutdir, describeChoice, makeExecutor, type ExecutorChoice } from '../check/executors.js';
import { assertNever, UserError } from '../util/result.js';

export class CheckCommand extends Command {
  static override paths = [['check']];
  static override usage = Command.Usage({
    description: 'report bad chunks with the reason for each (exit 1 if any)',
    details: `
      A chunk is good when its log.txt has heppy's "number of events processed: N" line (heppy_check's
      criterion) and, for chunks made by heppy build: its heppy-status.json marker records success and
      exit code 0, N equals the chunk's expected entries (unless an analyzer raised UserStop), every
      recorded output is there with its size, and every ROOT file opens (truncation is caught; about 2 ms
      per file; \`--quick\` reads only each file's header, which still catches truncation).

      With no argument it checks ./Outdir. An argument that is a chunk directory is checked as is; any
      other directory is scanned for chunk directories (\`<comp>_Chunk<N>\` and unsplit components).

      Merged components (\`Outdir/<comp>/\` made by hadd) are checked too: their outputs, and that they hold
      every chunk of the component and no chunk was re-run after them.

      \`--resubmit\` runs each bad chunk again as a new attempt, in \`-j\` local worker processes that run
      it as \`heppy run-chunk\` does, waits for them, then checks again. \`-b 'TEMPLATE'\` submits each one with
      heppy_batch's template instead (run by /bin/sh in the chunk directory, which gets a batchScript.sh),
      \`--executor slurm\` as Slurm jobs; heppy check waits for their markers either way. Then every merged
      component that is out of date is merged again, if all its chunks are good.
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
    const args = this.dirs.length > 0 ? this.dirs : ['Outdir'];
    const jobs = this.jobs === undefined ? 2 : Number(this.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(`-j expects a positive integer, got '${this.jobs}'`);
    const choice = this.executorChoice(jobs);
    const found = discoverChunkDirs(args);
    if (found.missing.length > 0) throw new UserError(`no such directory: ${found.missing.join(', ')}`);
    if (found.chunks.length === 0 && found.merged.length === 0) throw new UserError(`no chunk directory found in ${args.join(', ')}`);

    const probe = this.quick ? headerProbe : defaultProbe;
    const checkAll = async (): Promise<[ChunkVerdict[], MergedVerdict[]]> => {
      const v = await checkChunks(found.chunks, { probe });
      const m: MergedVerdict[] = [];
      for (const d of found.merged) m.push(await checkMerged(d, { probe }));
      return [v, m];
    };
    let [verdicts, merged] = await checkAll();
    let resubmitted: ResubmitResult[] | undefined;
    let remerged: RemergeResult[] | undefined;
    const out = (s: string): void => { if (!this.json) this.context.stdout.write(s); };
    if (this.resubmit || this.batch !== undefined) {
      const bad = verdicts.filter((v) => !v.good);
      if (bad.length > 0 || merged.some((m) => !m.good)) out(formatText(verdicts, undefined, merged));
      if (bad.length > 0) {
        out(`resubmitting ${bad.length} bad chunk${bad.length === 1 ? '' : 's'} ${describeChoice(choice)}\n`);
        const hooks = {
          onSubmitted: (d: string, attempt: number, jobId: string) => {
            if (choice.kind !== 'local') out(`${displayPath(d)}: attempt ${attempt} submitted as job ${jobId}\n`);
          },
          onEnded: (r: ResubmitResult) => out(resubmitLine(r)),
        };
        // Batch executors work per Outdir; chunks from several Outdirs run side by side.
        const groups = [...byOutdir(bad.map((v) => v.dir))];
        const done = await Promise.all(groups.map(([outdir, dirs]) => resubmit(dirs, makeExecutor(choice, outdir), hooks)));
        resubmitted = done.flat();
        for (const r of resubmitted) if (r.status === 'not-resubmitted') out(resubmitLine(r));
        [verdicts, merged] = await checkAll();
      }
      if (merged.some((m) => !m.good)) {
        remerged = await remergeBad(merged, verdicts, { probe });
        for (const r of remerged) out(`${displayPath(r.dir)}: ${r.status === 'merged' ? 'merged again' : 'not merged again'} (${r.detail})\n`);
        [verdicts, merged] = await checkAll();
      }
      if (resubmitted || remerged) out('after resubmission:\n');
    }
    if (this.json) {
      const doc = { ...toJson(verdicts, merged), ...(resubmitted ? { resubmitted } : {}), ...(remerged ? { remerged } : {}) };
      this.context.stdout.write(JSON.stringify(doc, null, 1) + '\n');
    } else {
      this.context.stdout.write(formatText(verdicts, undefined, merged));
    }
    return verdicts.every((v) => v.good) && merged.every((m) => m.good) ? 0 : 1;
  }

  private executorChoice(jobs: number): ExecutorChoice {
    const kind = this.executor ?? (this.batch !== undefined ? 'command' : 'local');
    switch (kind) {
      case 'local':
      case 'slurm':
        if (this.batch !== undefined) throw new UserError(`-b goes with --executor command, not ${kind}`);
        return { kind, jobs, ...(this.partition !== undefined ? { partition: this.partition } : {}) };
      case 'command':
        if (this.batch === undefined || this.batch.trim() === '') throw new UserError("--executor command needs -b 'TEMPLATE', e.g. -b 'nohup ./batchScript.sh &'");
        return { kind, jobs, template: this.batch };
      default:
        throw new UserError(`--executor must be local, command or slurm, not '${kind}'`);
    }
  }

}

function resubmitLine(r: ResubmitResult): string {
  const where = displayPath(r.dir);
  switch (r.status) {
    case 'not-resubmitted': return `${where}: not resubmitted: ${r.detail}\n`;
    case 'succeeded': return `${where}: attempt ${r.attempt} succeeded (${r.detail})\n`;
    case 'failed': return `${where}: attempt ${r.attempt} failed: ${r.detail}\n`;
    default: return assertNever(r.status, 'resubmit status');
  }
}
