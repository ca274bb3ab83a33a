// Cancelling a job submitted through a `-b` template: a local job by its process group (checked
// by its $HEPPY_JOB_NAME first), another batch system's with its cancel command (template.ts).
import { execa } from 'execa';
import { processAlive, thisHost } from '../batch/tracker.js';
import { pidsWith, processGroupOf } from '../batch/proc-scan.js';
import { cancelArgv, parseJobId, parseLocalJobId, type TemplateKind } from './template.js';
import { readText } from './run-template.js';

/**
 * Cancels one job submitted through a template; false when heppy has no way to. A local job's
 * process group is signalled only while one of its processes carries the job's $HEPPY_JOB_NAME:
 * pids are reused (32,768 on many hosts), and a journal entry of a build killed long ago must not
 * stop another program's process group that got the same number. A local job whose id a killed
 * build never learnt (journaled before its template ran) is found by that name alone; another
 * batch system's, by the id its submission printed into `jobLog`.
 */
export async function cancelCommandJob(kind: TemplateKind, jobId: string, jobName?: string, jobLog?: string): Promise<boolean> {
  // Another batch system's job whose id was never journaled: the id its submission printed.
  if (jobId === '' && kind !== 'local' && jobLog !== undefined) jobId = parseJobId(readText(jobLog)) ?? '';
  if (jobId === '' && kind === 'local' && jobName !== undefined) {
    const groups = new Set(pidsWith('environ', `HEPPY_JOB_NAME=${jobName}`).map(processGroupOf).filter((g): g is number => g !== null));
    let any = false;
    for (const g of groups) {
      try {
        process.kill(-g, 'SIGTERM');
        any = true;
      } catch {
        // ended meanwhile
      }
    }
    return any;
  }
  if (jobId === '') return false;
  const local = parseLocalJobId(jobId);
  if (local !== null) {
    if (local.host !== thisHost || !processAlive(-local.pgid)) return false;
    if (jobName !== undefined && !pidsWith('environ', `HEPPY_JOB_NAME=${jobName}`).some((pid) => processGroupOf(pid) === local.pgid)) return false;
    try {
      process.kill(-local.pgid, 'SIGTERM');
      return true;
    } catch {
      return false;
    }
  }
  const argv = cancelArgv(kind, jobId);
  if (argv === null) return false;
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', timeout: 60_000 });
  return r.exitCode === 0;
}
