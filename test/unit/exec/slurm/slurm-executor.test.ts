// Against the real local Slurm (../shared/slurm): trivial jobs through the fake run-chunk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Executor, ExecutorEvent, JournalEntry } from '../../../../src/exec/executor.js';
import { SlurmExecutor } from '../../../../src/exec/slurm/slurm-executor.js';
import { slurmAvailable } from '../../../util/shared.js';
import { fakeRunChunkJs, fakeRunChunksJs, makeChunk, makeOutdir, drain as drainEvents } from '../batch/fixtures/rig.js';

const have = slurmAvailable();
const dirs: string[] = [];
const fast = { pollIntervalMs: 300, maxQueriesPerMinute: 600, markerGraceMs: 1500, vanishGraceMs: 5000, script: { heppyJs: fakeRunChunkJs, runChunksJs: fakeRunChunksJs } };

const drain = (ex: Executor, n: number, deadlineMs = 180_000, onEvent?: (e: ExecutorEvent) => void) => drainEvents(ex, n, deadlineMs, onEvent);

function outdir(label: string): string {
  const d = makeOutdir(label);
  dirs.push(dirname(d));
  return d;
}

test('one sbatch array for a round, K=2 packing, markers decide: ok, failure, crash', async () => {
  if (!have) return;
  const out = outdir('slurm-round');
  const jobs = [['a_Chunk0', 'ok'], ['a_Chunk1', 'fail'], ['a_Chunk2', 'crash'], ['a_Chunk3', 'ok'], ['a_Chunk4', 'ok']].map(([n, f]) => makeChunk(out, n!, f!));
  const ex = new SlurmExecutor(out, { ...fast, chunksPerJob: 2 });
  await ex.submit(jobs);
  const { events, ends } = await drain(ex, 5);
  await ex.close();
  assert.is(ex.client.stats.sbatch, 1);
  const submitted = events.filter((e) => e.type === 'submitted').map((e) => (e.type === 'submitted' ? e.jobId.split('_')[1] : ''));
  assert.equal(submitted, ['0', '0', '1', '1', '2']);
  assert.is(ends.size, 5);
  for (const n of ['a_Chunk0', 'a_Chunk3', 'a_Chunk4']) assert.equal(ends.get(n), { nodeId: n, attempt: 1, status: 'succeeded', eventsProcessed: 10 });
  const f = ends.get('a_Chunk1')!;
  assert.ok(f.status === 'failed' && f.failure.kind === 'analysis' && f.log?.endsWith('log.txt'), JSON.stringify(f));
  const c = ends.get('a_Chunk2')!;
  // Packed: the task's one process exits 1; the safety net marks the chunk it left without a marker.
  assert.ok(c.status === 'failed' && c.failure.kind === 'infrastructure', JSON.stringify(c));
  // At most one status query per poll round.
  assert.ok(ex.client.stats.squeue + ex.client.stats.sacct <= ex.rounds.pollRounds, JSON.stringify([ex.client.stats, ex.rounds]));
});

test('K=1: a crash keeps its own exit status in the marker', async () => {
  if (!have) return;
  const out = outdir('slurm-crash');
  const ex = new SlurmExecutor(out, fast);
  await ex.submit([makeChunk(out, 'e_Chunk0', 'crash')]);
  const { ends } = await drain(ex, 1);
  await ex.close();
  const c = ends.get('e_Chunk0')!;
  assert.ok(c.status === 'failed' && c.failure.kind === 'infrastructure' && c.exitCode === 3 && c.log?.endsWith('e_Chunk0.1.out'), JSON.stringify(c));
});

test('a job cancelled with scancel while running is detected as failed', async () => {
  if (!have) return;
  const out = outdir('slurm-cancel');
  const job = makeChunk(out, 'b_Chunk0', 'sleep:60');
  const ex = new SlurmExecutor(out, fast);
  await ex.submit([job]);
  let jobId = '';
  const { ends } = await drain(ex, 1, 180_000, (e) => {
    if (e.type === 'submitted') jobId = e.jobId;
    if (e.type === 'started') execFileSync('scancel', [jobId]);
  });
  await ex.close();
  const end = ends.get('b_Chunk0')!;
  assert.ok(end.status === 'failed', JSON.stringify(end));
  // The script's trap wrote "killed by SIGTERM"; Slurm's state CANCELLED says it was scancel: interrupted.
  if (end.status === 'failed') assert.is(end.failure.kind, 'interrupted', JSON.stringify(end));
});

test('re-attach: a second executor adopts queued jobs and sees them end; unknown jobs are not adopted', async () => {
  if (!have) return;
  const out = outdir('slurm-adopt');
  const jobs = [makeChunk(out, 'c_Chunk0', 'sleep:2'), makeChunk(out, 'c_Chunk1', 'sleep:2')];
  const first = new SlurmExecutor(out, fast);
  await first.submit(jobs);
  const journal: JournalEntry[] = [];
  for (const e of await first.next()) {
    if (e.type === 'submitted') {
      const j = jobs.find((x) => x.nodeId === e.nodeId)!;
      journal.push({ nodeId: e.nodeId, attempt: 1, jobId: e.jobId, key: `key-${e.nodeId}`, submittedAt: Date.now(), executor: 'slurm', name: j.name, chunkDir: j.chunkDir });
    }
  }
  assert.is(journal.length, 2);
  await first.close(); // the coordinator goes away; its jobs stay queued
  const ghost = makeChunk(out, 'c_Chunk2', 'ok');
  journal.push({ nodeId: 'c_Chunk2', attempt: 1, jobId: '99999999_0', key: 'key-c_Chunk2', submittedAt: Date.now(), executor: 'slurm', name: 'c_Chunk2', chunkDir: ghost.chunkDir });
  const second = new SlurmExecutor(out, fast);
  const adopted = await second.adopt(journal);
  assert.equal(adopted.map((e) => e.nodeId).sort(), ['c_Chunk0', 'c_Chunk1']);
  const { ends } = await drain(second, 2);
  await second.close();
  assert.is(second.client.stats.sbatch, 0);
  assert.equal([...ends.values()].map((e) => e.status), ['succeeded', 'succeeded']);
});

test('an sbatch refusal fails the round\'s attempts with sbatch\'s message', async () => {
  if (!have) return;
  const out = outdir('slurm-refused');
  const ex = new SlurmExecutor(out, { ...fast, partition: 'no_such_partition' });
  await ex.submit([makeChunk(out, 'd_Chunk0', 'ok')]);
  const { ends } = await drain(ex, 1, 5000);
  await ex.close();
  const end = ends.get('d_Chunk0')!;
  assert.ok(end.status === 'failed' && end.failure.kind === 'infrastructure', JSON.stringify(end));
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
