// How the local pool types a worker's death while it runs a chunk: V8's heap limit is a memory
// failure, a kill by a signal a resource/signal one, any other exit the worker lost (infrastructure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

test('workerDeath: the heap message wins over the signal', () => {
  assert.equal(workerDeath(null, 'SIGABRT', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory').kind, 'resource');
  const f = workerDeath(null, 'SIGABRT', 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed');
  assert.ok(f.kind === 'resource' && f.resource === 'memory' && f.signal === 'SIGABRT');
  assert.equal(workerDeath(1, null, '').kind, 'infrastructure');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
