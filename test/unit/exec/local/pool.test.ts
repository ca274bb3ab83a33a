// How the local pool types a worker's death while it runs a chunk: V8's heap limit is a memory
// failure, a kill by a signal a resource/signal one, any other exit the worker lost (infrastructure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
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

test('each worker has its next two jobs waiting: it starts each when it ends one, without another submission', async () => {
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  try {
    assert.is(pool.capacity, 3);
    await pool.submit([job('q0', 'ok'), job('q1', 'ok'), job('q2', 'ok')]);
    const seen = await until(pool, 3);
    assert.equal(seen.filter((x) => !x.startsWith('progress')),
      ['started q0', 'ended q0 succeeded', 'started q1', 'ended q1 succeeded', 'started q2', 'ended q2 succeeded']);
    // One worker ran all three (one process).
    const pid = readFileSync(join(dir, 'q0', 'runs.txt'), 'utf8');
    assert.equal([readFileSync(join(dir, 'q1', 'runs.txt'), 'utf8'), readFileSync(join(dir, 'q2', 'runs.txt'), 'utf8')], [pid, pid]);
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
    await stopping.submit([job('w0', 'fail'), job('w1', 'ok'), job('w2', 'ok')]);
    await until(stopping, 1);
    assert.equal(stopping.withdraw().map((j) => j.nodeId), ['w1', 'w2']);
    await new Promise((r) => setTimeout(r, 300));
    assert.not.ok(existsSync(join(dir, 'w1', 'runs.txt')), 'withdrawn: w1 never ran');
    assert.not.ok(existsSync(join(dir, 'w2', 'runs.txt')), 'withdrawn: w2 never ran');
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
test('a worker starts the chunk sent ahead as it ends one, without this process answering in between', async () => {
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  try {
    await pool.submit([job('sa0', 'ok'), job('sa1', 'ok')]);
    // From now on this thread reads no IPC (it polls synchronously): sa0's end is never heard, so
    // sa1 can only run because it was sent ahead.
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 1200 && !existsSync(join(dir, 'sa1', 'runs.txt')); i++) Atomics.wait(sleeper, 0, 0, 50);
    assert.ok(existsSync(join(dir, 'sa1', 'runs.txt')), 'sa1 ran while the pool could not have sent it');
    const seen = await until(pool, 2);
    assert.equal(seen.filter((x) => x.startsWith('ended')), ['ended sa0 succeeded', 'ended sa1 succeeded']);
    assert.ok(seen.indexOf('started sa1') > seen.indexOf('ended sa0 succeeded'), seen.join(', '));
  } finally {
    await pool.close();
  }
});

/** Pids of this process's child processes (from /proc: Linux). */
function children(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

test('prewarm: the workers forked ahead (while the build plans) are the ones the next pool with the same options runs chunks on', async () => {
  const before = new Set(children());
  process.env.HEPPY_WORKER_RUNNER = runner;
  try {
    LocalPool.prewarm({ jobs: 2, execArgv: ['--max-old-space-size=64'] });
    const spares = children().filter((p) => !before.has(p));
    assert.is(spares.length, 2);
    const pool = new LocalPool({ jobs: 2, execArgv: ['--max-old-space-size=64'] });
    await pool.submit([job('pw0', 'ok'), job('pw1', 'ok'), job('pw2', 'ok')]);
    const seen = await until(pool, 3);
    await pool.close();
    assert.equal(seen.filter((x) => x.startsWith('ended')).sort(), ['ended pw0 succeeded', 'ended pw1 succeeded', 'ended pw2 succeeded']);
    const ran = ['pw0', 'pw1', 'pw2'].flatMap((n) => readFileSync(join(dir, n, 'runs.txt'), 'utf8').trim().split('\n').map(Number));
    assert.ok(ran.every((p) => spares.includes(p)), `chunks ran on ${ran.join(', ')}, prewarmed ${spares.join(', ')}`);
  } finally {
    delete process.env.HEPPY_WORKER_RUNNER;
  }
});

test('a worker that cannot be forked fails its chunk (infrastructure, the error named) instead of leaving it waiting', async () => {
  const pool = new LocalPool({ jobs: 1, execPath: join(dir, 'no-such-node') });
  await pool.submit([job('nofork', 'ok')]);
  const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref());
  const ended = (async () => {
    for (;;) for (const e of await pool.next()) if (e.type === 'ended') return e;
  })();
  const end = await Promise.race([ended, hung]);
  assert.ok(end !== 'hung', 'no end of the chunk');
  assert.ok(end.type === 'ended' && end.end.status === 'failed');
  if (end.type === 'ended' && end.end.status === 'failed') {
    assert.is(end.end.failure.kind, 'infrastructure');
    assert.match(end.end.failure.reason, /ENOENT/);
  }
  await pool.close();
});

test('prewarm forks no more workers than the build has chunks (-j 4, 1 chunk: 1)', () => {
  const script = join(dir, 'prewarm-few.mjs');
  const pool = JSON.stringify(pathToFileURL(new URL('../../../../src/exec/local/pool.js', import.meta.url).pathname).href);
  writeFileSync(script, `import { readdirSync, readFileSync } from 'node:fs';\nimport { LocalPool } from ${pool};\n`
    + `LocalPool.prewarm({ jobs: 4 }, 1);\nlet n = 0;\nfor (const e of readdirSync('/proc')) { if (!/^\\d+$/.test(e)) continue;\n`
    + `  try { const st = readFileSync('/proc/' + e + '/stat', 'utf8'); if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) n++; } catch {} }\n`
    + `console.log(n);\n`);
  const r = spawnSync(process.execPath, [script], { timeout: 60_000, encoding: 'utf8' });
  assert.is(r.status, 0, `${r.signal ?? ''} ${r.stderr}`);
  assert.is(r.stdout.trim(), '1');
});

test('prewarmed workers nobody takes do not keep the process alive', () => {
  const script = join(dir, 'prewarm-only.mjs');
  writeFileSync(script, `import { LocalPool } from ${JSON.stringify(pathToFileURL(new URL('../../../../src/exec/local/pool.js', import.meta.url).pathname).href)};\nLocalPool.prewarm({ jobs: 2 });\n`);
  const r = spawnSync(process.execPath, [script], { timeout: 60_000, encoding: 'utf8' });
  assert.is(r.status, 0, `${r.signal ?? ''} ${r.stderr}`);
});

/** Blocks this thread (no IPC is read meanwhile) until `file` exists. */
function blockUntil(file: string): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 2400 && !existsSync(file); i++) Atomics.wait(sleeper, 0, 0, 25);
  assert.ok(existsSync(file), `${file} never appeared`);
}

