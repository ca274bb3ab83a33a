// A build leaves a snapshot of its store (src/store/snapshot.ts) that the next build reads instead
// of LMDB while the store is unchanged. Whatever the snapshot says, a changed or missing output is
// still found, and a snapshot older than the store (records forgotten, removed or rewritten by
// another process since) is never trusted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build, buildAsync, heppy, makeProject, writeInput, type BuildRun, type Project } from './build-rig.js';
import { Store } from '../../src/store/store.js';

let p: Project;
test.before(async () => { p = await makeProject(); });

/** Chunks 4 + 2 + 1, merges of A and B. */
const NODES = 9;

async function recordCount(): Promise<number> {
  const s = Store.open(join(p.dir, 'cache'), join(p.dir, 'Outdir'));
  const n = s.allTasks().size;
  await s.close();
  return n;
}

test('a no-op build after a build is served by its snapshot: nothing runs', () => {
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  assert.is(first.ran.length, NODES);
  assert.is(readdirSync(join(p.dir, 'cache', 'snapshots')).filter((f) => f.endsWith('.json')).length, 1);
  const again = build(p);
  assert.is(again.code, 0, again.stderr);
  assert.equal(again.ran, []);
});

test('an output changed or deleted after the snapshot: that chunk runs again', () => {
  appendFileSync(join(p.dir, 'Outdir', 'A_Chunk1', 'log.txt'), 'edited\n');
  unlinkSync(join(p.dir, 'Outdir', 'B_Chunk0', 'Sum_1', 'cutflow.txt'));
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, ['A_Chunk1', 'B_Chunk0', 'hadd:A', 'hadd:B']);
  assert.equal(build(p).ran, []);
});

test('records forgotten by another process after the snapshot (clean --records-only): not trusted, the chunks are adopted again', async () => {
  const c = heppy(p, ['clean', '--records-only']);
  assert.is(c.code, 0, c.stderr);
  assert.is(await recordCount(), 0);
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, []);
  // A trusted stale snapshot would have said "up to date" and left the store without records.
  assert.is(await recordCount(), NODES);
});

test('a record removed behind the build\'s back (as a build killed after its commit leaves it): re-adopted', async () => {
  const s = Store.open(join(p.dir, 'cache'), join(p.dir, 'Outdir'));
  assert.ok(s.getTask('A_Chunk2'));
  await s.deleteTask('A_Chunk2');
  await s.close();
  assert.is(await recordCount(), NODES - 1);
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, []);
  assert.is(await recordCount(), NODES);
});

test('a snapshot file that cannot be read is only a slower build', () => {
  for (const f of readdirSync(join(p.dir, 'cache', 'snapshots'))) rmSync(join(p.dir, 'cache', 'snapshots', f));
  assert.equal(build(p).ran, []);
  assert.ok(existsSync(join(p.dir, 'cache', 'snapshots')));
  assert.equal(build(p).ran, []);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('outputs stat-ed while the heppyfile loads (the early check, forced for this small plan): a changed output still runs', async () => {
  const env = { ...process.env, HEPPY_OUTPUT_THREAD: '1', HEPPY_TIMING: '1' };
  // Each build waits until the last one's lock release is older than the early guard's racy window.
  await sleep(300);
  const quiet = await buildAsync(p, ['-j', '2'], env).done;
  assert.is(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.ran, []);
  assert.match(quiet.stderr, /served by its snapshot \(outputs stat-ed early\)/);
  appendFileSync(join(p.dir, 'Outdir', 'A_Chunk0', 'log.txt'), 'edited\n');
  unlinkSync(join(p.dir, 'Outdir', 'B_Chunk1', 'heppy-status.json'));
  await sleep(300);
  const r = await buildAsync(p, ['-j', '2'], env).done;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /outputs stat-ed early/);
  assert.equal(r.ran, ['A_Chunk0', 'B_Chunk1', 'hadd:A', 'hadd:B']);
  await sleep(300);
  const again = await buildAsync(p, ['-j', '2'], env).done;
  assert.equal(again.ran, []);
  assert.match(again.stderr, /outputs stat-ed early/);
});

test('chunk keys taken from the records while their key context holds; an input rewritten, an option, a new input: hashed again, those chunks run', async () => {
  const env = { ...process.env, HEPPY_TIMING: '1' };
  const run = (args: string[] = []): Promise<BuildRun> => buildAsync(p, ['-j', '2', ...args], env).done;
  const fromRecords = /plan: chunk keys \(from the records: same key context\)/;
  // Every chunk's key moves (an option): all run, and that build records the context of its keys.
  const all = await run(['-o', 'ctx=1']);
  assert.is(all.code, 0, all.stderr);
  assert.is(all.ran.length, NODES);
  assert.not.match(all.stderr, fromRecords);
  const noop = await run(['-o', 'ctx=1']);
  assert.equal(noop.ran, []);
  assert.match(noop.stderr, fromRecords);
  // Same size, new content and mtime: the digest moves, so does the context; only that chunk runs.
  await writeInput(join(p.dir, 'data', 'A', 'f2.root'), 30, 7000);
  const edited = await run(['-o', 'ctx=1']);
  assert.is(edited.code, 0, edited.stderr);
  assert.not.match(edited.stderr, fromRecords);
  assert.equal(edited.ran, ['A_Chunk2', 'hadd:A']);
  assert.match((await run(['-o', 'ctx=1'])).stderr, fromRecords);
  // Back to no option: every key moves again (the records hold the ctx=1 keys).
  const back = await run();
  assert.not.match(back.stderr, fromRecords);
  assert.is(back.ran.length, NODES);
  // A new input of B: B is split 2 ways over 3 files now.
  await writeInput(join(p.dir, 'data', 'B', 'f2.root'), 10, 9000);
  const added = await run();
  assert.is(added.code, 0, added.stderr);
  assert.not.match(added.stderr, fromRecords);
  assert.equal(added.ran, ['B_Chunk0', 'B_Chunk1', 'hadd:B']);
  const last = await run();
  assert.equal(last.ran, []);
  assert.match(last.stderr, fromRecords);
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
