// The workspace of clean and cancel (engine/workspace.ts): the Outdir and its store located without
// running the build (--outdir, the store its last build recorded in plan.json, --cache-dir), the
// Outdir lock taken before the store is opened; and cleanWorkspace's effect.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlanFile } from '../../../src/chunkdir/plan-file.js';
import { defaultOutdir, locateWorkspace, openWorkspace } from '../../../src/engine/workspace.js';
import { cleanWorkspace } from '../../../src/engine/clean.js';
import { acquireLock } from '../../../src/store/lock.js';
import { Store } from '../../../src/store/store.js';
import { UserError } from '../../../src/util/result.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-workspace-'));
const outdir = join(root, 'Out');
const buildCache = join(root, 'project', 'cache');

function plan(): void {
  writePlanFile(outdir, { version: 1, digest: 'd', heppyVersion: '0', outdir, cacheDir: buildCache, bundle: '/b.mjs', options: {}, maxEvents: null,
    createdAt: new Date().toISOString(), nodes: [] });
}

test('locate: --outdir without a heppyfile finds the store its last build used; --cache-dir wins; no plan: cache/ next to the heppyfile', async () => {
  mkdirSync(outdir, { recursive: true });
  const elsewhere = join(root, 'elsewhere', 'heppyfile.ts');
  const noPlan = await locateWorkspace({ file: elsewhere, outdir }, 'clean');
  assert.equal([noPlan.outdir, noPlan.cacheDir, noPlan.plan], [outdir, join(root, 'elsewhere', 'cache'), null]);
  plan();
  const fromPlan = await locateWorkspace({ file: elsewhere, outdir }, 'clean');
  assert.equal([fromPlan.cacheDir, fromPlan.plan?.bundle], [buildCache, '/b.mjs']);
  const flag = await locateWorkspace({ file: elsewhere, outdir, cacheDir: join(root, 'c2') }, 'clean');
  assert.is(flag.cacheDir, join(root, 'c2'));
  // A damaged plan.json is one line (exit 2), not a stack trace.
  writeFileSync(join(outdir, '.heppy', 'plan.json'), '{"version": 1');
  try {
    await locateWorkspace({ file: elsewhere, outdir }, 'clean');
    assert.unreachable('a damaged plan.json was accepted');
  } catch (e) {
    assert.ok(e instanceof UserError && e.exitCode === 2 && e.message.includes('plan.json'), String(e));
  }
  plan();
});

test('open: the lock first (held → exit 1 with the hint, nothing opened); clean forgets the records and removes what heppy made', async () => {
  const loc = await locateWorkspace({ outdir, file: join(root, 'x', 'heppyfile.ts') }, 'clean');
  const held = acquireLock(outdir, 'build');
  assert.ok(held.ok);
  try {
    openWorkspace(loc, 'clean', '; stop it first');
    assert.unreachable('the lock of a running build was taken');
  } catch (e) {
    assert.ok(e instanceof UserError && e.exitCode === 1 && e.message.endsWith('; stop it first'), String(e));
  }
  assert.not.ok(existsSync(buildCache), 'no store created while refused');
  held.value.release();
  // The build's store with two records and a journal entry for this Outdir, one record of another Outdir.
  mkdirSync(buildCache, { recursive: true });
  const s = Store.open(buildCache, outdir);
  const rec = { kind: 'chunk' as const, status: 'ok' as const, key: 'k', keyParts: { parts: {}, files: {} }, resultDigest: '', outputs: [], attempts: 1,
    eventsProcessed: 0, finishedAt: 0, durationMs: 0 };
  await s.putTask({ ...rec, nodeId: 'A_Chunk0' });
  await s.putTask({ ...rec, nodeId: 'hadd:A' });
  await s.putJob({ nodeId: 'A_Chunk0', attempt: 1, jobId: '7', key: 'k', submittedAt: 0, executor: 'command' });
  await s.close();
  const other = Store.open(buildCache, join(root, 'Other'));
  await other.putTask({ ...rec, nodeId: 'A_Chunk0' });
  await other.close();
  for (const d of ['A_Chunk0', 'A']) {
    mkdirSync(join(outdir, d), { recursive: true });
    writeFileSync(join(outdir, d, 'heppy-status.json'), '{}');
  }
  mkdirSync(join(outdir, 'notes'));
  const ws = openWorkspace(loc, 'clean');
  const r = await cleanWorkspace(ws, { recordsOnly: false });
  await ws.close();
  const { jobs, ...counts } = r;
  assert.equal(counts, { dirs: 2, records: 2, cached: 0 });
  // The journaled job of a -b template whose batch system heppy cannot tell is named, not cancelled.
  assert.equal({ slurm: jobs.slurm, command: jobs.command, errors: jobs.errors }, { slurm: [], command: [], errors: [] });
  assert.equal(jobs.notCancelled.map((j) => j.jobId), ['7']);
  assert.equal(readdirSync(outdir).sort(), ['.heppy', 'notes']);
  assert.equal(readdirSync(join(outdir, '.heppy')), [], 'plan.json gone, the lock released');
  const after = Store.open(buildCache, outdir);
  assert.equal([after.allTasks().size, after.listJobs().length], [0, 0]);
  await after.close();
  const kept = Store.open(buildCache, join(root, 'Other'));
  assert.is(kept.allTasks().size, 1, "another Outdir's records stay");
  await kept.close();
});

