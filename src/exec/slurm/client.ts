// The only place heppy runs Slurm's commands. Counts every call (the benchmark and the tests
// check "one sbatch per round, at most one status query per poll round") and turns a command
// that cannot run into a Failure naming the command.
import { execa } from 'execa';
import { fail, ok, type Result } from '../../util/result.js';

export type SlurmCommand = 'sbatch' | 'squeue' | 'sacct' | 'scancel';

export interface SlurmCallStats {
  sbatch: number;
  squeue: number;
  sacct: number;
  scancel: number;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class SlurmClient {
  readonly stats: SlurmCallStats = { sbatch: 0, squeue: 0, sacct: 0, scancel: 0 };

  /** timeoutMs: how long one command may take (an sbatch still running this long is given up). */
  constructor(readonly timeoutMs = 60_000) {}

  /** Runs one Slurm command; a non-zero exit is returned (the caller decides), a spawn error fails. */
  async run(cmd: SlurmCommand, args: string[]): Promise<Result<CommandOutput>> {
    this.stats[cmd]++;
    try {
      const r = await execa(cmd, args, { reject: false, timeout: this.timeoutMs, stdin: 'ignore', env: { SLURM_TIME_FORMAT: 'standard' } });
      if (r.failed && r.exitCode === undefined) {
        return fail({ object: cmd, reason: `could not run ${cmd}: ${r.shortMessage}` });
      }
      return ok({ stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 1 });
    } catch (err) {
      return fail({ object: cmd, reason: `could not run ${cmd}: ${(err as Error).message}` });
    }
  }
}
