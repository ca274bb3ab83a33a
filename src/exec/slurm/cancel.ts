// Cancelling the Slurm jobs of the attempts a build has in flight (Ctrl-C, a failure without
// --keep-going): by job id, and by sbatch call name for those whose id was never learnt.
import type { SlurmContext } from './context.js';
import { slurmUser } from './names.js';

/** scancel takes the ids as arguments: this many per call keeps the command line short. */
const IDS_PER_CALL = 500;

export async function cancelInflight(c: SlurmContext): Promise<void> {
  const inflight = [...c.tracker.inflight.values()];
  const ids = [...new Set(inflight.map((t) => t.jobId).filter((id) => id !== ''))];
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) await c.client.run('scancel', ids.slice(i, i + IDS_PER_CALL));
  const names = new Set(inflight.filter((t) => t.jobId === '' && t.jobName !== undefined).map((t) => t.jobName!));
  for (const name of names) await c.client.run('scancel', ['-u', slurmUser(), `--name=${name}`]);
  c.tracker.inflight.clear();
}
