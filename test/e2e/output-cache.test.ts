// Acceptance for the output cache (cache/outputs/): a key that comes back (an option switched back,
// a reverted heppyfile) restores every node instead of running it, with byte-identical outputs and a
// clean `heppy check`; a tampered entry is never restored (that node runs); a build killed with
// kill -9 in the middle of restoring leaves nothing that looks good and the next build is correct.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_NODES, build, buildAsync, heppy, makeProject, type Project, resultDigests } from './build-rig.js';

const ALL = ALL_NODES;
let p: Project;

const snapshot = resultDigests;

const restoredIds = (r: ReturnType<typeof build>): string[] => r.events.filter((e) => e.type === 'done' && e.restored).map((e) => e.id as string).sort();

test.before(async () => {
  p = await makeProject();
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('an option switched back restores every node: byte-identical outputs, check clean, why says so', () => {
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  assert.equal(first.ran, ALL);
  const before = snapshot(join(p.dir, 'Outdir'));
  const other = build(p, ['-o', 'slowms=1']);
  assert.is(other.code, 0, other.stderr);
  assert.equal(other.ran, ALL);
  const back = build(p);
  assert.is(back.code, 0, back.stderr);
  assert.equal(restoredIds(back), ALL);
  const summary = back.events.find((e) => e.type === 'summary')!.summary as { run: number; restored: number };
  assert.is(summary.run, 0);
  assert.is(summary.restored, ALL.length);
  assert.equal(snapshot(join(p.dir, 'Outdir')), before);
  const check = heppy(p, ['check', 'Outdir']);
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.match(heppy(p, ['why', 'A_Chunk2']).stdout, /A_Chunk2 is up to date \(key [0-9a-f]+, restored from cache \(built at \d{4}-/);
  // A reverted heppyfile is the same: a change (other cut) runs, the revert restores.
  p.setHeppyfile(60);
  assert.equal(build(p).ran, ALL);
  p.setHeppyfile(50);
  const reverted = build(p);
  assert.equal(restoredIds(reverted), ALL);
  assert.equal(snapshot(join(p.dir, 'Outdir')), before);
  // --no-cache neither restores nor keeps: everything runs.
  assert.equal(build(p, ['-o', 'slowms=1', '--no-cache']).ran, ALL);
});

test('a tampered cache entry is detected by its digest: that chunk runs, the others are restored', () => {
  assert.is(build(p).code, 0);
  // Change B_Chunk1's result in place (same size): the cache entry is a hard link of it, so it changes too.
  const cut = join(p.dir, 'Outdir', 'B_Chunk1', 'Sum_1', 'cutflow.txt');
  const text = readFileSync(cut, 'utf8');
  writeFileSync(cut, text.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10)));
  assert.is(statSync(cut).size, text.length);
  assert.is(build(p, ['-o', 'slowms=2']).code, 0);
  const back = build(p);
  assert.is(back.code, 0, back.stderr);
  assert.equal(back.ran.filter((id) => !restoredIds(back).includes(id)), ['B_Chunk1', 'hadd:B']);
  assert.ok(back.events.some((e) => e.type === 'warning' && /B_Chunk1: .*cache entry damaged \(its content changed\); not restored/.test(String(e.message))), back.stdout);
  assert.is(readFileSync(cut, 'utf8'), text);
  assert.is(heppy(p, ['check', 'Outdir']).code, 0);
});

test('kill -9 while restoring: the next build is correct and check is clean', async () => {
  const ref = snapshot(join(p.dir, 'Outdir'));
  assert.is(build(p, ['-o', 'slowms=3']).code, 0);
  // A restore takes milliseconds: the kill lands when the n-th restore's tmp dir is seen (polled),
  // not after a fixed delay (by then the build may have finished).
  for (const nth of [1, 4]) {
    const b = buildAsync(p, ['-j', '2']);
    let exited = false;
    void b.done.then(() => (exited = true));
    // A restore shows as its tmp dir (restored by links) or as the directory it replaced, parked
    // under that one's key (when the parked directory of its own key was renamed into place).
    const seen = new Set<string>();
    const list = (sub: string): string[] => { try { return readdirSync(join(p.dir, 'Outdir', '.heppy', sub)); } catch { return []; } };
    const parkedBefore = new Set(list('parked'));
    const t0 = Date.now();
    while (!exited && seen.size < nth && Date.now() - t0 < 20_000) {
      for (const e of list('tmp')) seen.add(e);
      for (const e of list('parked')) if (!parkedBefore.has(e)) seen.add(e);
      if (seen.size < nth) await new Promise((res) => setImmediate(res));
    }
    try { process.kill(b.pid, 'SIGKILL'); } catch { /* it had already finished */ }
    await b.done;
    const next = build(p);
    assert.is(next.code, 0, next.stderr);
    assert.equal(snapshot(join(p.dir, 'Outdir')), ref);
    assert.is(heppy(p, ['check', 'Outdir']).code, 0);
    assert.is(build(p, ['-o', 'slowms=3']).code, 0);
  }
});

test('a second Outdir of the same analysis is restored whole from the cache; a partial prune frees what stats counted, no more', () => {
  assert.is(build(p).code, 0);
  const ref = snapshot(join(p.dir, 'Outdir'));
  const second = build(p, ['--outdir', 'Outdir2']);
  assert.is(second.code, 0, second.stderr);
  assert.equal(restoredIds(second), ALL);
  assert.equal(snapshot(join(p.dir, 'Outdir2')), ref);
  assert.is(heppy(p, ['check', 'Outdir2']).code, 0);
  type Stats = { entries: number; bytes: number; objects: number; parked: number; parkedBytes: number };
  const before = JSON.parse(heppy(p, ['cache', 'stats', '--json']).stdout) as Stats;
  assert.ok(before.entries >= ALL.length && before.objects > 0, JSON.stringify(before));
  const half = Math.floor((before.bytes + before.parkedBytes) / 2);
  const pr = heppy(p, ['cache', 'prune', '--max-size', String(half), '--json']);
  assert.is(pr.code, 0, pr.stderr);
  const r = JSON.parse(pr.stdout) as { removed: number; freedBytes: number; left: Stats };
  assert.ok(r.removed > 0);
  assert.is(r.freedBytes + r.left.bytes + r.left.parkedBytes, before.bytes + before.parkedBytes, 'freed + left = what stats said');
  assert.ok(r.left.bytes + r.left.parkedBytes <= half);
  assert.equal(JSON.parse(heppy(p, ['cache', 'stats', '--json']).stdout), { ...r.left, root: join(p.dir, 'cache', 'outputs') });
  // The entries left are whole: a build restores what it can and runs the rest, results unchanged.
  rmSync(join(p.dir, 'Outdir2'), { recursive: true });
  const third = build(p, ['--outdir', 'Outdir2']);
  assert.is(third.code, 0, third.stderr);
  assert.equal(snapshot(join(p.dir, 'Outdir2')), ref);
});

test('heppy cache stats counts the directories restores parked; prune --max-size 0 removes them with every entry', () => {
  assert.is(build(p).code, 0);
  assert.equal(build(p, ['-o', 'slowms=2']).ran, ALL); // a new key: run and kept
  assert.equal(restoredIds(build(p)), ALL); // back: the slowms=2 directories parked (their entries exist)
  const ref = snapshot(join(p.dir, 'Outdir'));
  const parkedDir = join(p.dir, 'Outdir', '.heppy', 'parked');
  const parked = readdirSync(parkedDir);
  assert.ok(parked.length >= ALL.length, parked.join(' '));
  const stats = JSON.parse(heppy(p, ['cache', 'stats', '--json']).stdout) as { entries: number; bytes: number; parked: number; parkedBytes: number };
  assert.is(stats.parked, readdirSync(parkedDir).length);
  assert.ok(stats.entries >= 2 * ALL.length, String(stats.entries));
  assert.match(heppy(p, ['cache', 'stats']).stdout, new RegExp(`${stats.parked} node directories parked in Outdirs`));
  const pruned = heppy(p, ['cache', 'prune', '--max-size', '0']);
  assert.is(pruned.code, 0, pruned.stderr);
  assert.match(pruned.stdout, new RegExp(`^removed ${stats.entries} entries and ${stats.parked} parked node directories of keys gone \\(.*\\); 0 left, 0 B\\n$`));
  assert.equal(readdirSync(join(p.dir, 'cache', 'objects')), [], 'every object removed');
  assert.equal(readdirSync(parkedDir), []);
  assert.equal(JSON.parse(heppy(p, ['cache', 'stats', '--json']).stdout).parked, 0);
  // The results in place are untouched: check is clean and the next build has nothing to do.
  assert.is(heppy(p, ['check', 'Outdir']).code, 0);
  const noop = build(p);
  assert.equal(noop.ran, []);
  assert.equal(restoredIds(noop), []);
  assert.equal(snapshot(join(p.dir, 'Outdir')), ref);
});

test.run();
