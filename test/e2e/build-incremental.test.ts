// Acceptance: the four incremental cases, --dry-run, and a bad heppyfile (exit 2, nothing written).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, writeInput, type Project } from './build-rig.js';

let p: Project;
const ALL_CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];

test.before(async () => { p = await makeProject(); });

test('first build runs every chunk and both merges; the second runs nothing', () => {
  const r1 = build(p);
  assert.is(r1.code, 0, r1.stderr + r1.stdout);
  assert.equal(r1.ran, [...ALL_CHUNKS, 'hadd:A', 'hadd:B']);
  const s1 = r1.events.find((e) => e.type === 'summary')!.summary as Record<string, number>;
  assert.is(s1.eventsProcessed, 110 + 45 + 20); // A: 20+25+30+35, B: 20+25, C: 20 events
  const merged = readFileSync(join(p.dir, 'Outdir', 'A', 'Sum_1', 'cutflow.txt'), 'utf8');
  assert.match(merged, /all\s+110/);
  assert.ok(existsSync(join(p.dir, 'Outdir', 'C', 'heppy-status.json')), 'unsplit component runs in Outdir/C');
  assert.not.ok(existsSync(join(p.dir, 'Outdir', 'C_Chunk0')));
  const r2 = build(p);
  assert.is(r2.code, 0);
  assert.equal(r2.ran, []);
  assert.is(r2.events.filter((e) => e.type === 'up-to-date').length, 9);
});

test('edit one input file → exactly its chunk and its component hadd', async () => {
  await writeInput(join(p.dir, 'data', 'A', 'f2.root'), 31, 1000);
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, ['A_Chunk2', 'hadd:A']);
  assert.match(readFileSync(join(p.dir, 'Outdir', 'A', 'Sum_1', 'cutflow.txt'), 'utf8'), /all\s+111/);
});

test('a comment / reformatting in heppyfile.ts → nothing runs', () => {
  p.setHeppyfile(50, '// tuned by hand\n/* a block comment */\n\n');
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, []);
});

test('dry-run lists what would run and why, runs nothing', () => {
  p.setHeppyfile(60);
  const r = heppy(p, ['build', '--dry-run']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /would run A_Chunk0: code changed/);
  assert.match(r.stdout, /would run hadd:A: 4 chunks to run/);
  assert.is(r.stdout.split('\n').filter((l) => l.startsWith('would run')).length, 9);
});

test('why names the changed part; status lists what would run', () => {
  const w = heppy(p, ['why', 'A_Chunk1']);
  assert.is(w.code, 0, w.stderr);
  // The analyzer is defined in the heppyfile: its whole code counts.
  assert.is(w.stdout, 'A_Chunk1 would run:\n  code changed (the heppyfile and all its modules: an analyzer, a parameter or a component there is code)\n  sequence changed\n');
  const st = heppy(p, ['status']);
  assert.match(st.stdout, /A\s+0\/4 chunks up to date, not merged/);
});

test('change an analyzer parameter → every chunk and every merge', () => {
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, [...ALL_CHUNKS, 'hadd:A', 'hadd:B']);
});

test('delete one chunk output → only that chunk and its hadd', () => {
  unlinkSync(join(p.dir, 'Outdir', 'B_Chunk0', 'Sum_1', 'cutflow.txt'));
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, ['B_Chunk0', 'hadd:B']);
  // A whole chunk directory removed: same.
  rmSync(join(p.dir, 'Outdir', 'A_Chunk3'), { recursive: true });
  const r2 = build(p);
  assert.equal(r2.ran, ['A_Chunk3', 'hadd:A']);
  // A merged output modified → only the merge.
  appendFileSync(join(p.dir, 'Outdir', 'A', 'Sum_1', 'cutflow.txt'), 'x');
  assert.equal(build(p).ran, ['hadd:A']);
  assert.match(heppy(p, ['why', 'A_Chunk0']).stdout, /^A_Chunk0 is up to date \(key [0-9a-f]{16}, built 20\d\d-/);
});

test('-o option and -N are part of every key', () => {
  assert.equal(build(p, ['-o', 'era=2018']).ran.length, 9);
  assert.equal(build(p, ['-o', 'era=2018']).ran.length, 0);
  assert.equal(build(p, ['-o', 'era=2018', '-N', '10']).ran.length, 9);
});

test('a changed split warns about the chunk directories it no longer uses', () => {
  p.setHeppyfile(50);
  const f = readFileSync(p.heppyfile, 'utf8');
  writeFileSync(p.heppyfile, f.replace('{ splitFactor: 4 }', '{ splitFactor: 2 }'));
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  const w = r.events.find((e) => e.type === 'warning');
  assert.ok(w, 'a warning');
  assert.match(String(w!.message), /chunk directories not in this build \(an earlier split\?\): A_Chunk2, A_Chunk3;/);
  assert.ok(r.ran.includes('A_Chunk0') && r.ran.includes('A_Chunk1') && !r.ran.includes('A_Chunk2'));
  p.setHeppyfile(50);
});

test('invalid heppyfile → one line with file:line, exit 2, nothing written', () => {
  const out = join(p.dir, 'Out2');
  p.setHeppyfile(50, "const bad = new (await import('heppy')).Component('../x', { files: [] });\n");
  const r = heppy(p, ['build', '--outdir', out]);
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /heppyfile\.ts:1: .*\.\.\/x/);
  assert.not.ok(existsSync(out));
  const bad = heppy(p, ['build', '-j', 'many']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /-j must be a whole number/);
  p.setHeppyfile(50);
});

test.after(() => { if (p) rmSync(p.dir, { recursive: true, force: true }); void readdirSync; });
test.run();
