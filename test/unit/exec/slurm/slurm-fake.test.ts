// The Slurm executor's judgement when Slurm and the markers disagree, with a scripted client
// (no cluster needed): a job that vanishes, a job Slurm says completed but that left no marker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AttemptEnd, JournalEntry } from '../../../../src/exec/executor.js';
import { SlurmClient, type CommandOutput, type SlurmCommand } from '../../../../src/exec/slurm/client.js';
import { SlurmExecutor } from '../../../../src/exec/slurm/slurm-executor.js';
import { outdirJobPrefix } from '../../../../src/exec/batch/job-name.js';
import { ok, type Result } from '../../../../src/util/result.js';
import { makeChunk, makeOutdir } from '../batch/fixtures/rig.js';

class ScriptedClient extends SlurmClient {
  readonly calls: string[][] = [];
  constructor(private readonly squeueOut: string, private readonly sacctOut: string) {
    super();
  }
  override async run(cmd: SlurmCommand, args: string[]): Promise<Result<CommandOutput>> {
    this.stats[cmd]++;
    this.calls.push([cmd, ...args]);
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
  assert.ok(end.status === 'failed' && end.failure.kind === 'infrastructure', JSON.stringify(end));
  assert.ok(ex.client.stats.sacct >= 1, 'sacct asked about the missing job');
  assert.ok(ex.client.stats.squeue + ex.client.stats.sacct <= ex.rounds.pollRounds, JSON.stringify([ex.client.stats, ex.rounds]));
  assert.is(ex.client.stats.sbatch, 1);
});

test('a job Slurm calls COMPLETED that left no marker fails as infrastructure', async () => {
  const { end } = await runOne(new ScriptedClient('4242_0|COMPLETED|None\n', ''), 'slurm-nomarker');
  assert.ok(end.status === 'failed' && end.failure.kind === 'infrastructure', JSON.stringify(end));
});

test('sacct fills in a job squeue forgot: OUT_OF_MEMORY is a memory failure', async () => {
  const { end } = await runOne(new ScriptedClient('', '4242_0|OUT_OF_MEMORY|0:125|None|2000M|UNLIMITED\n'), 'slurm-oom');
  assert.ok(end.status === 'failed' && end.failure.kind === 'resource' && end.failure.resource === 'memory', JSON.stringify(end));
});

test('FAILED 0:9 in squeue, then sacct, with slurmstepd\'s "exceeded memory limit": memory; resubmitted with 1.5 times ReqMem up to 4 times', async () => {
  const client = new ScriptedClient('4242_0|FAILED|None\n', '4242_0|FAILED|0:9|None|200M|UNLIMITED\n');
  const out = makeOutdir('slurm-overmem');
  dirs.push(dirname(out));
  const ex = new SlurmExecutor(out, { ...opts, client });
  const job = makeChunk(out, 'm_Chunk0', 'ok');
  await ex.submit([job]);
  // What slurmstepd writes into the array task's output when it kills a step over --mem.
  const taskLogs = readdirSync(join(out, '.heppy', 'batch', 'rounds')).filter((f) => f.endsWith('.sh')).map((f) => join(out, '.heppy', 'batch', 'rounds', f.replace(/\.sh$/, '_0.out')));
  writeFileSync(taskLogs[0]!, 'slurmstepd-localhost: error: StepId=4242.batch exceeded memory limit (287358976 > 209715200), being killed\n');
  let end: AttemptEnd | undefined;
  for (let t0 = Date.now(); end === undefined && Date.now() - t0 < 10_000;) for (const e of await ex.next()) if (e.type === 'ended') end = e.end;
  assert.ok(end?.status === 'failed' && end.failure.kind === 'resource' && end.failure.resource === 'memory', JSON.stringify(end));
  if (end?.status !== 'failed' || end.failure.kind !== 'resource') return;
  // No --mem given: the base is what sacct said the job asked for (200M); bound 4 × 200M.
  const r1 = ex.scaleResources(job, end.failure);
  assert.equal(r1, { memMB: 300 });
  assert.equal(ex.scaleResources({ ...job, resources: { memMB: 675 } }, end.failure), { memMB: 800 });
  assert.is(ex.scaleResources({ ...job, resources: { memMB: 800 } }, end.failure), null);
  await ex.close();
});

