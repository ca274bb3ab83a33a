// `heppy check [Outdir | chunk dirs…]`: heppy_check, stricter, with --json and --resubmit.
import { Command, Option } from 'clipanion';
import type { CheckState } from '../engine/fix.js';
import type { RootProbe } from '../check/root-probe.js';
import { executorKind, type ExecutorFlags } from '../engine/executors.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../util/result.js';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS } from '../exec/retry-policy.js';
import { outdirArgument } from './outdir-arg.js';

/** What a check found: the verdicts, the stale directories, and (--verify) those it could not verify. */
type Checked = CheckState & { stale: string[]; unverified?: string[] };

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
      (as \`heppy hadd\` does) if all its chunks are good. In a build's Outdir the chunks go through the
      build's engine and are recorded in its store, so the next \`heppy build\` with the same flags has
      nothing to do for them. That store is the one the build used (its plan records it); \`--cache-dir\`
      names another, as build's \`--cache-dir\` does (a cache moved since the build).
    `,
    examples: [
      ['Check every chunk of Outdir', '$0 check Outdir'],
      ['Check two chunks, machine-readable', '$0 check --json Outdir/ggH_125_Chunk3 Outdir/ZZ_Chunk0'],
      ['Run the bad chunks again locally, two at a time', '$0 check --resubmit -j 2 Outdir'],
      ['Resubmit the bad chunks to LSF, as heppy_check -b did', "$0 check -b 'bsub -q 1nh < batchScript.sh' Outdir"],
      ['Resubmit the bad chunks to Slurm', '$0 check --resubmit --executor slurm Outdir'],
      ['Record the resubmission in the store the build was given with --cache-dir, since moved', '$0 check --resubmit --cache-dir /scratch/heppy-cache Outdir'],
      ['... with the memory and time the build was given', '$0 check --resubmit --executor slurm --mem 2G --time 1:00:00 Outdir'],
    ],
  });

  dirs = Option.Rest({ name: 'Outdir | chunk dirs' });
  json = Option.Boolean('--json', false, { description: 'print one JSON document instead of text' });
  quick = Option.Boolean('--quick', false, { description: 'check ROOT files by their header only (truncation), without opening them' });
  verify = Option.Boolean('--verify', false, { description: 'also compare every result file, by content, with the digest recorded when it was built (its output-cache entry): a file changed in place is named' });
  resubmit = Option.Boolean('--resubmit', false, { description: 'run the bad chunks again, then check again' });
  jobs = Option.String('-j,--jobs', { description: 'local workers for --resubmit (default 2)' });
  executor = Option.String('--executor', { description: 'local (default), command (with -b) or slurm' });
  batch = Option.String('-b,--batch', { description: "heppy_batch's template, run in each bad chunk's directory (implies --resubmit)" });
  cacheDir = Option.String('--cache-dir', { description: "--resubmit: the store to record the runs in, as build's --cache-dir (default: the one the last build used, as its plan records)" });
  partition = Option.String('--partition', { description: 'Slurm partition for --executor slurm' });
  time = Option.String('--time', { description: 'batch: time limit per job, as for build (slurm: sbatch --time; -b: no marker by then fails the attempt)' });
  mem = Option.String('--mem', { description: 'slurm: memory per job, e.g. 2G (as given to the build: without it the cluster\'s default)' });
  maxMem = Option.String('--max-mem', { description: 'slurm: an out-of-memory job is resubmitted with 1.5 times the memory, up to this (default 4 times --mem)' });
  maxTime = Option.String('--max-time', { description: 'slurm: a job over its time limit is resubmitted with 1.5 times the time, up to this (default 4 times --time)' });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { defaultProbe, discoverChunkDirs, headerProbe } = await import('../check/index.js');
    const { judge } = await import('../check/judge.js');
    const { ProbeCache } = await import('../check/probe-cache.js');
    const args = this.dirs.length > 0 ? this.dirs : [await outdirArgument(undefined, this.context.stderr)];
    const jobs = this.jobs === undefined ? 2 : Number(this.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(`-j expects a positive integer, got '${this.jobs}'`);
    const choice = this.executorChoice(jobs);
    if (this.verify && (this.resubmit || this.batch !== undefined)) throw new UserError('--verify checks, --resubmit re-runs: run heppy check --verify after the resubmission');
    const cacheDir = await this.cacheDirChoice();
    const found = discoverChunkDirs(args);
    if (found.missing.length > 0) throw new UserError(`no such directory: ${found.missing.join(', ')}`);
    const { refuseNewer } = await import('../cache/format.js');
    for (const a of args) refuseNewer('outdir', resolve(a));   // a newer heppy's .heppy: its plan is not read
    const planned = args.some((a) => existsSync(join(resolve(a), '.heppy', 'plan.json')));
    if (found.chunks.length === 0 && found.merged.length === 0 && !planned) throw new UserError(`no chunk directory found in ${args.join(', ')}`);

    // Files that opened before and have not changed since are not opened again (--quick: header only).
    const cache = new ProbeCache([...new Set([...found.chunks, ...found.merged].map((d) => dirname(d)))]);
    const probe = this.quick ? headerProbe : cache.wrap(defaultProbe);
    const state = this.resubmit || this.batch !== undefined ? await this.resubmitted(args, choice, cacheDir, probe) : await judge(args, probe, this.verify);
    cache.save();
    await this.print(args, state);
    return state.verdicts.every((v) => v.good) && state.merged.every((m) => m.good) ? 0 : 1;
  }

  /** --resubmit, -b: the chunks judged bad run again (and what they feed merged), with plain progress lines unless --json. */
  private async resubmitted(args: string[], choice: ExecutorFlags, cacheDir: string | undefined, probe: RootProbe): Promise<Checked> {
    const { checkAndResubmit } = await import('../engine/check-resubmit.js');
    const { PlainReporter } = await import('../report/plain.js');
    const out = (line: string): void => { if (!this.json) this.context.stdout.write(line); };
    const reporter = this.json ? null : new PlainReporter(process.stdout, { verbose: false, quiet: false, intervalMs: 0 });
    const ac = new AbortController();
    const onSignal = (): void => ac.abort();
    process.on('SIGINT', onSignal);
    try {
      return await checkAndResubmit(args, { executor: choice, ...(cacheDir !== undefined ? { cacheDir } : {}), retry: { retries: 2, retryAll: false, backoffBaseMs: DEFAULT_BACKOFF_BASE_MS, backoffMaxMs: DEFAULT_BACKOFF_MAX_MS },
        probe, signal: ac.signal, out, emit: (e) => reporter?.event(e) });
    } finally {
      process.off('SIGINT', onSignal);
      reporter?.close();
    }
  }

  /** The verdicts: one JSON document (--json), or the plan and busy lines of each outdir, then the table. */
  private async print(args: string[], state: Checked): Promise<void> {
    const { formatText, toJson, displayPath } = await import('../check/report.js');
    const { busyLine, planLine } = await import('../check/plan-view.js');
    if (this.json) {
      const { resubmitted, remerged } = state;
      const doc = { ...toJson(state.verdicts, state.merged), stale: state.stale, ...(state.unverified ? { unverified: state.unverified } : {}), ...(resubmitted ? { resubmitted } : {}), ...(remerged ? { remerged } : {}) };
      this.context.stdout.write(JSON.stringify(doc, null, 1) + '\n');
      return;
    }
    for (const a of args) {
      const line = planLine(resolve(a), displayPath(resolve(a)));
      if (line !== null) this.context.stdout.write(`${line}\n`);
      // Not under --resubmit: it holds the lock itself, and refuses while another process does.
      const busy = this.resubmit || this.batch !== undefined ? null : busyLine(resolve(a), displayPath(resolve(a)));
      if (busy !== null) this.context.stdout.write(`${busy}\n`);
    }
    if (state.stale.length > 0) {
      this.context.stdout.write(`stale (not in the last build's plan: an earlier split, a removed or renamed component; not judged, never merged; heppy clean --stale removes them): ${state.stale.map((d) => displayPath(d)).join(', ')}\n`);
    }
    this.context.stdout.write(formatText(state.verdicts, undefined, state.merged));
    if (state.unverified !== undefined && state.unverified.length > 0) {
      this.context.stdout.write(`not verified (no digests recorded: built with --no-cache, or its cache entry evicted): ${state.unverified.map((d) => displayPath(d)).join(', ')}\n`);
    }
  }

  /** --cache-dir, checked as build checks it (a newer heppy's cache, a file, not writable: exit 2). */
  private async cacheDirChoice(): Promise<string | undefined> {
    if (this.cacheDir === undefined) return undefined;
    if (!this.resubmit && this.batch === undefined) throw new UserError('--cache-dir is the store --resubmit records its runs in: give it with --resubmit or -b');
    const dir = resolve(this.cacheDir);
    const { refuseNewer } = await import('../cache/format.js');
    const { cacheDirProblem } = await import('../store/open.js');
    refuseNewer('cache', dir);
    const why = cacheDirProblem(dir);
    if (why !== null) throw new UserError(why);
    return dir;
  }

  private executorChoice(jobs: number): ExecutorFlags {
    const f: ExecutorFlags = { executor: this.executor, batchTemplate: this.batch, jobs, partition: this.partition, time: this.time, mem: this.mem,
      maxMem: this.maxMem, maxTime: this.maxTime };
    if (this.batch !== undefined && this.batch.trim() === '') throw new UserError("-b needs a template, e.g. -b 'nohup ./batchScript.sh &'");
    executorKind(f); // flag errors (exit 2) before anything runs
    return f;
  }

}

