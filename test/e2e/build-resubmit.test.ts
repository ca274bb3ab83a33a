// A chunk re-run by `heppy check --resubmit` goes through the build's engine: the chunk and the merge
// it feeds run and are recorded in the build's store, so the next build has nothing to do. A
// chunk re-run outside the engine (its marker newer than the record) is adopted from its marker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
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
  assert.match(c.stdout, /resubmitting 1 bad chunk of .*Outdir with the last build's analysis/);
  assert.match(c.stdout, /9 chunks checked: 9 good, 0 bad|7 chunks checked: 7 good, 0 bad/);
  assert.equal(wouldRun(), []);
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, []);
});

test('an ok chunk whose output was damaged, re-run by check --resubmit: adopted, not "output changed"', () => {
  if (!ROOT_OUTPUTS) return;
  const f = join(p.dir, 'Outdir', 'A_Chunk2', 'Sum_1', 'histograms.root');
  truncateSync(f, 100);
  assert.equal(wouldRun(), ['A_Chunk2', 'hadd:A']); // damaged: the build would run it
  const c = heppy(p, ['check', 'Outdir', '--resubmit']);
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /resubmitting 1 bad chunk of /);
  assert.ok(readFileSync(f).length > 100);
  assert.equal(wouldRun(), []);
  assert.equal(build(p).ran, []);
  // Run again outside the engine (by hand): a newer marker for the same key, adopted; only the merge runs.
  const rc = heppy(p, ['run-chunk', 'Outdir/A_Chunk2']);
  assert.is(rc.code, 0, rc.stderr);
  assert.equal(wouldRun(), ['hadd:A']);
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, ['hadd:A']);
  // Touching an output (marker unchanged, same attempt): not adopted, the chunk runs again.
  writeFileSync(join(p.dir, 'Outdir', 'A_Chunk2', 'Sum_1', 'x.txt'), readFileSync(join(p.dir, 'Outdir', 'A_Chunk2', 'Sum_1', 'x.txt')));
  assert.equal(wouldRun(), ['A_Chunk2', 'hadd:A']);
});

test('check --resubmit --cache-dir: the runs are recorded in the store named, as build --cache-dir would; bad values exit 2 in one line', async () => {
  writeFileSync(join(p.dir, 'BROKEN'), '');
  // --force: B_Chunk1 is up to date from the tests above (BROKEN is not part of its key).
  const r = build(p, ['--retries', '0', '--force']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(r.failed, ['B_Chunk1']);
  unlinkSync(join(p.dir, 'BROKEN'));
  // The cache moved since the build: its plan names a store that is no longer there.
  const moved = join(p.dir, 'cache-moved');
  renameSync(join(p.dir, 'cache'), moved);
  try {
    const file = join(p.dir, 'a-file');
    writeFileSync(file, '');
    for (const args of [['--resubmit', '--cache-dir', file], ['--cache-dir', moved]]) {
      const bad = heppy(p, ['check', 'Outdir', ...args]);
      assert.is(bad.code, 2, bad.stdout + bad.stderr);
      assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
      assert.not.match(bad.stderr, /    at /);
    }
    const c = heppy(p, ['check', 'Outdir', '--resubmit', '--cache-dir', moved]);
    assert.is(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /resubmitting 1 bad chunk of /);
    // Recorded there by the resubmission (the build recorded it failed; not only adoptable from its marker).
    const store = Store.open(moved, join(p.dir, 'Outdir'));
    const rec = store.allTasks().get('B_Chunk1');
    await store.close();
    assert.is(rec?.status, 'ok');
    const s = heppy(p, ['status', '--json', '--cache-dir', moved]);
    assert.is(s.code, 0, s.stderr);
    const node = (JSON.parse(s.stdout) as { nodes: Array<{ id: string; state: string; attempt: number | null }> }).nodes.find((n) => n.id === 'B_Chunk1');
    assert.equal([node?.state, node?.attempt], ['up to date', rec?.attempts]);
    const b = build(p, ['--cache-dir', moved]);
    assert.is(b.code, 0, b.stderr);
    assert.equal(b.ran, []);
  } finally {
    renameSync(moved, join(p.dir, 'cache'));
  }
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
