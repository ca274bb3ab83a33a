// `heppy build`: plan, run what is out of date through the chosen executor, merge, summarize.
import { Command, Option } from 'clipanion';
import type { BuildEvent, Reporter, Summary } from '../report/events.js';
import { JsonReporter } from '../report/json.js';
import { PlainReporter } from '../report/plain.js';
import { TtyReporter } from '../report/tty.js';
import { UserError } from '../util/result.js';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, type RetryPolicy } from '../exec/retry-policy.js';
import { runBuild } from '../engine/build.js';
import { defaultJobs, executorKind, prewarmExecutor } from '../engine/executors.js';
import { parseSize } from './cache.js';
import { openSession } from '../engine/session.js';
import { timingMark } from '../util/timing.js';
import { parseFanIn } from './session-flags.js';
import { resolveLumi } from '../engine/build-record.js';

const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UserError(`${name} must be a whole number, got '${v}'`);
  return Number(v);
};

export class BuildCommand extends Command {
  static override paths = [['build']];
  static override usage = Command.Usage({
    description: 'build the graph, run what is out of date, merge each component, print a summary',
    details: `
      Splits every component of the heppyfile into chunks, runs each chunk whose key (code, config,
      options, -N, input file contents) changed since its last success or whose outputs changed,
      merges ("hadd") the chunks of each split component, and prints a summary. Exit 0 only when
      every node succeeded; 1 when a chunk or merge failed (the summary names each with its log);
      2 for a bad heppyfile or flag. A second build on the same Outdir while one runs refuses.
    `,
    examples: [
      ['Build the analysis in ./heppyfile.ts with 4 local workers', '$0 build -j 4'],
      ['Another heppyfile and output directory, 1000 events per chunk', '$0 build -f ana/heppyfile.ts --outdir Out -N 1000'],
      ['A global option read with getOption()', '$0 build -o era=2018 -o verbose'],
      ['What would run, and why', '$0 build --dry-run'],
      ['On Slurm', '$0 build --executor slurm --partition short --time 0:30:00'],
      ['On Slurm; a job out of memory is resubmitted with 1.5 times the memory, up to 8G', '$0 build --executor slurm --mem 2G --max-mem 8G'],
      ['Retry analysis failures too (they are final by default), waiting 30 s before resubmitting after a batch-system failure', '$0 build --retry-all --retry-delay 30'],
      ['heppy_batch style on LSF', "$0 build -b 'bsub -q 1nh < batchScript.sh'"],
      ['Background jobs on this machine, heppy_batch style', "$0 build -b 'nohup ./batchScript.sh &'"],
      ['Submit to Slurm and return at once (build again later to collect and merge)', '$0 build --executor slurm --detach'],
      ['Machine-readable events (NDJSON)', '$0 build --json'],
    ],
  });

