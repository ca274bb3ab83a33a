// Ctrl-C, heppy cancel and --detach with the Slurm executor on the real local Slurm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, buildAsync, heppy, makeProject, type Project } from './build-rig.js';
import { queuedTasks, sbatchRounds, sleep } from '../unit/exec/batch/fixtures/slurm-util.js';
import { slurmAvailable } from '../util/shared.js';

const have = slurmAvailable();
let p: Project;
// --no-cache: these test the executor, which a restore from the output cache would bypass.
const SLURM = ['--no-cache', '--executor', 'slurm', '--poll-interval', '0.3', '--max-queries-per-minute', '600', '-o', 'slowms=1500'];
const CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];

test.before(async () => {
  if (have) p = await makeProject();
});

test('Ctrl-C leaves the jobs queued and says how to re-attach or cancel; heppy cancel cancels them', async () => {
  if (!have) return;
  const o = join(p.dir, 'Out-int');
  const b = buildAsync(p, [...SLURM, '--outdir', o]);
  for (let i = 0; i < 200 && queuedTasks(o).length < 7; i++) await sleep(100);
  assert.is(queuedTasks(o).length, 7);
  process.kill(b.pid, 'SIGINT');
  const r = await b.done;
  assert.is(r.code, 130, r.stderr + r.stdout.slice(-3000));
  assert.match(r.stderr, /interrupted; \d+ batch jobs? (is|are) left queued or running/);
  assert.match(r.stderr, 'heppy cancel');
  assert.ok(queuedTasks(o).length > 0, 'the jobs outlive the coordinator');
  const c = heppy(p, ['cancel', '--outdir', o]);
  assert.is(c.code, 0, c.stderr);
  assert.match(c.stdout, /cancelled \d+ Slurm jobs?/);
  for (let i = 0; i < 50 && queuedTasks(o).length > 0; i++) await sleep(100);
  assert.equal(queuedTasks(o), []);
  const again = heppy(p, ['cancel', '--outdir', o]);
  assert.is(again.code, 0);
  assert.match(again.stdout, 'no queued or running jobs');
});

test('--detach submits and exits; the next build collects the results without submitting again', async () => {
  if (!have) return;
  const o = join(p.dir, 'Out-int');
  const roundsBefore = sbatchRounds(o);
  const d = build(p, [...SLURM, '--outdir', o, '--detach']);
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stderr, /detached; \d+ batch jobs? queued or running/);
  assert.is(sbatchRounds(o), roundsBefore + 1);
  const r = build(p, [...SLURM, '--outdir', o]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.ok(r.ran.includes('hadd:A') && r.ran.includes('hadd:B'), r.ran.join(' '));
  assert.is(sbatchRounds(o), roundsBefore + 1, 'nothing submitted twice');
  for (const c of CHUNKS) assert.is(JSON.parse(readFileSync(join(o, c, 'heppy-status.json'), 'utf8')).status, 'ok', c);
});

test('jobs queued for an older version of the analysis are cancelled, not left to overwrite the new results', async () => {
  if (!have) return;
  const o = join(p.dir, 'Out-stale');
  // The old jobs take a minute (a later -o wins): still queued or running when the next build starts,
  // however long its re-bundling and type-check take on a loaded machine (with 1.5 s they had all
  // finished by then under load 25-30, and nothing was left to cancel).
  const d = build(p, [...SLURM, '--outdir', o, '--detach', '-o', 'slowms=60000']);
  assert.is(d.code, 0, d.stderr);
  const queued = queuedTasks(o);
  assert.ok(queued.length > 0);
  p.setHeppyfile(60); // another analyzer parameter: every key changes
  const r = build(p, [...SLURM, '--outdir', o]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  const w = r.events.find((e) => e.type === 'warning' && /an earlier build left queued or running .*for an older version of their chunks/.test(String(e.message)));
  assert.ok(w, JSON.stringify(r.events.filter((e) => e.type === 'warning')));
  const newKeys = new Set<string>();
  for (const c of CHUNKS) {
    const m = JSON.parse(readFileSync(join(o, c, 'heppy-status.json'), 'utf8'));
    assert.is(m.status, 'ok', c);
    newKeys.add(m.key);
  }
  // Nothing of the old jobs is still running to swap an old result in later.
  for (let i = 0; i < 50 && queuedTasks(o).some((t) => queued.includes(t)); i++) await sleep(100);
  assert.equal(queuedTasks(o).filter((t) => queued.includes(t)), []);
  assert.is(newKeys.size, CHUNKS.length);
  p.setHeppyfile(50);
});

test('--detach with the local executor is a usage error', () => {
  if (!have) return;
  const r = heppy(p, ['build', '--detach']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '--detach is for batch executors');
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
