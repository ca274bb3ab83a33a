// Submitting attempts to Slurm (scripted client, no cluster): each chunk gets its batchScript.sh,
// one sbatch job array per set of resources, every attempt journaled with its call's name and array
// task before sbatch runs and with its job id after; a failed sbatch fails its attempts, named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExecutorEvent, JournalEntry } from '../../../../src/exec/executor.js';
import { SlurmSubmitter } from '../../../../src/exec/slurm/submit-jobs.js';
import { fakeRunChunksJs, makeChunk, makeOutdir } from '../batch/fixtures/rig.js';
import { ScriptedClient, scriptedContext } from './fixtures/context.js';

const dirs: string[] = [];
const script = { runChunksJs: fakeRunChunksJs };

function setup(label: string, answer: ConstructorParameters<typeof ScriptedClient>[0]) {
  const out = makeOutdir(label);
  dirs.push(dirname(out));
  const client = new ScriptedClient(answer);
  const journal: { entry: JournalEntry; sbatchCallsBefore: number }[] = [];
  const c = scriptedContext(out, client, { mem: '1000M' }, async (e) => { journal.push({ entry: e, sbatchCallsBefore: client.stats.sbatch }); });
  const rounds = { submitRounds: 0, pollRounds: 0 };
  return { out, client, journal, c, rounds, sub: new SlurmSubmitter(c, script, rounds) };
}

const summary = (evs: ExecutorEvent[]): string[] => evs.map((e) => (e.type === 'submitted' ? `submitted ${e.nodeId} ${e.jobId}` : e.type === 'ended' ? `ended ${e.end.nodeId} ${e.end.status}` : `${e.type} ${e.nodeId}`));

test('one job array per set of resources; journaled before sbatch (name, task) and after (id); each chunk gets its batch script', async () => {
  let next = 777;
  const { out, client, journal, c, rounds, sub } = setup('slurm-submit', (cmd) => (cmd === 'sbatch' ? `${next++}\n` : ''));
  const jobs = [makeChunk(out, 'A_Chunk0', 'ok'), makeChunk(out, 'A_Chunk1', 'ok'), { ...makeChunk(out, 'A_Chunk2', 'ok', 2), resources: { memMB: 1500 } }];
  await sub.submit(jobs);
  assert.is(client.stats.sbatch, 2);
  assert.is(rounds.submitRounds, 2);
  const [first, second] = client.calls.filter((x) => x[0] === 'sbatch');
  assert.ok(first!.includes('--mem=1000M') && first!.includes('--array=0-1') && first!.includes('--parsable'), first!.join(' '));
  assert.ok(second!.includes('--mem=1500M') && second!.includes('--array=0-0'), second!.join(' '));
  assert.not.ok(second!.includes('--mem=1000M'), 'the raised memory replaces --mem');
  assert.equal(summary(c.tracker.take()), ['submitted A_Chunk0 777_0', 'submitted A_Chunk1 777_1', 'submitted A_Chunk2 778_0']);
  assert.equal([...c.tracker.inflight.values()].map((t) => [t.job.nodeId, t.jobId, t.arrayTask]), [['A_Chunk0', '777_0', 0], ['A_Chunk1', '777_1', 1], ['A_Chunk2', '778_0', 0]]);
  for (const j of jobs) assert.ok(existsSync(join(j.chunkDir, 'batchScript.sh')), j.name);
  // Before each sbatch: the entries without an id, named after their call; after: with the id.
  await new Promise((r) => setTimeout(r, 10)); // the id entries are written without being awaited
  const before = journal.filter((j) => j.entry.jobId === '');
  assert.equal(before.map((j) => [j.entry.nodeId, j.entry.attempt, j.sbatchCallsBefore]), [['A_Chunk0', 1, 0], ['A_Chunk1', 1, 0], ['A_Chunk2', 2, 1]]);
  const names = before.map((j) => j.entry.jobName);
  assert.ok(names[0] !== undefined && names[0] === names[1] && names[2] !== names[0], JSON.stringify(names));
  assert.equal(first!.find((a) => a.startsWith('--job-name=')), `--job-name=${names[0]}`);
  assert.equal(journal.filter((j) => j.entry.jobId !== '').map((j) => [j.entry.nodeId, j.entry.jobId]), [['A_Chunk0', '777_0'], ['A_Chunk1', '777_1'], ['A_Chunk2', '778_0']]);
});

test('sbatch refused: its attempts fail as infrastructure with sbatch\'s own words; none is tracked', async () => {
  const { out, c, journal, sub } = setup('slurm-submit-fail', (cmd) => (cmd === 'sbatch' ? { stdout: '', stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified', exitCode: 1 } : ''));
  await sub.submit([makeChunk(out, 'B_Chunk0', 'ok'), makeChunk(out, 'B_Chunk1', 'ok')]);
  const evs = c.tracker.take();
  assert.equal(summary(evs), ['ended B_Chunk0 failed', 'ended B_Chunk1 failed']);
  for (const e of evs) {
    assert.ok(e.type === 'ended' && e.end.status === 'failed' && e.end.failure.kind === 'infrastructure'
      && e.end.failure.reason.includes('sbatch failed (exit code 1)') && e.end.failure.reason.includes('Invalid partition name'), JSON.stringify(e));
  }
  assert.is(c.tracker.inflight.size, 0);
  assert.equal(journal.map((j) => j.entry.jobId), ['', ''], 'journaled before the call, never with an id');
});

test('an attempt whose chunk.json cannot be read is failed, named, without an sbatch', async () => {
  const { out, client, c, sub } = setup('slurm-submit-bad', () => '1\n');
  const job = makeChunk(out, 'C_Chunk0', 'ok');
  rmSync(join(job.chunkDir, 'chunk.json'));
  await sub.submit([job]);
  const evs = c.tracker.take();
  assert.is(evs.length, 1);
  const e = evs[0]!;
  assert.ok(e.type === 'ended' && e.end.status === 'failed' && e.end.failure.kind === 'infrastructure' && e.end.failure.reason.startsWith('not submitted: ') && e.end.failure.reason.includes('C_Chunk0'), JSON.stringify(e));
  assert.is(client.stats.sbatch, 0);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
