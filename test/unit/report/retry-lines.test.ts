import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RetryLines } from '../../../src/report/retry-lines.js';
import type { BuildEvent } from '../../../src/report/events.js';

type Retry = Extract<BuildEvent, { type: 'retry' }>;
const retry = (id: string, extra: Partial<Retry> = {}): Retry => ({
  type: 'retry', id, component: 'c', attempt: 2, reason: 'sbatch refused', failure: { kind: 'infrastructure', reason: 'sbatch refused' }, delayMs: 5000, ...extra,
});

test('RetryLines: retries with the same attempt, delay and reason become one line naming the first three chunks', () => {
  const out: string[] = [];
  const r = new RetryLines((l) => out.push(l));
  for (let i = 0; i < 5; i++) r.add(retry(`c_Chunk${i}`));
  r.add(retry('d_Chunk0', { reason: 'node died', delayMs: 12_400, attempt: 3, resources: { memMB: 1535.2, timeMin: 59.5 } }));
  r.add(retry('e_Chunk0', { delayMs: 0 }));
  r.flush();
  assert.equal(out, [
    'retry 5 chunks (c_Chunk0, c_Chunk1, c_Chunk2, …) (attempt 2, in 5 s): sbatch refused',
    'retry d_Chunk0 (attempt 3, in 12 s, with 1536M memory, with 60 min): node died',
    'retry e_Chunk0 (attempt 2): sbatch refused',
  ]);
  r.flush();
  assert.is(out.length, 3);
});

test('RetryLines: flushed by itself on the next tick; a delay under 10 s keeps one decimal', async () => {
  const out: string[] = [];
  const r = new RetryLines((l) => out.push(l));
  r.add(retry('a', { delayMs: 1500 }));
  r.add(retry('b', { delayMs: 1500 }));
  assert.equal(out, []);
  await new Promise((res) => setImmediate(res));
  assert.equal(out, ['retry 2 chunks (a, b) (attempt 2, in 1.5 s): sbatch refused']);
});

test.run();
