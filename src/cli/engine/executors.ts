// Constructing the executor chosen by `heppy build --executor local|slurm|command` / `-b TEMPLATE`.
// The batch executors are loaded lazily (a local build never loads them) and by URL, so that this
// file does not fix their module layout at compile time.
import { availableParallelism } from 'node:os';
import type { Executor, ExecutorKind } from '../../exec/executor.js';
import { LocalPool } from '../../exec/local/pool.js';
import { UserError } from '../../util/result.js';

export interface ExecutorFlags {
  executor?: string;
  batchTemplate?: string;
  jobs?: number;
  partition?: string;
  time?: string;
  mem?: string;
  chunksPerJob?: number;
  pollIntervalMs?: number;
}

export function executorKind(f: ExecutorFlags): ExecutorKind {
  const k = f.executor ?? (f.batchTemplate !== undefined ? 'command' : 'local');
  if (k !== 'local' && k !== 'slurm' && k !== 'command') throw new UserError(`--executor must be local, slurm or command, not '${k}'`);
  if (k === 'command' && f.batchTemplate === undefined) throw new UserError("--executor command needs -b 'TEMPLATE' (e.g. -b 'nohup ./batchScript.sh &')");
  if (k !== 'command' && f.batchTemplate !== undefined) throw new UserError(`-b TEMPLATE is for the command executor, not --executor ${k}`);
  return k;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export async function makeExecutor(f: ExecutorFlags, outdir: string): Promise<Executor> {
  const kind = executorKind(f);
  switch (kind) {
    case 'local':
      return new LocalPool({ jobs: f.jobs ?? defaultJobs() });
    case 'slurm': {
      const mod = (await import(new URL('../../exec/slurm/slurm-executor.js', import.meta.url).href)) as {
        SlurmExecutor: new (outdir: string, o: Record<string, unknown>) => Executor };
      const o: Record<string, unknown> = {};
      if (f.partition !== undefined) o.partition = f.partition;
      if (f.time !== undefined) o.time = f.time;
      if (f.mem !== undefined) o.mem = f.mem;
      if (f.chunksPerJob !== undefined) o.chunksPerJob = f.chunksPerJob;
      if (f.pollIntervalMs !== undefined) o.pollIntervalMs = f.pollIntervalMs;
      return new mod.SlurmExecutor(outdir, o);
    }
    case 'command': {
      const mod = (await import(new URL('../../exec/command/command-executor.js', import.meta.url).href)) as {
        CommandExecutor: new (outdir: string, o: Record<string, unknown>) => Executor };
      const o: Record<string, unknown> = { template: f.batchTemplate! };
      if (f.pollIntervalMs !== undefined) o.pollIntervalMs = f.pollIntervalMs;
      return new mod.CommandExecutor(outdir, o);
    }
  }
}