test('re-attach by name: an entry journaled before sbatch gets its id from the array its call\'s name shows; a name Slurm never saw is not adopted', async () => {
  const out = makeOutdir('slurm-byname');
  dirs.push(dirname(out));
  const a = makeChunk(out, 'n_Chunk0', 'ok');
  const b = makeChunk(out, 'n_Chunk1', 'ok');
  const entry = (j: typeof a, jobName: string, arrayTask: number): JournalEntry => ({ nodeId: j.nodeId, attempt: 1, jobId: '', key: 'k', submittedAt: Date.now(),
    executor: 'slurm', name: j.name, chunkDir: j.chunkDir, jobName, arrayTask });
  const N = `${outdirJobPrefix(out)}-t1`;
  const never = `${outdirJobPrefix(out)}-t2`;
  // squeue lists task 0 of the array named N (task 1 left the queue: sacct has it), and a job of
  // another name (another Outdir's or another tool's): ignored.
  const client = new ScriptedClient(`77_0|RUNNING|None|${N}\n78_0|RUNNING|None|${never.replace('heppy-', 'other-')}\n`, `77_1|COMPLETED|0:0|None|1G|UNLIMITED|${N}\n`);
  const resolved: JournalEntry[] = [];
  const ex = new SlurmExecutor(out, { ...opts, client, journal: async (e) => void resolved.push(e) });
  const adopted = await ex.adopt([entry(a, N, 1), entry(b, never, 0)]);
  await ex.close();
  assert.equal(adopted.map((e) => e.nodeId), ['n_Chunk0']);
  assert.equal(resolved.map((e) => [e.nodeId, e.jobId]), [['n_Chunk0', '77_1']], 'the id found by name is journaled');
  assert.equal(ex.inflight.map((t) => t.jobId), ['77_1']);
  const q = client.calls.find((c) => c[0] === 'squeue')!;
  assert.ok(q.includes(`--name=${[N, never].sort().join(',')}`), q.join(' '));
  const acct = client.calls.find((c) => c[0] === 'sacct' && !c.includes('-j'))!;
  assert.ok(acct.includes(`--name=${never}`) && acct.includes('-S'), acct.join(' '));
});

/** The state letter of a process (R, S, Z …), null when it is gone. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

test('re-attach by name waits until an sbatch of that name still running on this host (its build was killed while it submitted) has ended', async () => {
  const out = makeOutdir('slurm-orphan');
  dirs.push(dirname(out));
  const a = makeChunk(out, 'o_Chunk0', 'ok');
  const name = `${outdirJobPrefix(out)}-t3`;
  // Stands for the orphaned sbatch: a process whose arguments carry --job-name=<name>.
  const orphan = spawn('bash', ['-c', 'sleep 1; true', 'sbatch', `--job-name=${name}`], { stdio: 'ignore' });
  const client = new ScriptedClient('', '');
  let aliveAtQuery: boolean | null = null;
  const run = client.run.bind(client);
  client.run = async (cmd, args) => {
    // Running = its /proc entry exists and is not a zombie (exited, not yet reaped by this process).
    if (cmd === 'squeue' && aliveAtQuery === null) aliveAtQuery = procState(orphan.pid!) !== null && procState(orphan.pid!) !== 'Z';
    return run(cmd, args);
  };
  const ex = new SlurmExecutor(out, { ...opts, client });
  const adopted = await ex.adopt([{ nodeId: a.nodeId, attempt: 1, jobId: '', key: 'k', submittedAt: Date.now(), executor: 'slurm', name: a.name, chunkDir: a.chunkDir, jobName: name, arrayTask: 0 }]);
  await ex.close();
  assert.is(aliveAtQuery, false, 'squeue was asked only after the submitting process ended');
  assert.equal(adopted, [], 'a name Slurm never saw: not adopted');
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