  file = Option.String('-f,--file', { description: 'the heppyfile (default ./heppyfile.ts)' });
  outdir = Option.String('--outdir', { description: 'output directory (default: the Config\'s, else Outdir next to the heppyfile)' });
  cacheDir = Option.String('--cache-dir', { description: 'the store (default cache/ next to the heppyfile)' });
  jobs = Option.String('-j,--jobs', { description: 'local workers (default: number of cores)' });
  nevents = Option.String('-N,--nevents', { description: 'events per chunk cap (as heppy_loop -N)' });
  options = Option.Array('-o,--option', [], { description: 'global option key=value or flag (repeatable), read with getOption()' });
  mergeFanIn = Option.String('--merge-fan-in', { description: 'inputs per merge node: a component of more chunks is merged as a tree, so one changed chunk re-merges only the nodes on its path (default: the Config\'s mergeFanIn, else 16)' });
  executor = Option.String('--executor', { description: 'local (default), slurm or command' });
  batch = Option.String('-b,--batch', { description: "heppy_batch template, e.g. 'nohup ./batchScript.sh &' (implies --executor command)" });
  partition = Option.String('--partition', { description: 'slurm: partition' });
  time = Option.String('--time', { description: 'batch: time limit per job, e.g. 1:00:00 (slurm: sbatch --time; -b: no marker by then fails the attempt, default 48 h)' });
  mem = Option.String('--mem', { description: 'slurm: memory per job, e.g. 2G' });
  chunksPerJob = Option.String('--chunks-per-job', { description: 'slurm: chunks run by one array task (default 1)' });
  pollInterval = Option.String('--poll-interval', { description: 'batch: seconds between polls' });
  sbatchArgs = Option.Array('--sbatch-arg', [], { description: "slurm: extra sbatch argument, repeatable (e.g. --sbatch-arg=--account=cms)" });
  maxQueries = Option.String('--max-queries-per-minute', { description: 'slurm: bound on squeue/sacct calls per minute (default 12; markers are read every poll anyway)' });
  detach = Option.Boolean('--detach', false, { description: 'batch: submit, then exit; the jobs stay queued (build again to collect, heppy cancel to cancel)' });
  retries = Option.String('--retries', '2', { description: 'retries of a chunk whose failure may pass (infrastructure, resource; default 2)' });
  retryAll = Option.Boolean('--retry-all', false, { description: 'also retry input, analysis and schema failures (they are final by default: they fail the same way again)' });
  retryDelay = Option.String('--retry-delay', { description: `seconds before the first retry after an infrastructure failure, doubled each time up to ${DEFAULT_BACKOFF_MAX_MS / 60_000} min (default ${DEFAULT_BACKOFF_BASE_MS / 1000})` });
  maxMem = Option.String('--max-mem', { description: 'slurm: an out-of-memory job is resubmitted with 1.5 times the memory, up to this (e.g. 16G; default 4 times --mem)' });
  maxTime = Option.String('--max-time', { description: 'slurm: a job over its time limit is resubmitted with 1.5 times the time, up to this (default 4 times --time)' });
  keepGoing = Option.Boolean('--keep-going', true, { description: 'go on with other chunks after a failure (default; --no-keep-going stops)' });
  deep = Option.Boolean('--deep', false, { description: 'digest remote inputs (root://, http://) by reading their content instead of trusting the server\'s size, mtime and checksum' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'list what would run and why; run nothing' });
  report = Option.Boolean('--report', false, { description: 'write Outdir/report.html at the end (as heppy report)' });
  json = Option.Boolean('--json', false, { description: 'NDJSON events on stdout' });
  cache = Option.Boolean('--cache', true, { description: 'restore a node from the output cache (cache/outputs/) when its key is there, and keep every success there (default; --no-cache does neither)' });
  force = Option.Boolean('--force', false, { description: 'run every node even if up to date' });
  verbose = Option.Boolean('-v,--verbose', false, { description: 'a line per chunk started' });
  typecheck = Option.Boolean('--typecheck', true, { description: 'type-check the heppyfile and its local modules when they changed (default; --no-typecheck skips it)' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'print only warnings, failures and the summary' });
  progressInterval = Option.String('--progress-interval', { description: 'without a terminal: seconds between progress lines (default 10; 0: none)' });

