// The chunk-directory contract and the engine end to end (issue 7 items 1-3, issue 12 item 4), with
// real processes on the small generated dataset of build-rig.ts: after a rebuild with another -o,
// check is clean and hadd changes nothing; check --resubmit and run-chunk run the current analysis;
// the plan recorded by the build is the truth (a deleted chunk directory is missing, an earlier
// split's directories are stale and never merged); build, check and status agree after any
// sequence; batchScript.sh run by hand in a failed chunk is adopted by the next build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../../src/root/read/index.js';
import { build, heppy, heppyfileText, makeProject, ROOT_OUTPUTS, type Project } from './build-rig.js';

let p: Project;

/** The rig's analysis with its cut read from `-o minX=…` (default 50). */
function optionHeppyfile(extra = (s: string) => s): void {
  writeFileSync(p.heppyfile, extra(heppyfileText(50).replace('__DIR__', p.dir).replace('minX: 50,', "minX: Number(getOption('minX', 50)),")));
}

const cutflow = (outdir: string, dir: string): string => readFileSync(join(p.dir, outdir, dir, 'Sum_1', 'cutflow.txt'), 'utf8');

/** Entries and the sum of x of a merged `sel` tree (the ROOT side of the merged outputs). */
async function treeSums(outdir: string, comp: string): Promise<[number, number]> {
  const f = await openRootFile(join(p.dir, outdir, comp, 'Sum_1', 'tree.root'));
  const t = await f.tree('sel');
  const col = await t.column('x');
  let sum = 0;
  for (const v of col.values as Float64Array) sum += v;
  f.close();
  return [t.entries, sum];
}

async function merged(outdir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const c of ['A', 'B']) {
    out[`${c}/cutflow`] = cutflow(outdir, c);
    if (ROOT_OUTPUTS) out[`${c}/tree`] = await treeSums(outdir, c);
  }
  out['C/cutflow'] = cutflow(outdir, 'C');
  return out;
}

test.before(async () => {
  p = await makeProject();
  optionHeppyfile();
});

test('build, build -o, then check is clean, hadd changes nothing, check --resubmit and run-chunk run the current analysis', async () => {
  const ref = build(p, ['--outdir', 'Ref', '-o', 'minX=80']);
  assert.is(ref.code, 0, ref.stderr);
  assert.is(build(p, []).code, 0);
  const second = build(p, ['-o', 'minX=80']);
  assert.is(second.code, 0, second.stderr);
  assert.equal(second.ran.filter((id) => !id.startsWith('hadd:')).length, 7, 'every chunk ran again with the new option');
  // Every chunk directory (merged components are not chunks) holds the script that redoes it.
  for (const d of readdirSync(join(p.dir, 'Outdir')).filter((d) => existsSync(join(p.dir, 'Outdir', d, 'chunk.json')))) {
    assert.ok(existsSync(join(p.dir, 'Outdir', d, 'batchScript.sh')), `${d} has its batchScript.sh`);
  }
  const expected = await merged('Ref');
  assert.equal(await merged('Outdir'), expected);

  const check = heppy(p, ['check', 'Outdir']);
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, '7 chunks checked: 7 good, 0 bad');
  const hadd = heppy(p, ['hadd', 'Outdir']);
  assert.is(hadd.code, 0, hadd.stdout + hadd.stderr);
  assert.equal(await merged('Outdir'), expected, 'hadd left the merged outputs as the build made them');

  // A deleted output: check --resubmit runs the chunk with the last build's analysis (-o minX=80).
  unlinkSync(join(p.dir, 'Outdir', 'A_Chunk1', 'Sum_1', 'cutflow.json'));
  const re = heppy(p, ['check', '--resubmit', 'Outdir']);
  assert.is(re.code, 0, re.stdout + re.stderr);
  assert.equal(await merged('Outdir'), expected, 'the merged cut flow equals the build\'s');
  assert.is(heppy(p, ['check', 'Outdir']).code, 0);
  const after = build(p, ['-o', 'minX=80']);
  assert.is(after.code, 0, after.stderr);
  assert.equal(after.ran, [], 'build agrees: nothing to run after check --resubmit');

  // run-chunk runs the chunk.json in the directory: the current bundle and options.
  const before = cutflow('Outdir', 'B_Chunk0');
  const rc = heppy(p, ['run-chunk', 'Outdir/B_Chunk0']);
  assert.is(rc.code, 0, rc.stderr);
  assert.is(cutflow('Outdir', 'B_Chunk0'), before);
  assert.is(cutflow('Outdir', 'B_Chunk0'), cutflow('Ref', 'B_Chunk0'));
});

