// Constructing the executor chosen by `heppy build --executor local|slurm|command` / `-b TEMPLATE`.
// The batch executors are loaded lazily (a local build never loads them) and by URL, so that this
// file does not fix their module layout at compile time.
import { availableParallelism } from 'node:os';
import type { Executor, ExecutorKind, JournalEntry } from '../exec/executor.js';
import { parseSlurmTime } from '../exec/batch/time.js';
import { templateSyntaxProblem } from '../exec/command/template.js';
import { LocalPool, type LocalPoolOptions } from '../exec/local/pool.js';
import { existsSync } from 'node:fs';
import { planFile } from '../chunkdir/layout.js';
import { assertNever, UserError } from '../util/result.js';

export interface ExecutorFlags {
  executor?: string;
  batchTemplate?: string;
  jobs?: number;
  partition?: string;
  time?: string;
  mem?: string;
  chunksPerJob?: number;
  pollIntervalMs?: number;
  sbatchArgs?: string[];
  maxQueriesPerMinute?: number;
  maxMem?: string;
  maxTime?: string;
}

/** Slurm memory as sbatch takes it ("2G", "500M", "2048"): checked here so that a typo is a flag error. */
const SLURM_MEM = /^\d+(?:\.\d+)?[KMGT]?$/i;

export function executorKind(f: ExecutorFlags): ExecutorKind {
  const k = f.executor ?? (f.batchTemplate !== undefined ? 'command' : 'local');
  if (k !== 'local' && k !== 'slurm' && k !== 'command') throw new UserError(`--executor must be local, slurm or command, not '${k}'`);
  if (k === 'command' && f.batchTemplate === undefined) throw new UserError("--executor command needs -b 'TEMPLATE' (e.g. -b 'nohup ./batchScript.sh &')");
  if (k !== 'command' && f.batchTemplate !== undefined) throw new UserError(`-b TEMPLATE is for the command executor, not --executor ${k}`);
  const bad = k === 'command' ? templateSyntaxProblem(f.batchTemplate!) : null;
  if (bad !== null) throw new UserError(`-b '${f.batchTemplate!}': ${bad}`);
  if (f.time !== undefined && parseSlurmTime(f.time) === null) throw new UserError(`--time must be a Slurm time (M, M:S, H:M:S, D-H, D-H:M:S), got '${f.time}'`);
  if (f.maxQueriesPerMinute !== undefined && !(f.maxQueriesPerMinute > 0)) throw new UserError('--max-queries-per-minute must be positive');
  if (k !== 'slurm' && ((f.sbatchArgs?.length ?? 0) > 0 || f.partition !== undefined || f.mem !== undefined || f.chunksPerJob !== undefined
    || f.maxMem !== undefined || f.maxTime !== undefined)) {
    throw new UserError('--partition, --mem, --max-mem, --max-time, --chunks-per-job and --sbatch-arg are for --executor slurm');
  }
  for (const [flag, v] of [['--mem', f.mem], ['--max-mem', f.maxMem]] as const) {
    if (v !== undefined && !SLURM_MEM.test(v)) throw new UserError(`${flag} must be a Slurm memory size (e.g. 2G, 500M), got '${v}'`);
  }
  if (f.maxTime !== undefined && parseSlurmTime(f.maxTime) === null) throw new UserError(`--max-time must be a Slurm time (M, M:S, H:M:S, D-H, D-H:M:S), got '${f.maxTime}'`);
  if (f.chunksPerJob !== undefined && f.chunksPerJob < 1) throw new UserError('--chunks-per-job must be at least 1');
  return k;
}

/** How `heppy check --resubmit` says where the chunks run. */
export function describeExecutor(f: ExecutorFlags): string {
  const kind = executorKind(f);
  switch (kind) {
    case 'local': return `locally (${f.jobs ?? defaultJobs()} worker${f.jobs === 1 ? '' : 's'})`;
    case 'command': return `with \`${f.batchTemplate ?? ''}\``;
    case 'slurm': return `on Slurm${f.partition ? ` (partition ${f.partition})` : ''}`;
    default: return assertNever(kind, 'executor kind');
  }
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** The local pool's options for these flags. HEPPY_WORKER_NODE_FLAGS: extra Node flags for the workers, e.g. '--max-old-space-size=8192'. */
function localPoolOptions(f: ExecutorFlags): LocalPoolOptions {
  return { jobs: f.jobs ?? defaultJobs(), execArgv: (process.env.HEPPY_WORKER_NODE_FLAGS ?? '').split(' ').filter((x) => x !== '') };
}

/**
 * Starts the local workers now, while the build plans (their start-up overlaps it), when the
 * Outdir was never built (no plan.json: everything is to run): as many as -j, but no more than the
 * build's `chunks`. Not for an Outdir built before: a no-op build must not pay for workers it
 * never uses.
 */
export function prewarmExecutor(f: ExecutorFlags, outdir: string, chunks: number): void {
  if (executorKind(f) !== 'local' || existsSync(planFile(outdir))) return;
  LocalPool.prewarm(localPoolOptions(f), chunks);
}

/** `journal` lets a batch executor record each job before submit() returns (re-attach after a kill). */
export async function makeExecutor(f: ExecutorFlags, outdir: string, journal?: (e: JournalEntry) => Promise<unknown>): Promise<Executor> {
  const kind = executorKind(f);
  switch (kind) {
    case 'local':
      return new LocalPool(localPoolOptions(f));
    case 'slurm': {
      // A literal specifier: the CLI bundle (scripts/bundle-cli.mjs) makes it a lazy chunk sharing the CLI's modules.
      const mod = (await import('../exec/slurm/slurm-executor.js')) as unknown as {
        SlurmExecutor: new (outdir: string, o: Record<string, unknown>) => Executor };
      const o: Record<string, unknown> = {};
      if (f.partition !== undefined) o.partition = f.partition;
      if (f.time !== undefined) o.time = f.time;
      if (f.mem !== undefined) o.mem = f.mem;
      if (f.maxMem !== undefined) o.maxMem = f.maxMem;
      if (f.maxTime !== undefined) o.maxTime = f.maxTime;
      if (f.chunksPerJob !== undefined) o.chunksPerJob = f.chunksPerJob;
      if (f.pollIntervalMs !== undefined) o.pollIntervalMs = f.pollIntervalMs;
      if (f.sbatchArgs !== undefined && f.sbatchArgs.length > 0) o.extraArgs = f.sbatchArgs;
      if (f.maxQueriesPerMinute !== undefined) o.maxQueriesPerMinute = f.maxQueriesPerMinute;
      if (journal !== undefined) o.journal = journal;
      return new mod.SlurmExecutor(outdir, o);
    }
    case 'command': {
      const mod = (await import('../exec/command/command-executor.js')) as unknown as {
        CommandExecutor: new (outdir: string, o: Record<string, unknown>) => Executor };
      const o: Record<string, unknown> = { template: f.batchTemplate! };
      if (f.pollIntervalMs !== undefined) o.pollIntervalMs = f.pollIntervalMs;
      // --time is the -b jobs' time limit too: no marker by then (from submission) fails the attempt.
      if (f.time !== undefined) o.timeLimitMs = parseSlurmTime(f.time);
      if (journal !== undefined) o.journal = journal;
      return new mod.CommandExecutor(outdir, o);
    }
    default: return assertNever(kind, 'executor kind');
  }
}
