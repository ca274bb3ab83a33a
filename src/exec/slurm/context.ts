// What the parts of the Slurm executor share (submission, poll rounds, adoption, cancel): one
// build's Outdir, options, Slurm client, queries, tracked attempts and journal.
import type { JournalEntry } from '../executor.js';
import type { Tracker } from '../batch/tracker.js';
import type { SlurmClient } from './client.js';
import type { ResolvedSlurmOptions } from './options.js';
import type { SlurmQueries } from './queries.js';

export interface SlurmContext {
  readonly outdir: string;
  /** The prefix of the names of this Outdir's sbatch calls (each call has a name of its own). */
  readonly jobPrefix: string;
  readonly o: ResolvedSlurmOptions;
  readonly client: SlurmClient;
  readonly q: SlurmQueries;
  readonly tracker: Tracker;
  /** Records an attempt in the store's journal, durably (see SlurmExecutorOptions.journal). */
  readonly journal: ((e: JournalEntry) => Promise<unknown>) | undefined;
}

export interface SlurmRoundStats {
  submitRounds: number;
  pollRounds: number;
}
