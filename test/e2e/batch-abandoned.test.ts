// A batch attempt that never ends (cancelled, or superseded by a build of another key) must not
// leave its chunk.json beside the result of another key: found by a user building -o X after a
// detached batch build of -o Y was cancelled, when `heppy build` said everything was up to date and
// `heppy check` said 28 of 30 chunks were stale, for good.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, type Project } from './build-rig.js';

const CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];
let p: Project;

const keyOf = (dir: string, file: string): string => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { key: string }).key;

test('a detached batch attempt of another analysis, never run: the next build and check agree, chunk.json is the result\'s', async () => {
  p = await makeProject();
  const out = join(p.dir, 'Outdir');
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  const sums = CHUNKS.map((c) => readFileSync(join(out, c, 'Sum_1', 'cutflow.txt'), 'utf8'));

  // Another cut, submitted through a batch system that never runs it (it prints a job id only).
  p.setHeppyfile(60);
  const detached = build(p, ['-b', 'echo 4242', '--detach']);
  assert.is(detached.code, 0, detached.stderr + detached.stdout);
  for (const c of CHUNKS) assert.ok(readFileSync(join(out, c, 'chunk.json'), 'utf8').includes('"attempt"'));

  // Back to the first cut, locally: its results come back (restored from the cache), and every
  // chunk directory's chunk.json is the spec of the result it holds.
  p.setHeppyfile(50);
  const back = build(p);
  assert.is(back.code, 0, back.stderr + back.stdout);
  for (const [i, c] of CHUNKS.entries()) {
    const dir = join(out, c);
    assert.is(keyOf(dir, 'chunk.json'), keyOf(dir, 'heppy-status.json'), `${c}: chunk.json and the marker name one key`);
    assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), sums[i], `${c}: the first cut's cut flow`);
  }
  const check = heppy(p, ['check', out]);
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.ok(check.stdout.includes('7 chunks checked: 7 good, 0 bad'), check.stdout);
  const again = build(p);
  assert.is(again.code, 0, again.stderr);
  assert.equal(again.ran, [], 'nothing left to run');
});

test.after(() => { if (p) rmSync(p.dir, { recursive: true, force: true }); });
test.run();