/**
 * The pool's events until `ends` attempts ended, resuming after each batch as the scheduler does
 * (after I/O of its own).
 * A pool that stops answering (it waits for the end of a chunk that already ended) fails the test
 * after a minute, naming what it saw, instead of hanging the suite.
 */
async function drive(pool: LocalPool, ends: number): Promise<{ seen: string[]; failures: Map<string, AttemptEnd> }> {
  const seen: string[] = [];
  const failures = new Map<string, AttemptEnd>();
  while (seen.filter((x) => x.startsWith('ended')).length < ends) {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<null>((res) => { timer = setTimeout(() => res(null), 60_000); });
    const evs = await Promise.race([pool.next(), silent]);
    clearTimeout(timer);
    if (evs === null) assert.unreachable(`the pool went silent; seen: ${seen.join(', ')}`);
    for (const e of evs ?? []) {
      if (e.type === 'progress') continue;
      if (e.type === 'ended' && e.end.status === 'failed') failures.set(e.end.nodeId, e.end);
      seen.push(e.type === 'ended' ? `ended ${e.end.nodeId} ${e.end.status}` : `${e.type} ${e.nodeId}`);
    }
    // The scheduler confirms the ends it got (reads markers, journals: I/O) before it resumes the
    // pool: whatever else the workers said by then is heard while the pool is still held.
    await new Promise((res) => setImmediate(res));
    pool.resume();
  }
  return { seen, failures };
}

/** Blocks this thread until the child `pid` has died (a zombie until this process reaps it). */
function blockUntilDead(pid: number): void {
  const state = (): string => { try { const st = readFileSync(`/proc/${pid}/stat`, 'utf8'); return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3); } catch { return 'gone'; } };
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 2400 && state() !== 'Z' && state() !== 'gone'; i++) Atomics.wait(sleeper, 0, 0, 25);
  assert.ok(['Z', 'gone'].includes(state()), `worker ${pid} still alive`);
}

const lines = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0);

