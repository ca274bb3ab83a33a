// The merge pool (-j N merges of a build at once): merges run in worker threads, at most `size` at
// a time, with the results of mergeComponent in this thread; a thread that dies fails its merge
// with a reason and is replaced for the next one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MergePool } from '../../../src/merge/merge-pool.js';
import { Counter, writeStat } from '../../../src/stats/index.js';
import { makeChunk } from '../check/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-merge-pool-'));

function chunk(name: string, pass: number): string {
  const dir = makeChunk(root, name, { files: { 'heppy_cfg.py': '# cfg' } });
  const c = new Counter('cut_flow');
  c.register('all');
  c.inc('all', pass);
  writeStat(dir, c);
  return dir;
}

test('three merges on two threads: every result as mergeComponent gives it', async () => {
  const pool = new MergePool(2);
  const comps = ['A', 'B', 'C'].map((comp, k) => ({ comp, dirs: [0, 1, 2].map((i) => chunk(`${comp}_Chunk${i}`, 10 * (k + 1) + i)) }));
  const rs = await Promise.all(comps.map(({ comp, dirs }) => pool.run({ outdir: root, component: comp, inputs: dirs, opts: { key: `k${comp}`, nfiles: 3 } }, () => undefined)));
  await pool.close();
  for (const [k, r] of rs.entries()) {
    assert.ok(r.result.ok, JSON.stringify(r.result));
    if (!r.result.ok) continue;
    assert.equal(r.result.value.chunks, [0, 1, 2].map((i) => `${comps[k]!.comp}_Chunk${i}`));
    assert.ok(r.busyMs !== null && r.busyMs >= 0);
    const cut = JSON.parse(readFileSync(join(root, comps[k]!.comp, 'cut_flow.json'), 'utf8')) as { levels: Array<[string, number]> };
    assert.equal(cut.levels, [['all', 3 * 10 * (k + 1) + 3]]);
  }
});

test('a thread that dies fails its merge (named) and the pool goes on', async () => {
  const crash = join(root, 'crash-worker.mjs');
  writeFileSync(crash, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
  const pool = new MergePool(1, pathToFileURL(crash));
  const job = { outdir: root, component: 'A', inputs: [join(root, 'A_Chunk0')], opts: { target: join(root, 'X') } };
  const first = await pool.run(job, () => undefined);
  assert.not.ok(first.result.ok);
  if (!first.result.ok) {
    assert.is(first.result.error.file, join(root, 'X'));
    assert.is(first.result.error.kind, 'infrastructure');   // not the inputs' fault
    assert.match(first.result.error.reason, /merge thread exited with code 3 before finishing/);
  }
  const second = await pool.run(job, () => undefined);
  assert.not.ok(second.result.ok, 'a new thread took the next merge');
  await pool.close();
});

test('no thread can start: each merge fails (infrastructure, named) and the next one is not left waiting', async () => {
  // The Worker constructor throws at once, as it does when the process may start no more threads.
  const pool = new MergePool(1, new URL('http://localhost/no-thread.js'));
  const job = { outdir: root, component: 'N', inputs: [join(root, 'A_Chunk0')], opts: { target: join(root, 'N') } };
  const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref());
  for (let i = 0; i < 3; i++) {
    const r = await Promise.race([pool.run(job, () => undefined), hung]);
    assert.ok(r !== 'hung', `merge ${i} never settled`);
    assert.not.ok(r.result.ok);
    if (!r.result.ok) {
      assert.is(r.result.error.kind, 'infrastructure');
      assert.is(r.result.error.file, join(root, 'N'));
      assert.match(r.result.error.reason, /^merge thread could not start: /);
    }
  }
  await pool.close();
});

test('a merge that throws in its thread (a bug) fails as infrastructure, not input', async () => {
  const pool = new MergePool(1);
  // inputs that are not an array: mergeComponent throws before reading anything
  const r = await pool.run({ outdir: root, component: 'T', inputs: null as unknown as string[], opts: { target: join(root, 'T') } }, () => undefined);
  await pool.close();
  assert.not.ok(r.result.ok);
  if (!r.result.ok) {
    assert.is(r.result.error.kind, 'infrastructure');
    assert.match(r.result.error.reason, /^bug: merge failed: /);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
