// One Slurm poll round (scripted client, no cluster): squeue's states are applied (a running job
// is started), a job Slurm says is over without a marker fails with its state and exit code (sacct
// asked once), a job neither squeue nor sacct knows vanishes, and an attempt journaled before
// sbatch answered gets its id from its call's name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutorEvent, JournalEntry } from '../../../../src/exec/executor.js';
import { SlurmPoller } from '../../../../src/exec/slurm/poll.js';
import { SlurmResources } from '../../../../src/exec/slurm/resources.js';
import { sbatchJobName } from '../../../../src/exec/slurm/names.js';
import type { SlurmCommand } from '../../../../src/exec/slurm/client.js';
import { makeChunk, makeOutdir } from '../batch/fixtures/rig.js';
import { ScriptedClient, scriptedContext, tracked } from './fixtures/context.js';

const dirs: string[] = [];
// Rounds as fast as the test makes them: no rate bound, no grace.
const fast = { maxQueriesPerMinute: 6_000_000, markerGraceMs: 1, vanishGraceMs: 1 };
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
const summary = (evs: ExecutorEvent[]): string[] => evs.map((e) => (e.type === 'ended' ? `ended ${e.end.nodeId} ${e.end.status}` : `${e.type} ${e.nodeId}`));

function setup(label: string, answer: (cmd: SlurmCommand, args: string[]) => string) {
  const out = makeOutdir(label);
  dirs.push(dirname(out));
  const client = new ScriptedClient(answer);
  const journal: JournalEntry[] = [];
  const c = scriptedContext(out, client, fast, async (e) => { journal.push(e); });
  const poller = new SlurmPoller(c, new SlurmResources(c.o), { submitRounds: 0, pollRounds: 0 });
  const name = sbatchJobName(out, 1);
  const track = (chunk: string, jobId: string, task = 0) => {
    const job = makeChunk(out, chunk, 'ok');
    const t = { ...tracked(out, chunk, jobId, name), job, arrayTask: task, submittedAt: Date.now() };
    c.tracker.add(t);
    return t;
  };
  return { out, client, journal, c, poller, name, track };
}

test('running, then failed without a marker: started, then failed with Slurm\'s state and exit code (sacct asked once)', async () => {
  let state = 'RUNNING';
  const { client, c, poller, name, track } = setup('slurm-poll-fail', (cmd) =>
    cmd === 'squeue' ? `900_0|${state}|None|${name}\n` : cmd === 'sacct' ? `900_0|FAILED|3:0|None|1000M|00:10:00|${name}\n` : '');
  const t = track('P_Chunk0', '900_0');
  await poller.round();
  assert.equal(summary(c.tracker.take()), ['started P_Chunk0']);
  assert.is(t.state, 'RUNNING');
  state = 'FAILED';
  await tick();
  await poller.round(); // seen over: the marker may still come (grace)
  await tick();
  await poller.round();
  const evs = c.tracker.take();
  assert.equal(summary(evs), ['ended P_Chunk0 failed']);
  const e = evs[0]!;
  assert.ok(e.type === 'ended' && e.end.status === 'failed' && e.end.failure.reason.includes('900_0') && e.end.failure.reason.includes("without writing the chunk's marker"), JSON.stringify(e));
  assert.is(t.exitCode, '3:0', 'the exit code from sacct');
  assert.is(client.stats.sacct, 1);
  assert.is(c.tracker.inflight.size, 0);
});

test('a job in neither squeue nor sacct and without a marker vanishes (infrastructure, named)', async () => {
  const { client, c, poller, track } = setup('slurm-poll-vanish', () => '');
  track('V_Chunk0', '901_0');
  for (let i = 0; i < 4 && c.tracker.inflight.size > 0; i++) { await poller.round(); await tick(); }
  const evs = c.tracker.take();
  assert.equal(summary(evs), ['ended V_Chunk0 failed']);
  const e = evs[0]!;
  assert.ok(e.type === 'ended' && e.end.status === 'failed' && e.end.failure.kind === 'infrastructure' && e.end.failure.reason.startsWith('Slurm job 901_0 vanished'), JSON.stringify(e));
  assert.ok(client.stats.squeue >= 1 && client.stats.sacct >= 1, JSON.stringify(client.stats));
});

test('a pending array task cancelled by scancel (gone from squeue, missing from its array\'s pending range in sacct) is interrupted, not vanished', async () => {
  let cancelled = false;
  const asked: string[][] = [];
  const { c, poller, name, track } = setup('slurm-poll-pending-cancel', (cmd, args) => {
    if (cmd === 'sacct') asked.push(args);
    if (cmd === 'squeue') return `903_0|PENDING|Priority|${name}\n` + (cancelled ? '' : `903_1|PENDING|Priority|${name}\n`);
    return cmd === 'sacct' ? `903_[0]|PENDING|0:0|Priority|2G|UNLIMITED|${name}\n` : '';
  });
  track('Q_Chunk0', '903_0', 0);
  const t = track('Q_Chunk1', '903_1', 1);
  await poller.round();
  assert.is(t.state, 'PENDING');
  cancelled = true;
  for (let i = 0; i < 4 && [...c.tracker.inflight.values()].includes(t); i++) { await tick(); await poller.round(); }
  const evs = c.tracker.take();
  assert.equal(summary(evs), ['ended Q_Chunk1 failed']);
  const e = evs[0]!;
  assert.ok(e.type === 'ended' && e.end.status === 'failed' && e.end.failure.kind === 'interrupted', JSON.stringify(e));
  assert.ok(e.type === 'ended' && e.end.status === 'failed' && e.end.failure.reason === "Slurm job 903_1 was cancelled while pending (scancel): gone from the queue and from its array's pending tasks in accounting");
  assert.ok(asked.some((a) => a.includes('903_1,903')), `the task asked with its array: ${JSON.stringify(asked)}`);
  assert.ok([...c.tracker.inflight.values()].some((x) => x.job.nodeId === 'Q_Chunk0'), 'the other task still pending');
});

test('an attempt journaled before sbatch answered gets its id from its call\'s name and array task, and that id is journaled', async () => {
  const { c, poller, name, journal, track } = setup('slurm-poll-name', (cmd) => (cmd === 'squeue' ? `902_0|PENDING|Priority|${name}\n902_1|PENDING|Priority|${name}\n` : ''));
  const t = track('N_Chunk1', '', 1);
  await poller.round();
  assert.is(t.jobId, '902_1');
  assert.is(t.state, 'PENDING');
  assert.equal(journal.map((e) => [e.nodeId, e.jobId]), [['N_Chunk1', '902_1']]);
  assert.equal(summary(c.tracker.take()), [], 'pending: not started, not ended');
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
