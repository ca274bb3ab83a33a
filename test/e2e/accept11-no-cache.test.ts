// Issue 11, "--no-cache disables it": a build with --no-cache neither restores from the output
// cache nor keeps into it. Its new key leaves no entry (cache stats unchanged, and the same build
// with the cache then runs every node again), and a key that has entries is run, not restored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { ALL_NODES, build, type BuildRun, heppy, makeProject, type Project } from './build-rig.js';

const ALL = ALL_NODES;
let p: Project;

const restoredIds = (r: BuildRun): string[] => r.events.filter((e) => e.type === 'done' && e.restored).map((e) => e.id as string).sort();
const stats = (): { entries: number; objects: number; bytes: number } => JSON.parse(heppy(p, ['cache', 'stats', '--json']).stdout) as { entries: number; objects: number; bytes: number };

test.before(async () => { p = await makeProject(); });
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('--no-cache: a new key runs and keeps nothing; a cached key runs instead of being restored; without it, the same key is restored', () => {
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  assert.equal(first.ran, ALL);
  const kept = stats();
  assert.is(kept.entries, ALL.length);

  const other = build(p, ['-o', 'slowms=1', '--no-cache']);
  assert.is(other.code, 0, other.stderr);
  assert.equal(other.ran, ALL);
  assert.equal(restoredIds(other), []);
  const after = stats();
  assert.equal({ entries: after.entries, objects: after.objects, bytes: after.bytes }, { entries: kept.entries, objects: kept.objects, bytes: kept.bytes }, 'nothing kept');

  // Back to the first key with --no-cache: its entries exist, but every node runs.
  const back = build(p, ['--no-cache']);
  assert.equal(back.ran, ALL);
  assert.equal(restoredIds(back), []);
  // The --no-cache key has no entry: with the cache it runs again (and is kept this time).
  const again = build(p, ['-o', 'slowms=1']);
  assert.equal(again.ran, ALL);
  assert.equal(restoredIds(again), []);
  assert.is(stats().entries, 2 * ALL.length);
  // And the first key is restored from the entries the first build kept.
  assert.equal(restoredIds(build(p)), ALL);
});

test.run();
