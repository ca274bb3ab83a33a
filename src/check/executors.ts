// Which executor `heppy check --resubmit` runs the bad chunks with: the local worker pool by
// default, the batch engineer's CommandExecutor for `-b TEMPLATE` (heppy_batch's template, run in
// each chunk directory), or the SlurmExecutor. Batch executors work per Outdir, so the bad chunks
// are grouped by their parent directory.
import { dirname } from 'node:path';
import type { Executor, ExecutorKind } from '../exec/executor.js';
import { LocalPool } from '../exec/local/pool.js';
import { CommandExecutor } from '../exec/command/command-executor.js';
import { SlurmExecutor } from '../exec/slurm/slurm-executor.js';
import { assertNever } from '../util/result.js';

export interface ExecutorChoice {
  kind: ExecutorKind;
  jobs: number;          // local workers
  template?: string;     // command
  partition?: string;    // slurm
}

export function makeExecutor(choice: ExecutorChoice, outdir: string): Executor {
  switch (choice.kind) {
    case 'local':
      return new LocalPool({ jobs: choice.jobs });
    case 'command':
      if (choice.template === undefined) throw new Error('the command executor needs a -b template');
      return new CommandExecutor(outdir, { template: choice.template });
    case 'slurm':
      return new SlurmExecutor(outdir, choice.partition !== undefined ? { partition: choice.partition } : {});
    default:
      return assertNever(choice.kind, 'executor kind');
  }
}

/** Chunk directories by Outdir (their parent), in first-seen order. */
export function byOutdir(dirs: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of dirs) {
    const o = dirname(d);
    m.set(o, [...(m.get(o) ?? []), d]);
  }
  return m;
}

export function describeChoice(c: ExecutorChoice): string {
  switch (c.kind) {
    case 'local': return `locally (${c.jobs} worker${c.jobs === 1 ? '' : 's'})`;
    case 'command': return `with \`${c.template ?? ''}\``;
    case 'slurm': return `on Slurm${c.partition ? ` (partition ${c.partition})` : ''}`;
    default: return assertNever(c.kind, 'executor kind');
  }
}
