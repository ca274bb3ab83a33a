// heppy clean and heppy cancel through the engine workspace (issue 7): the Outdir given by --outdir
// from any working directory, the store its last build used (plan.json), the lock first. Clean
// forgets the records and removes the outputs (the next build runs every node); --records-only
// keeps the outputs (the next build adopts them all); cancel kills the detached -b jobs it finds in
// that store's journal and forgets them (the next build runs those chunks).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { build, HEPPY, makeProject, type Project } from './build-rig.js';

let p: Project;
let elsewhere: string;
const NODES = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'hadd:A', 'hadd:B'];

/** heppy run in a directory without a heppyfile (nor a cache/). */
function away(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [HEPPY, ...args], { cwd: elsewhere, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const alive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

test.before(async () => {
  p = await makeProject();
  elsewhere = mkdtempSync(join(tmpdir(), 'heppy-elsewhere-'));
});

test('clean --outdir from another directory: the build\'s records, outputs and cached outputs go, the next build runs every node', () => {
  const o = join(p.dir, 'Outdir');
  assert.is(build(p).code, 0);
  const c = away(['clean', '--outdir', o]);
  assert.is(c.code, 0, c.stderr);
  assert.is(c.stdout, `removed 9 output directories, 9 records and 9 cached outputs of ${o}\n`);
  assert.equal(readdirSync(o).filter((d) => d !== '.heppy'), []);
  const again = away(['clean', '--outdir', o]);
  assert.is(again.stdout, `removed 0 output directories, 0 records and 0 cached outputs of ${o}\n`);
  // Started from scratch: every node runs (none restored from the output cache).
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, NODES);
  assert.equal(b.events.filter((e) => e.type === 'done' && e.restored !== undefined).map((e) => e.id), []);
  // --keep-cache: the next build restores every node from the output cache.
  assert.match(away(['clean', '--keep-cache', '--outdir', o]).stdout, /^removed 9 output directories, 9 records and 0 cached outputs of /);
  const k = build(p);
  assert.is(k.code, 0, k.stderr);
  assert.equal(k.events.filter((e) => e.type === 'done' && e.restored !== undefined).map((e) => e.id as string).sort(), NODES);
});

test('clean --records-only: outputs stay, the next build adopts every node and runs nothing', () => {
  const c = away(['clean', '--records-only', '--outdir', join(p.dir, 'Outdir')]);
  assert.is(c.code, 0, c.stderr);
  assert.match(c.stdout, /^removed 0 output directories, 9 records and 0 cached outputs of /);
  const b = build(p, ['--no-cache']);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, []);
  assert.equal(build(p).ran, []);
});

test('cancel --outdir from another directory: the detached -b jobs of the journal are killed and forgotten', async () => {
  const o = join(p.dir, 'Out-b');
  const d = build(p, ['--no-cache', '--outdir', o, '-b', 'nohup ./batchScript.sh &', '--detach', '-o', 'slowms=60000']);
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stderr, /detached; 7 batch jobs queued or running/);
  const c = away(['cancel', '--outdir', o]);
  assert.is(c.code, 0, c.stderr);
  const m = /cancelled 7 batch jobs: (.*)\n/.exec(c.stdout);
  assert.ok(m, c.stdout);
  assert.match(c.stdout, 'forgot 7 journal entries');
  const pgids = m![1]!.split(' ').map((id) => Number(id.split(':').pop()));
  assert.is(pgids.length, 7);
  for (let i = 0; i < 50 && pgids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(pgids.filter(alive), [], 'every job process group is gone');
  const again = away(['cancel', '--outdir', o]);
  assert.is(again.stdout, `no queued or running jobs for ${o}\n`);
  // Nothing re-attached: the next build runs the chunks (quickly) and merges.
  const b = build(p, ['--no-cache', '--outdir', o]);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, NODES);
});

test('clean while a detached -b build\'s jobs run: they are cancelled first, none writes into the cleaned Outdir, no stack trace', async () => {
  const o = join(p.dir, 'Out-clean-b');
  // The jobs wait for the gate file, made once clean has ended: all 7 still run when clean cancels
  // them, however long clean takes to start (with jobs of a fixed 5 s, under load 20 six of them had
  // ended before it, and it cancelled 1). A job clean missed would then write within the wait below.
  const gate = join(p.dir, 'go-clean-b');
  const d = build(p, ['--no-cache', '--outdir', o, '-b', 'nohup ./batchScript.sh &', '--detach', '-o', `gate=${gate}`]);
  assert.is(d.code, 0, d.stderr);
  const c = away(['clean', '--outdir', o]);
  writeFileSync(gate, '');
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.is(c.stderr, '');
  const m = /^cancelled 7 batch jobs: (.*)\n/.exec(c.stdout);
  assert.ok(m, c.stdout);
  assert.match(c.stdout, /removed \d+ output directories, \d+ records and 0 cached outputs of /);
  const pgids = m![1]!.split(' ').map((id) => Number(id.split(':').pop()));
  for (let i = 0; i < 50 && pgids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(pgids.filter(alive), [], 'every job process group is gone');
  // The gate open for 6 s: nothing came back into the Outdir.
  await new Promise((r) => setTimeout(r, 6000));
  assert.equal(readdirSync(o).filter((n) => n !== '.heppy'), []);
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
  if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
});
test.run();