test('a chunk directory deleted entirely: check names it (exit 1); check --resubmit makes it; check and build agree', async () => {
  rmSync(join(p.dir, 'Outdir', 'A_Chunk2'), { recursive: true, force: true });
  const check = heppy(p, ['check', 'Outdir']);
  assert.is(check.code, 1, check.stdout);
  assert.match(check.stdout, /A_Chunk2 : planned by the last build, but there is no such directory/);
  const status = heppy(p, ['status', '-o', 'minX=80']);
  assert.match(status.stdout, /to restore\s+A_Chunk2/, 'its key is in the output cache: the build restores it');
  const re = heppy(p, ['check', '--resubmit', 'Outdir']);
  assert.is(re.code, 0, re.stdout + re.stderr);
  assert.ok(existsSync(join(p.dir, 'Outdir', 'A_Chunk2', 'heppy-status.json')));
  assert.equal(await merged('Outdir'), await merged('Ref'));
  assert.equal(build(p, ['-o', 'minX=80']).ran, []);
});

test('the resubmit / rebuild sequence: build; delete an output; check --resubmit; delete it again; build → check and build agree', () => {
  const out = join(p.dir, 'Outdir', 'B_Chunk1', 'Sum_1', 'cutflow.txt');
  unlinkSync(out);
  assert.is(heppy(p, ['check', '--resubmit', 'Outdir']).code, 0);
  unlinkSync(out);
  const b = build(p, ['-o', 'minX=80']);
  assert.is(b.code, 0, b.stderr);
  assert.equal(b.ran, ['B_Chunk1', 'hadd:B']);
  const check = heppy(p, ['check', 'Outdir']);
  assert.is(check.code, 0, check.stdout);
  assert.equal(build(p, ['-o', 'minX=80']).ran, []);
  const m = JSON.parse(readFileSync(join(p.dir, 'Outdir', 'B_Chunk1', 'heppy-status.json'), 'utf8')) as { attempt: number };
  const spec = JSON.parse(readFileSync(join(p.dir, 'Outdir', 'B_Chunk1', 'chunk.json'), 'utf8')) as { attempt: number };
  assert.is(spec.attempt, m.attempt, 'chunk.json and the marker name the same attempt');
});

