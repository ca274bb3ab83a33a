// Issue 11, "a damaged cache entry (a file changed or missing) is detected by its recorded digest
// and ignored, never restored", through a second Outdir (restored by hard links from the entries'
// objects, no parked directory to fall back on): an object missing from cache/objects makes its
// chunk and the merge above it run; a merge's object changed in place (same size) makes only that
// merge run. Every other node is restored (its files byte for byte the first Outdir's), and the
// nodes that ran again give the same counters and averages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_NODES, build, type BuildRun, heppy, makeProject, type Project, resultDigests } from './build-rig.js';

const ALL = ALL_NODES;
let p: Project;

const snapshot = resultDigests;

/**
 * The snapshot of a build where the nodes `ran` ran again: their ROOT files and logs hold the time
 * they were written, so of those only the counters and averages (.json/.txt sidecars) are compared.
 */
function expected(snap: Record<string, string>, ran: string[]): Record<string, string> {
  const dirs = ran.map((id) => id.replace(/^hadd:/, ''));
  return Object.fromEntries(Object.entries(snap).filter(([f]) => !dirs.includes(f.split('/')[0]!) || /^[^/]+\/Sum_1\/(cutflow|x)\.(json|txt)$/.test(f)));
}

const restoredIds = (r: BuildRun): string[] => r.events.filter((e) => e.type === 'done' && e.restored).map((e) => e.id as string).sort();
const runIds = (r: BuildRun): string[] => r.ran.filter((id) => !restoredIds(r).includes(id));

/** The cache object that is `file` (the same inode: objects are hard links of the results kept). */
function objectOf(file: string): string {
  const objects = join(p.dir, 'cache', 'objects');
  const ino = String(statSync(file).ino);
  const hits = readdirSync(objects).filter((o) => o.endsWith(`-${ino}`));
  assert.is(hits.length, 1, `one object of ${file} (inode ${ino}): ${hits.join(' ')}`);
  return join(objects, hits[0]!);
}

test.before(async () => { p = await makeProject(); });
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('an object missing from the cache: a second Outdir runs that chunk and its merge, restores the 7 others byte for byte', () => {
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  assert.equal(first.ran, ALL);
  const ref = snapshot(join(p.dir, 'Outdir'));
  const obj = objectOf(join(p.dir, 'Outdir', 'B_Chunk1', 'Sum_1', 'cutflow.txt'));
  unlinkSync(obj);

  const second = build(p, ['--outdir', 'Outdir2']);
  assert.is(second.code, 0, second.stderr);
  assert.equal(runIds(second), ['B_Chunk1', 'hadd:B']);
  assert.equal(restoredIds(second), ALL.filter((id) => id !== 'B_Chunk1' && id !== 'hadd:B'));
  assert.ok(second.events.some((e) => e.type === 'warning' && /B_Chunk1: .*cache entry damaged \(it is missing\); not restored/.test(String(e.message))),
    second.events.filter((e) => e.type === 'warning').map((e) => String(e.message)).join('\n'));
  assert.equal(expected(snapshot(join(p.dir, 'Outdir2')), runIds(second)), expected(ref, runIds(second)));
  assert.is(heppy(p, ['check', 'Outdir2']).code, 0);
  // The damaged entry was dropped and the re-run kept: a third Outdir restores all nine.
  const third = build(p, ['--outdir', 'Outdir3']);
  assert.is(third.code, 0, third.stderr);
  assert.equal(restoredIds(third), ALL);
  assert.equal(snapshot(join(p.dir, 'Outdir3')), snapshot(join(p.dir, 'Outdir2')));
});

test('a merge\'s object changed in place (same size): only that merge runs in a new Outdir; its file is merged again, not restored', () => {
  const ref = snapshot(join(p.dir, 'Outdir3'));
  const merged = join(p.dir, 'Outdir3', 'A', 'Sum_1', 'cutflow.txt');
  const obj = objectOf(merged);
  const text = readFileSync(obj, 'utf8');
  const bad = text.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10));
  assert.is.not(bad, text);
  writeFileSync(obj, bad); // in place: the object's inode, so Outdir3's file (the same inode) changes too
  assert.is(statSync(obj).size, text.length);

  const fourth = build(p, ['--outdir', 'Outdir4']);
  assert.is(fourth.code, 0, fourth.stderr);
  assert.equal(runIds(fourth), ['hadd:A']);
  assert.equal(restoredIds(fourth), ALL.filter((id) => id !== 'hadd:A'));
  assert.ok(fourth.events.some((e) => e.type === 'warning' && /hadd:A: .*cache entry damaged \(its content changed\); not restored/.test(String(e.message))),
    fourth.events.filter((e) => e.type === 'warning').map((e) => String(e.message)).join('\n'));
  assert.equal(expected(snapshot(join(p.dir, 'Outdir4')), ['hadd:A']), expected(ref, ['hadd:A']));
  assert.is(readFileSync(join(p.dir, 'Outdir4', 'A', 'Sum_1', 'cutflow.txt'), 'utf8'), text);
  assert.is(heppy(p, ['check', 'Outdir4']).code, 0);
  // The Outdir whose file was changed through the shared inode: check --verify names it.
  const verify = heppy(p, ['check', '--verify', 'Outdir3']);
  assert.is(verify.code, 1, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /A\/Sum_1\/cutflow\.txt|cutflow\.txt/);
});

test.run();
