// How the local pool types a worker's death while it runs a chunk: V8's heap limit is a memory
// failure, a kill by a signal a resource/signal one, any other exit the worker lost (infrastructure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AttemptEnd } from '../../../../src/exec/executor.js';
import { LocalPool, workerDeath } from '../../../../src/exec/local/pool.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-pool-'));
const runner = pathToFileURL(new URL('../fixtures/fake-runner.js', import.meta.url).pathname).href;

async function runOne(behaviour: string): Promise<AttemptEnd> {
  const pool = new LocalPool({ jobs: 1, execArgv: ['--max-old-space-size=24'], env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  const d = join(dir, behaviour);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'chunk.json'), JSON.stringify({ name: behaviour, behaviour, events: 1, attempt: 1 }));
  await pool.submit([{ nodeId: behaviour, name: behaviour, chunkDir: d, attempt: 1 }]);
  try {
    for (;;) for (const e of await pool.next()) if (e.type === 'ended') return e.end;
  } finally {
    await pool.close();
  }
}

test('a worker that exhausts its heap: resource/memory', async () => {
  const end = await runOne('oom');
  assert.ok(end.status === 'failed' && end.failure.kind === 'resource' && end.failure.resource === 'memory', JSON.stringify(end));
});

test('a worker killed by SIGKILL: resource/signal naming it', async () => {
  const end = await runOne('crash');
  assert.ok(end.status === 'failed' && end.failure.kind === 'resource' && end.failure.resource === 'signal' && end.failure.signal === 'SIGKILL', JSON.stringify(end));
});

test('a worker that exits on its own: infrastructure (the worker was lost)', async () => {
  const end = await runOne('exit');
  assert.ok(end.status === 'failed' && end.failure.kind === 'infrastructure' && end.exitCode === 7, JSON.stringify(end));
});

test('a failure the runner reports is passed on as it is', async () => {
  const end = await runOne('fail');
  assert.ok(end.status === 'failed' && end.failure.kind === 'analysis', JSON.stringify(end));
});

function job(name: string, behaviour: string): { nodeId: string; name: string; chunkDir: string; attempt: number } {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'chunk.json'), JSON.stringify({ name, behaviour, events: 3, attempt: 1 }));
  return { nodeId: name, name, chunkDir: d, attempt: 1 };
}

async function until(pool: LocalPool, ended: number): Promise<string[]> {
  const seen: string[] = [];
  while (seen.filter((x) => x.startsWith('ended')).length < ended) {
    for (const e of await pool.next()) seen.push(e.type === 'ended' ? `ended ${e.end.nodeId} ${e.end.status}` : `${e.type} ${e.nodeId}`);
  }
  return seen;
}

test('each worker has its next job waiting: it starts it when it ends one, without another submission', async () => {
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  try {
    assert.is(pool.capacity, 2);
    await pool.submit([job('q0', 'ok'), job('q1', 'ok')]);
    const seen = await until(pool, 2);
    assert.equal(seen.filter((x) => !x.startsWith('progress')), ['started q0', 'ended q0 succeeded', 'started q1', 'ended q1 succeeded']);
    // One worker ran both (one process).
    assert.is(readFileSync(join(dir, 'q0', 'runs.txt'), 'utf8'), readFileSync(join(dir, 'q1', 'runs.txt'), 'utf8'));
  } finally {
    await pool.close();
  }
});

test('after a failure the waiting job starts only when the scheduler resumes; withdraw takes it back', async () => {
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  try {
    await pool.submit([job('h0', 'fail'), job('h1', 'ok')]);
    const seen = await until(pool, 1);
    assert.ok(seen.includes('ended h0 failed'), seen.join(', '));
    await new Promise((r) => setTimeout(r, 300));
    assert.not.ok(existsSync(join(dir, 'h1', 'runs.txt')), 'held: h1 did not start');
    pool.resume();
    const more = await until(pool, 1);
    assert.ok(more.includes('ended h1 succeeded'), more.join(', '));
  } finally {
    await pool.close();
  }
  const stopping = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  try {
    await stopping.submit([job('w0', 'fail'), job('w1', 'ok')]);
    await until(stopping, 1);
    assert.equal(stopping.withdraw().map((j) => j.nodeId), ['w1']);
    await new Promise((r) => setTimeout(r, 300));
    assert.not.ok(existsSync(join(dir, 'w1', 'runs.txt')), 'withdrawn: w1 never ran');
  } finally {
    await stopping.close();
  }
});

test('workerDeath: the heap message wins over the signal', () => {
  assert.equal(workerDeath(null, 'SIGABRT', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory').kind, 'resource');
  const f = workerDeath(null, 'SIGABRT', 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed');
  assert.ok(f.kind === 'resource' && f.resource === 'memory' && f.signal === 'SIGABRT');
  assert.equal(workerDeath(1, null, '').kind, 'infrastructure');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