test('directories of an earlier split are stale: reported by check, never merged by hadd', async () => {
  optionHeppyfile((s) => s.replace('{ splitFactor: 4 }', '{ splitFactor: 2 }'));
  const ref = build(p, ['--outdir', 'Ref2', '-o', 'minX=80']);
  assert.is(ref.code, 0, ref.stderr);
  const b = build(p, ['-o', 'minX=80']);
  assert.is(b.code, 0, b.stderr);
  assert.ok(existsSync(join(p.dir, 'Outdir', 'A_Chunk3')), 'the old split is still on disk');
  const check = heppy(p, ['check', 'Outdir']);
  assert.is(check.code, 0, check.stdout);
  assert.match(check.stdout, /stale \(not in the last build's plan.*A_Chunk2, Outdir\/A_Chunk3/);
  const hadd = heppy(p, ['hadd', '-f', 'Outdir']);
  assert.is(hadd.code, 0, hadd.stdout + hadd.stderr);
  assert.match(hadd.stdout, /not merged \(not in the last build's plan.*A_Chunk2/);
  const marker = JSON.parse(readFileSync(join(p.dir, 'Outdir', 'A', 'heppy-status.json'), 'utf8')) as { chunks: string[] };
  assert.equal(marker.chunks, ['A_Chunk0', 'A_Chunk1']);
  assert.equal(await merged('Outdir'), await merged('Ref2'));
  assert.match(readFileSync(join(p.dir, 'Outdir', 'A', 'processing.yaml'), 'utf8'), /nfiles: 2/);
  optionHeppyfile();
});

test('a renamed component: its old merged and chunk directories are stale (check exit 0, not re-merged); clean --stale removes only them', () => {
  optionHeppyfile();
  assert.is(build(p, ['-o', 'minX=80']).code, 0);
  optionHeppyfile((s) => s.replace("new Component('B',", "new Component('B2',"));
  try {
    renamedComponent();
  } finally {
    optionHeppyfile();
  }
});

function renamedComponent(): void {
  const b = build(p, ['-o', 'minX=80']);
  assert.is(b.code, 0, b.stderr);
  assert.ok(existsSync(join(p.dir, 'Outdir', 'B', 'heppy-status.json')), 'the old merge is still on disk');
  const check = heppy(p, ['check', '--json', 'Outdir']);
  assert.is(check.code, 0, check.stdout);
  const doc = JSON.parse(check.stdout) as { stale: string[]; merged: Array<{ component: string }> };
  assert.equal(doc.stale.map((d) => d.slice(d.lastIndexOf('/') + 1)).sort(), ['B', 'B_Chunk0', 'B_Chunk1']);
  assert.equal(doc.merged.map((m) => m.component).sort(), ['A', 'B2']);
  const text = heppy(p, ['check', 'Outdir']);
  assert.is(text.code, 0, text.stdout);
  const staleLine = text.stdout.split('\n').find((l) => l.startsWith('stale (')) ?? '';
  assert.match(staleLine, /^stale \(not in the last build's plan: an earlier split, a removed or renamed component; .*: /, text.stdout);
  assert.equal(staleLine.slice(staleLine.lastIndexOf(': ') + 2).split(', ').sort(), ['Outdir/B', 'Outdir/B_Chunk0', 'Outdir/B_Chunk1']);
  assert.match(text.stdout, /2 merged components checked: 2 good, 0 bad/);
  const before = readFileSync(join(p.dir, 'Outdir', 'B', 'heppy-status.json'), 'utf8');
  const resub = heppy(p, ['check', '--resubmit', 'Outdir']);
  assert.is(resub.code, 0, resub.stdout + resub.stderr);
  assert.is(readFileSync(join(p.dir, 'Outdir', 'B', 'heppy-status.json'), 'utf8'), before, 'the stale merge is not re-merged');
  const why = heppy(p, ['why', '-o', 'minX=80', 'B_Chunk1']);
  assert.is(why.code, 1);
  assert.is(why.stdout, `B_Chunk1 is not a node of this plan: ${join(p.dir, 'Outdir', 'B_Chunk1')} is left from an earlier build (an earlier split, a removed or renamed component); \`heppy check\` lists it as stale once a build of this plan ran, \`heppy clean --stale\` removes it\n`);
  const clean = heppy(p, ['clean', '--stale']);
  assert.is(clean.code, 0, clean.stderr);
  assert.is(clean.stdout, 'removed 3 stale directories of ' + join(p.dir, 'Outdir') + ': B_Chunk0, B_Chunk1, B\n');
  for (const d of ['B', 'B_Chunk0', 'B_Chunk1']) assert.not.ok(existsSync(join(p.dir, 'Outdir', d)), d);
  for (const d of ['B2', 'B2_Chunk0', 'A', 'A_Chunk0', 'C']) assert.ok(existsSync(join(p.dir, 'Outdir', d)), d);
  const again = build(p, ['-o', 'minX=80']);
  assert.is(again.code, 0, again.stderr);
  assert.equal(again.ran, [], 'clean --stale left the planned outputs and their records alone');
  assert.equal(heppy(p, ['clean', '--stale', '--keep-cache']).code, 2);
}

test('batchScript.sh run by hand in a failed chunk is adopted by the next build (only the merge runs)', async () => {
  writeFileSync(join(p.dir, 'BROKEN'), '');
  // --no-cache: the output cache holds this chunk from the first test's build (same key).
  const failed = build(p, ['--outdir', 'Hand', '--no-cache']);
  assert.is(failed.code, 1);
  assert.equal(failed.failed, ['B_Chunk1']);
  const script = join(p.dir, 'Hand', 'B_Chunk1', 'batchScript.sh');
  assert.ok(existsSync(script), 'a failed local run leaves its batchScript.sh');
  rmSync(join(p.dir, 'BROKEN'));
  const byHand = spawnSync('bash', ['-c', 'nohup ./batchScript.sh > /dev/null 2>&1 & wait'], { cwd: join(p.dir, 'Hand', 'B_Chunk1'), encoding: 'utf8' });
  assert.is(byHand.status, 0, byHand.stderr);
  const m = JSON.parse(readFileSync(join(p.dir, 'Hand', 'B_Chunk1', 'heppy-status.json'), 'utf8')) as { status: string };
  assert.is(m.status, 'ok');
  const next = build(p, ['--outdir', 'Hand', '--no-cache']);
  assert.is(next.code, 0, next.stderr);
  assert.equal(next.ran, ['hadd:B']);
  assert.is(heppy(p, ['check', 'Hand']).code, 0);
  assert.equal(build(p, ['--outdir', 'Hand', '--no-cache']).ran, []);
  const clean = build(p, ['--outdir', 'Ref50']);
  assert.is(clean.code, 0, clean.stderr);
  assert.equal(await merged('Hand'), await merged('Ref50'));
});

test.after(() => { if (p) rmSync(p.dir, { recursive: true, force: true }); });
test('check and status after a build with another -o: each says which build it judges; status lists what build then restores', () => {
  optionHeppyfile();
  assert.is(build(p, ['-o', 'minX=80']).code, 0);
  const check = heppy(p, ['check', 'Outdir']);
  assert.is(check.code, 0, check.stdout);
  assert.match(check.stdout.split('\n')[0]!, /^Outdir: judged against its last build's plan \(-o minX=80, planned \d{4}-\d\d-\d\dT[\d:.]+Z\); `heppy status` with the next build's flags says what that build would run$/);
  const text = heppy(p, ['status']);
  assert.is(text.stdout.split('\n')[1], 'the last build of this Outdir used -o minX=80 (heppy check and hadd judge its outputs); with no -o options, as here, a build would run or restore what is listed below');
  assert.match(text.stdout, /\n  A +0\/4 chunks up to date, 4 to restore from cache, merge to restore from cache\n/);
  assert.not.match(heppy(p, ['status', '-o', 'minX=80']).stdout, /the last build of this Outdir/);
  const st = JSON.parse(heppy(p, ['status', '--json']).stdout) as { nodes: Array<{ id: string; kind: string; state: string }> };
  const toRestore = st.nodes.filter((n) => n.state === 'to restore').map((n) => n.id).sort();
  assert.ok(toRestore.length > 0);
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  const restored = b.events.filter((e) => e.type === 'done' && e.restored !== undefined).map((e) => e.id as string).sort();
  assert.ok(toRestore.includes('hadd:A'), 'the merge is restored too: its key is predicted from its chunks\' cached results');
  assert.equal(restored, toRestore, 'status named exactly the nodes the build restored');
  assert.match(heppy(p, ['check', 'Outdir']).stdout.split('\n')[0]!, /\(no -o options, planned /);
});

test.run();
