import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextAttempt, resubmit } from '../../../src/engine/resubmit.js';
import type { Executor, ExecutorEvent, JobSpec } from '../../../src/exec/executor.js';
import { makeChunk } from '../check/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-resub-'));

/** An executor double: ends each job as told, one event round per next(). */
class Scripted implements Executor {
  readonly kind = 'local' as const;
  readonly capacity = 4;
  submitted: JobSpec[] = [];
  closed = false;
  private rounds: ExecutorEvent[][] = [];
  constructor(private readonly outcome: (j: JobSpec) => 'ok' | 'fail') {}
  async submit(jobs: JobSpec[]): Promise<void> {
    this.submitted.push(...jobs);
    this.rounds.push(jobs.map((j) => ({ type: 'submitted', nodeId: j.nodeId, attempt: j.attempt, jobId: `j${j.attempt}` })));
    this.rounds.push([{ type: 'ended', end: { nodeId: 'someone-else', attempt: 1, status: 'succeeded', eventsProcessed: 1 } }]);
    this.rounds.push(jobs.map((j): ExecutorEvent => this.outcome(j) === 'ok'
      ? { type: 'ended', end: { nodeId: j.nodeId, attempt: j.attempt, status: 'succeeded', eventsProcessed: 42 } }
      : { type: 'ended', end: { nodeId: j.nodeId, attempt: j.attempt, status: 'failed', failure: { kind: 'infrastructure', reason: 'exit code 3' } } }));
  }
  async adopt() { return []; }
  async next(): Promise<ExecutorEvent[]> { return this.rounds.shift() ?? []; }
  async cancelAll(): Promise<void> {}
  async close(): Promise<void> { this.closed = true; }
}

test('next attempt: above both chunk.json and the marker', () => {
  const a = makeChunk(root, 'A_Chunk0', { marker: { attempt: 3 } });
  assert.is(nextAttempt(a), 4);
  const b = makeChunk(root, 'A_Chunk1', { marker: null, spec: false });
  assert.is(nextAttempt(b), null);
});

test('submits one new attempt per chunk with chunk.json, waits for each end, closes the executor', async () => {
  const good = makeChunk(root, 'B_Chunk0', { marker: { status: 'failed', attempt: 2 } });
  const bad = makeChunk(root, 'B_Chunk1', { marker: { status: 'failed', attempt: 1 } });
  const foreign = makeChunk(root, 'B_Chunk2', { spec: false, log: null, marker: null });
  const ex = new Scripted((j) => (j.chunkDir === good ? 'ok' : 'fail'));
  const seen: string[] = [];
  const r = await resubmit([good, bad, foreign], ex, { onSubmitted: (d, a, id) => seen.push(`${d}:${a}:${id}`) });
  assert.equal(ex.submitted.map((j) => [j.name, j.attempt]), [['B_Chunk0', 3], ['B_Chunk1', 2]]);
  assert.equal(seen, [`${good}:3:j3`, `${bad}:2:j2`]);
  assert.equal(r.map((x) => [x.status, x.attempt, x.detail]), [
    ['succeeded', 3, '42 events'],
    ['failed', 2, 'infrastructure: exit code 3'],
    ['not-resubmitted', 0, 'no readable chunk.json (not made by heppy build): run it again with heppy build'],
  ]);
  // chunk.json now names the attempt that the job's marker must carry.
  assert.is(JSON.parse(readFileSync(join(good, 'chunk.json'), 'utf8')).attempt, 3);
  assert.ok(ex.closed);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
