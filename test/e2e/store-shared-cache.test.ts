// One cache directory (its LMDB store, output cache and snapshots) used by several processes at
// once: two builds in two Outdirs sharing --cache-dir, started together (20 trials), and `heppy
// status` run in a loop while a build writes the store. Nobody may judge the store damaged and
// move it aside from under another (the defect of stop 20: a live store moved to store-damaged-*).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, buildAsync, HEPPY, makeProject, type Project } from './build-rig.js';

const TRIALS = 20;
let p: Project;

test.before(async () => {
  p = await makeProject();
});

/** The merged results of every component of an Outdir (what the analysis produced). */
function results(outdir: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const c of ['A', 'B', 'C']) {
    for (const f of ['cutflow.json', 'x.json']) {
      const path = join(outdir, c, 'Sum_1', f);
      r[`${c}/${f}`] = existsSync(path) ? readFileSync(path, 'utf8') : 'missing';
    }
  }
  return r;
}

function noStoreMoved(cache: string, stderr: string, what: string): void {
  assert.not.match(stderr, /damaged|store-damaged/, `${what}: ${stderr}`);
  assert.equal(readdirSync(cache).filter((f) => f.startsWith('store-damaged-')), [], `${what}: nothing moved aside`);
}

test(`${TRIALS} trials: two builds in two Outdirs sharing one --cache-dir, started together, both succeed`, async () => {
  const cache = join(p.dir, 'shared-cache');
  const clean = build(p, ['--cache-dir', join(p.dir, 'ref-cache'), '--outdir', join(p.dir, 'Ref')]);
  assert.is(clean.code, 0, clean.stderr);
  assert.is(clean.ran.length, 9, 'the clean build ran 7 chunks and 2 merges');
  const want = results(join(p.dir, 'Ref'));
  assert.is(JSON.parse(want['A/cutflow.json']!).levels[0][1], 110, 'A: all events of its 4 files');
  for (let trial = 0; trial < TRIALS; trial++) {
    // A new option per trial changes every key: both builds have everything to do (or to restore
    // from the other's output cache entries).
    const args = (o: string) => ['--cache-dir', cache, '--outdir', join(p.dir, o), '-o', `trial=${trial}`];
    const [a, b] = await Promise.all([buildAsync(p, args('O1')).done, buildAsync(p, args('O2')).done]);
    for (const [name, r] of [['O1', a], ['O2', b]] as const) {
      assert.is(r.code, 0, `trial ${trial}, ${name}: exit ${r.code}\n${r.stderr}`);
      noStoreMoved(cache, r.stderr, `trial ${trial}, ${name}`);
      assert.equal(results(join(p.dir, name)), want, `trial ${trial}, ${name}: the results of a clean build`);
    }
  }
  // The registry is empty again: every process released its entry.
  assert.equal(readdirSync(join(cache, 'store-users')), []);
});

test('heppy status in a loop while a build writes the store: never a damaged store, the build succeeds', async () => {
  const cache = join(p.dir, 'status-cache');
  const run = buildAsync(p, ['--cache-dir', cache, '--outdir', join(p.dir, 'S'), '-o', 'slowms=400']);
  let ended = false;
  const done = run.done.then((r) => { ended = true; return r; });
  let statuses = 0;
  while (!ended) {
    const s = spawnSync(process.execPath, [HEPPY, 'status', '--cache-dir', cache, '--outdir', join(p.dir, 'S'), '-o', 'slowms=400'], { cwd: p.dir, encoding: 'utf8' });
    statuses++;
    assert.is(s.status, 0, `status ${statuses}: exit ${s.status}\n${s.stderr}`);
    if (existsSync(cache)) noStoreMoved(cache, s.stderr, `status ${statuses}`);
    await new Promise((res) => setImmediate(res));
  }
  const r = await done;
  assert.is(r.code, 0, r.stderr);
  assert.is(r.ran.length, 9, 'the build ran every node');
  noStoreMoved(cache, r.stderr, 'the build');
  assert.ok(statuses >= 1);
  const after = spawnSync(process.execPath, [HEPPY, 'status', '--cache-dir', cache, '--outdir', join(p.dir, 'S'), '-o', 'slowms=400'], { cwd: p.dir, encoding: 'utf8' });
  assert.is(after.status, 0, after.stderr);
  assert.match(after.stdout, /up to date/i);
  assert.equal(readdirSync(join(cache, 'store-users')), []);
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
