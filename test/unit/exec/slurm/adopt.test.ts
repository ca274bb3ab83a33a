// Re-attaching to the Slurm jobs an interrupted build journaled (scripted client, no cluster):
// a job squeue knows is adopted with its state, one only sacct knows too, one neither knows is not
// (the build submits its chunk again), an entry without an id is found by its call's name; when
// squeue does not answer every entry is kept; other executors' entries are not looked at.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JournalEntry } from '../../../../src/exec/executor.js';
import { adoptEntries } from '../../../../src/exec/slurm/adopt.js';
import { SlurmPoller } from '../../../../src/exec/slurm/poll.js';
import { SlurmResources } from '../../../../src/exec/slurm/resources.js';
import { sbatchJobName } from '../../../../src/exec/slurm/names.js';
import type { CommandOutput, SlurmCommand } from '../../../../src/exec/slurm/client.js';
import { makeChunk, makeOutdir } from '../batch/fixtures/rig.js';
import { ScriptedClient, scriptedContext } from './fixtures/context.js';

const dirs: string[] = [];

function setup(label: string, answer: (cmd: SlurmCommand, args: string[], name: string) => string | CommandOutput) {
  const out = makeOutdir(label);
  dirs.push(dirname(out));
  const name = sbatchJobName(out, 1);
  const client = new ScriptedClient((cmd, args) => answer(cmd, args, name));
  const c = scriptedContext(out, client, {});
  const poller = new SlurmPoller(c, new SlurmResources(c.o), { submitRounds: 0, pollRounds: 0 });
  const entry = (chunk: string, jobId: string, arrayTask: number, executor: JournalEntry['executor'] = 'slurm'): JournalEntry => {
    const job = makeChunk(out, chunk, 'ok');
    return { nodeId: chunk, attempt: 1, jobId, jobName: name, arrayTask, key: `key-${chunk}`, submittedAt: Date.now(), executor, name: chunk, chunkDir: job.chunkDir };
  };
  return { c, client, poller, entry };
}

test('in squeue, in sacct only, found by name, in neither: the first three adopted (with their state), the last forgotten', async () => {
  const { c, client, poller, entry } = setup('slurm-adopt', (cmd, _args, name) =>
    cmd === 'squeue' ? `700_0|RUNNING|None|${name}\n700_3|PENDING|Priority|${name}\n`
      : cmd === 'sacct' ? `700_1|COMPLETED|0:0|None|1000M|00:10:00|${name}\n` : '');
  const entries = [entry('A_Chunk0', '700_0', 0), entry('A_Chunk1', '700_1', 1), entry('A_Chunk3', '', 3), entry('A_Chunk2', '700_2', 2), entry('L_Chunk0', '55', 0, 'local')];
  const adopted = await adoptEntries(c, poller, entries);
  assert.equal(adopted.map((e) => e.nodeId), ['A_Chunk0', 'A_Chunk3', 'A_Chunk1']);
  const inflight = new Map([...c.tracker.inflight.values()].map((t) => [t.job.nodeId, [t.jobId, t.state]]));
  assert.equal(Object.fromEntries(inflight), { A_Chunk0: ['700_0', 'RUNNING'], A_Chunk3: ['700_3', 'PENDING'], A_Chunk1: ['700_1', 'COMPLETED'] });
  assert.equal([client.stats.squeue, client.stats.sacct], [1, 1], 'one squeue for all, one sacct for those it did not know');
});

test('squeue does not answer: every entry is kept (the poll rounds decide), sacct not asked', async () => {
  const { c, client, poller, entry } = setup('slurm-adopt-down', (cmd) =>
    cmd === 'squeue' ? { stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller', exitCode: 1 } : '');
  const entries = [entry('D_Chunk0', '800_0', 0), entry('D_Chunk1', '', 1)];
  const adopted = await adoptEntries(c, poller, entries);
  assert.equal(adopted.map((e) => e.nodeId), ['D_Chunk0', 'D_Chunk1']);
  assert.is(c.tracker.inflight.size, 2);
  assert.is(client.stats.sacct, 0);
});

test('nothing to look up: no Slurm command at all', async () => {
  const { c, client, poller, entry } = setup('slurm-adopt-none', () => '');
  assert.equal(await adoptEntries(c, poller, [entry('L_Chunk0', '1', 0, 'local')]), []);
  assert.equal(client.calls, []);
  assert.is(c.tracker.inflight.size, 0);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
