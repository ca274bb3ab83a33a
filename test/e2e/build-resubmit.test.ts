// A chunk re-run by `heppy check --resubmit` (which does not update the store) is adopted by the
// next build as up to date: its marker says ok for today's key, for the current attempt, and its
// recorded outputs are intact. Only the merge runs (when check --resubmit's own merge is not
// the one the build recorded).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, ROOT_OUTPUTS, type Project } from './build-rig.js';

let p: Project;
test.before(async () => { p = await makeProject(); });

const wouldRun = (): string[] => {
  const d = heppy(p, ['build', '--dry-run']);
  assert.is(d.code, 0, d.stderr);
  return d.stdout.split('\n').filter((l) => l.startsWith('would run')).map((l) => /^would run (\S+): /.exec(l)![1]!);
};

test('a failed chunk fixed by check --resubmit: the next build adopts it', () => {
  writeFileSync(join(p.dir, 'BROKEN'), '');
  const r = build(p, ['--retries', '0']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(r.failed, ['B_Chunk1']);
  unlinkSync(join(p.dir, 'BROKEN'));
  const c = heppy(p, ['check', 'Outdir', '--resubmit']);
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /B_Chunk1: attempt 2 succeeded/);
  assert.equal(wouldRun(), ['hadd:B']);
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, ['hadd:B']);
  assert.equal(build(p).ran, []);
});

test('an ok chunk whose output was damaged, re-run by check --resubmit: adopted, not "output changed"', () => {
  if (!ROOT_OUTPUTS) return;
  const f = join(p.dir, 'Outdir', 'A_Chunk2', 'Sum_1', 'histograms.root');
  truncateSync(f, 100);
  assert.equal(wouldRun(), ['A_Chunk2', 'hadd:A']); // damaged: the build would run it
  const c = heppy(p, ['check', 'Outdir', '--resubmit']);
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /A_Chunk2: attempt 2 succeeded/);
  assert.ok(readFileSync(f).length > 100);
  assert.equal(wouldRun(), ['hadd:A']);
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, ['hadd:A']);
  assert.equal(build(p).ran, []);
  // Touching an output (marker unchanged, same attempt): not adopted, the chunk runs again.
  writeFileSync(join(p.dir, 'Outdir', 'A_Chunk2', 'Sum_1', 'x.txt'), readFileSync(join(p.dir, 'Outdir', 'A_Chunk2', 'Sum_1', 'x.txt')));
  assert.equal(wouldRun(), ['A_Chunk2', 'hadd:A']);
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