test('locate: a heppyfile whose remote glob\'s server does not answer is infrastructure (exit 3, as build), not a bad heppyfile (exit 2)', async () => {
  const dir = join(root, 'remote');
  mkdirSync(dir, { recursive: true });
  const hf = join(dir, 'heppyfile.ts');
  // Port 1 on localhost refuses at once: the glob cannot be listed.
  writeFileSync(hf, "export default { components: [{ name: 'r', files: ['root://127.0.0.1:1//d/*.root'] }], sequence: [] };\n");
  const before = process.env.HEPPY_NET_ATTEMPTS;
  process.env.HEPPY_NET_ATTEMPTS = '1';
  try {
    await locateWorkspace({ file: hf }, 'clean');
    assert.unreachable('an unreachable server located a workspace');
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    assert.is((e as UserError).exitCode, 3, String(e));
    assert.match((e as Error).message, /^infrastructure: .*root:\/\/127\.0\.0\.1:1\/\/d\/\*\.root: .*\(give --outdir to clean without loading the heppyfile\)$/);
  } finally {
    if (before === undefined) delete process.env.HEPPY_NET_ATTEMPTS;
    else process.env.HEPPY_NET_ATTEMPTS = before;
  }
});

test('defaultOutdir: a heppyfile whose server does not answer: the default Outdir with a note when it exists, else infrastructure (exit 3), not "no such directory" (exit 2)', async () => {
  const dir = join(root, 'remote-default');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'heppyfile.ts'), "export default { outdir: 'MyOut', components: [{ name: 'r', files: ['root://127.0.0.1:1//d/*.root'] }], sequence: [] };\n");
  const before = { cwd: process.cwd(), attempts: process.env.HEPPY_NET_ATTEMPTS };
  process.env.HEPPY_NET_ATTEMPTS = '1';
  process.chdir(dir);
  try {
    try {
      await defaultOutdir();
      assert.unreachable('an Outdir was guessed');
    } catch (e) {
      assert.ok(e instanceof UserError && e.exitCode === 3, String(e));
      assert.match((e as Error).message, /^infrastructure: .*root:\/\/127\.0\.0\.1:1\/\/d\/\*\.root: .*cannot be loaded to find its Outdir and .*\/Outdir does not exist; name the Outdir/);
    }
    mkdirSync(join(dir, 'Outdir'));
    const d = await defaultOutdir();
    assert.is(d.dir, join(dir, 'Outdir'));
    assert.match(d.note ?? '', /^heppyfile not loaded \(.*ECONNREFUSED.*\); checking the default Outdir$/);
  } finally {
    process.chdir(before.cwd);
    if (before.attempts === undefined) delete process.env.HEPPY_NET_ATTEMPTS;
    else process.env.HEPPY_NET_ATTEMPTS = before.attempts;
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