// The race behind the flaky scheduler test: a chunk sent ahead reaches a worker just after it ended
// the one before (so the worker starts it at once), while another chunk's failure holds the pool.
// The pool must know the new chunk runs: its crash is its own failed attempt (run once, reported
// once), its success is heard (no hang). Made deterministic: this thread reads no IPC while both
// ends are sent (rf's first), then sends rb, so the pool hears rf's failure before ra's end.
for (const b of ['crash', 'ok'] as const) {
  test(`a chunk sent ahead that arrives after its worker ended the last one, while a failure holds the pool: its ${b} is its own`, async () => {
    const pool = new LocalPool({ jobs: 2, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
    const [ra, rf, rb] = [`ra-${b}`, `rf-${b}`, `rb-${b}`];
    try {
      await pool.submit([job(ra, 'wait-ok'), job(rf, 'wait-fail')]);
      while (lines(join(dir, ra, 'runs.txt')) === 0 || lines(join(dir, rf, 'runs.txt')) === 0) await new Promise((r) => setTimeout(r, 10));
      writeFileSync(join(dir, rf, 'go'), '');
      blockUntil(join(dir, rf, 'end-sent'));
      writeFileSync(join(dir, ra, 'go'), '');
      blockUntil(join(dir, ra, 'end-sent'));
      await pool.submit([job(rb, b)]); // to ra's worker, ahead: the pool has not heard ra's end
      // rb runs (and ends, or kills its worker) before the pool hears anything: all of it comes in
      // one batch, before the pool is resumed.
      if (b === 'ok') blockUntil(join(dir, rb, 'end-sent'));
      else {
        blockUntil(join(dir, rb, 'runs.txt'));
        blockUntilDead(Number(readFileSync(join(dir, rb, 'runs.txt'), 'utf8').trim()));
      }
      const { seen, failures } = await drive(pool, 3);
      assert.equal(seen.filter((x) => x.startsWith('ended')).sort(),
        [`ended ${ra} succeeded`, `ended ${rb} ${b === 'ok' ? 'succeeded' : 'failed'}`, `ended ${rf} failed`], seen.join(', '));
      assert.ok(seen.indexOf(`started ${rb}`) >= 0 && seen.indexOf(`started ${rb}`) < seen.indexOf(`ended ${rb} ${b === 'ok' ? 'succeeded' : 'failed'}`), seen.join(', '));
      assert.is(lines(join(dir, rb, 'runs.txt')), 1, `${rb} ran once: ${seen.join(', ')}`);
      const ff = failures.get(rf);
      assert.ok(ff?.status === 'failed' && ff.failure.kind === 'analysis', JSON.stringify(ff));
      if (b === 'crash') {
        const f = failures.get(rb);
        assert.ok(f?.status === 'failed' && f.failure.kind === 'resource' && f.failure.resource === 'signal', JSON.stringify(f));
      }
    } finally {
      await pool.close();
    }
  });
}

// A chunk whose end is a long message (a result of many files), then one that kills the worker at
// once: the end must reach the pool (the chunk succeeded) and the death is the second chunk's.
test('an end still being written when the next chunk kills the worker is heard, and the death is that chunk\'s', async () => {
  const pool = new LocalPool({ jobs: 1, env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  try {
    await pool.submit([job('big', 'ok-big'), job('dies', 'crash')]);
    const { seen, failures } = await drive(pool, 2);
    assert.equal(seen.filter((x) => x.startsWith('ended')), ['ended big succeeded', 'ended dies failed'], seen.join(', '));
    const f = failures.get('dies');
    assert.ok(f?.status === 'failed' && f.failure.kind === 'resource' && f.failure.signal === 'SIGKILL', JSON.stringify(f));
    assert.is(lines(join(dir, 'big', 'runs.txt')), 1, 'big ran once');
    assert.is(lines(join(dir, 'dies', 'runs.txt')), 1, 'dies ran once');
  } finally {
    await pool.close();
  }
});

// The build killed -9 while its worker runs a chunk that keeps the event loop busy (the channel's
// close is not heard): the worker must end at its next check and never swap its result into place.
test('a worker whose build is killed -9 mid-chunk ends at its next check, without swapping anything into place', async () => {
  const j = job('orphan', 'orphan');
  const script = join(dir, 'coordinator.mjs');
  const poolUrl = JSON.stringify(pathToFileURL(new URL('../../../../src/exec/local/pool.js', import.meta.url).pathname).href);
  writeFileSync(script, `import { LocalPool } from ${poolUrl};\nconst pool = new LocalPool({ jobs: 1 });\n`
    + `await pool.submit([${JSON.stringify(j)}]);\nsetInterval(() => {}, 1000);\nfor (;;) await pool.next();\n`);
  const coord = spawn(process.execPath, [script], { stdio: 'ignore', env: { ...process.env, HEPPY_WORKER_RUNNER: runner } });
  const exited = new Promise<void>((res) => coord.once('exit', () => res()));
  const runs = join(j.chunkDir, 'runs.txt');
  for (let i = 0; i < 6000 && !existsSync(runs); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(existsSync(runs), 'the worker started the chunk');
  const worker = Number(readFileSync(runs, 'utf8').trim());
  coord.kill('SIGKILL');
  await exited;
  writeFileSync(join(j.chunkDir, 'go'), '');
  const alive = (): boolean => { try { process.kill(worker, 0); return true; } catch { return false; } };
  // A bound for a loaded machine: the worker sees `go` within 10 ms and checks at once.
  for (let i = 0; i < 1000 && alive(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.not.ok(alive(), `worker ${worker} outlived its build by 10 s`);
  assert.not.ok(existsSync(join(j.chunkDir, 'swapped')), 'nothing swapped into place after the build died');
  assert.not.ok(existsSync(join(j.chunkDir, 'tmp')), 'its unfinished tmp dir removed');
});

test.run();
