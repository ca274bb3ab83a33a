// The Slurm executor's judgement when Slurm and the markers disagree, with a scripted client
// (no cluster needed): a job that vanishes, a job Slurm says completed but that left no marker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AttemptEnd } from '../../../../src/exec/executor.js';
import { SlurmClient, type CommandOutput, type SlurmCommand } from '../../../../src/exec/slurm/client.js';
import { SlurmExecutor } from '../../../../src/exec/slurm/slurm-executor.js';
import { ok, type Result } from '../../../../src/util/result.js';
import { makeChunk, makeOutdir } from '../batch/fixtures/rig.js';

class ScriptedClient extends SlurmClient {
  constructor(private readonly squeueOut: string, private readonly sacctOut: string) {
    super();
  }
  override async run(cmd: SlurmCommand, _args: string[]): Promise<Result<CommandOutput>> {
    this.stats[cmd]++;
    const out = cmd === 'sbatch' ? '4242\n' : cmd === 'squeue' ? this.squeueOut : cmd === 'sacct' ? this.sacctOut : '';
    return ok({ stdout: out, stderr: '', exitCode: 0 });
  }
}

const dirs: string[] = [];
const opts = { pollIntervalMs: 50, maxQueriesPerMinute: 6000, markerGraceMs: 200, vanishGraceMs: 600 };

async function runOne(client: SlurmClient, label: string): Promise<{ end: AttemptEnd; ex: SlurmExecutor }> {
  const out = makeOutdir(label);
  dirs.push(dirname(out));
  const ex = new SlurmExecutor(out, { ...opts, client });
  await ex.submit([makeChunk(out, 'v_Chunk0', 'ok')]);
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    for (const e of await ex.next()) if (e.type === 'ended') return { end: e.end, ex };
  }
  throw new Error('no end');
}

test('a job in neither squeue nor sacct, without a marker, is failed as vanished after the grace period', async () => {
  const { end, ex } = await runOne(new ScriptedClient('', ''), 'slurm-vanish');
  assert.ok(end.status === 'failed' && /vanished: not in the queue, not in accounting, and no marker/.test(end.reason), JSON.stringify(end));
  assert.ok(ex.client.stats.sacct >= 1, 'sacct asked about the missing job');
  assert.ok(ex.client.stats.squeue + ex.client.stats.sacct <= ex.rounds.pollRounds, JSON.stringify([ex.client.stats, ex.rounds]));
  assert.is(ex.client.stats.sbatch, 1);
});

test('a job Slurm calls COMPLETED that left no marker fails, naming the state', async () => {
  const { end } = await runOne(new ScriptedClient('4242_0|COMPLETED|None\n', ''), 'slurm-nomarker');
  assert.ok(end.status === 'failed' && end.reason === "Slurm job 4242_0 finished as COMPLETED without writing the chunk's marker", JSON.stringify(end));
});

test('sacct fills in a job squeue forgot: its state and exit code are in the reason', async () => {
  const { end } = await runOne(new ScriptedClient('', '4242_0|OUT_OF_MEMORY|0:125|None\n'), 'slurm-oom');
  assert.ok(end.status === 'failed' && end.reason.includes('ended as OUT_OF_MEMORY, exit code 0:125'), JSON.stringify(end));
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