  override async execute(): Promise<number> {
    const { retry, exFlags, cacheMax } = this.runFlags(); // flag errors before anything is loaded
    // A closed stdout (`heppy build | head`) must not kill a build: its output is just dropped.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') throw err; });
    const reporter = this.makeReporter();
    const emit = (e: BuildEvent): void => reporter.event(e);
    // A bad -o lumi= is a usage error before anything is loaded or written.
    for (const o of this.options) if (o === 'lumi' || o.startsWith('lumi=')) resolveLumi(o === 'lumi' ? true : o.slice(5), null, []);
    const s = await openSession({ file: this.file, cacheDir: this.cacheDir, outdir: this.outdir, options: this.options,
      maxEvents: int('-N', this.nevents), mergeFanIn: parseFanIn(this.mergeFanIn), force: this.force, typecheck: this.typecheck, deep: this.deep, lock: this.dryRun ? undefined : 'build', explain: this.dryRun,
      netRetry: { policy: retry, notice: (line) => process.stderr.write(`heppy: infrastructure: ${line}\n`) },
      ...(this.dryRun ? {} : { onOutdir: (outdir: string, chunks: number) => prewarmExecutor(exFlags, outdir, chunks) }) });
    timingMark('');
    const ac = new AbortController();
    const onSignal = (): void => ac.abort();
    // on, not once: execa's signal-exit re-raises a signal it sees with no other listener left,
    // and a once-listener is removed before the listeners run (Ctrl-C then killed the build).
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      // Loaded only when something is to run (a no-op build restores and prunes nothing); --dry-run
      // only reads it (what would be restored).
      const work = [...s.plan.nodes.values()].some((n) => !n.upToDate);
      const cache = work && this.cache && !this.force ? (await import('../cache/output-cache.js')).OutputCache.open(s.store.cacheDir, cacheMax) : null;
      const { summary, queued } = await runBuild(s, { executor: exFlags, retry, keepGoing: this.keepGoing, detach: this.detach, dryRun: this.dryRun,
        signal: ac.signal, emit, cache });
      if (summary === undefined) return 0;
      return await this.conclude(s.outdir, summary, queued, ac.signal, emit);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      reporter.close();
      timingMark('reported');
      await s.close();
      timingMark('session closed (commit, snapshot)');
    }
  }

  /** The retry policy, the executor's flags and the cache's size limit, each flag checked. */
  private runFlags(): { retry: RetryPolicy; exFlags: Parameters<typeof executorKind>[0]; cacheMax: number | undefined } {
    const retries = int('--retries', this.retries)!;
    const delay = this.retryDelay === undefined ? DEFAULT_BACKOFF_BASE_MS / 1000 : Number(this.retryDelay);
    if (this.retryDelay !== undefined && !(Number.isFinite(delay) && delay >= 0)) throw new UserError(`--retry-delay must be a number of seconds, got '${this.retryDelay}'`);
    const retry = { retries, retryAll: this.retryAll, backoffBaseMs: delay * 1000, backoffMaxMs: Math.max(delay * 1000, DEFAULT_BACKOFF_MAX_MS) };
    const jobs = int('-j', this.jobs);
    if (jobs === 0) throw new UserError('-j must be at least 1');
    const poll = this.pollInterval === undefined ? undefined : Number(this.pollInterval);
    if (poll !== undefined && !(poll > 0)) throw new UserError(`--poll-interval must be a positive number of seconds, got '${this.pollInterval}'`);
    const exFlags = { executor: this.executor, batchTemplate: this.batch, jobs: jobs ?? defaultJobs(), partition: this.partition, time: this.time,
      mem: this.mem, chunksPerJob: int('--chunks-per-job', this.chunksPerJob), pollIntervalMs: poll === undefined ? undefined : poll * 1000,
      sbatchArgs: this.sbatchArgs, maxQueriesPerMinute: this.maxQueries === undefined ? undefined : Number(this.maxQueries),
      maxMem: this.maxMem, maxTime: this.maxTime };
    const kind = executorKind(exFlags);
    const cacheMax = cacheMaxBytes();
    if (this.detach && kind === 'local') throw new UserError('--detach is for batch executors (--executor slurm, or -b TEMPLATE)');
    return { retry, exFlags, cacheMax };
  }

  /** JSON lines (--json), the live display on a terminal, or plain lines. */
  private makeReporter(): Reporter {
    const interval = this.progressInterval === undefined ? 10 : Number(this.progressInterval);
    if (!(interval >= 0)) throw new UserError(`--progress-interval must be a number of seconds (0: none), got '${this.progressInterval}'`);
    const reporter: Reporter = this.json ? new JsonReporter()
      : process.stdout.isTTY && !this.dryRun && !this.quiet ? new TtyReporter()
      : new PlainReporter(process.stdout, { verbose: this.verbose, quiet: this.quiet, intervalMs: interval * 1000 });
    return reporter;
  }

  /** After the run: the summary, the report, and the exit code (130 when interrupted, 1 when anything failed). */
  private async conclude(outdir: string, summary: Summary, queued: number, signal: AbortSignal, emit: (e: BuildEvent) => void): Promise<number> {
    if (this.detach && !signal.aborted) {
      process.stderr.write(`heppy: detached; ${queued} batch job${queued === 1 ? '' : 's'} queued or running. Run the same heppy build again to collect them and merge (it re-attaches, nothing is submitted twice), or heppy cancel to cancel them\n`);
      return summary.failed > 0 ? 1 : 0;
    }
    emit({ type: 'summary', summary });
    if (this.report) {
      // Loaded only when asked for: it pulls in jsroot's writer side and the report page.
      const { writeReport } = await import('../report/html/index.js');
      const rep = await writeReport(outdir);
      if (rep.ok) process.stdout.write(`heppy: report ${rep.value.path}\n`);
      else process.stderr.write(`heppy: the report could not be written: ${rep.error.reason}\n`);
    }
    if (signal.aborted && queued > 0) {
      process.stderr.write(`heppy: interrupted; ${queued} batch job${queued === 1 ? ' is' : 's are'} left queued or running. Run the same heppy build again to re-attach to them (nothing is submitted twice), or heppy cancel to cancel them\n`);
      return 130;
    }
    if (signal.aborted) {
      process.stderr.write('heppy: interrupted; finished chunks are kept, the next build goes on from there\n');
      return 130;
    }
    return summary.failed > 0 || summary.skipped > 0 ? 1 : 0;
  }
}

/** The output cache's size limit: HEPPY_CACHE_MAX_SIZE (bytes, or with K/M/G/T), default 20 GiB. */
function cacheMaxBytes(): number | undefined {
  const v = process.env.HEPPY_CACHE_MAX_SIZE;
  if (v === undefined || v === '') return undefined;
  const n = parseSize(v);
  if (n === null) throw new UserError(`HEPPY_CACHE_MAX_SIZE must be a size such as 20G or 500M, got '${v}'`);
  return n;
}
