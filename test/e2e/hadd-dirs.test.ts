// `heppy hadd DIR…` (issue 7): chunk directories made elsewhere — copied out of an Outdir, or in the
// original heppy_loop's layout (no marker, no chunk.json: log.txt's line is the criterion) — are
// each checked on their own, merged per component in the order given, bad ones named with their
// reason (exit 1, as heppy check), bad arguments one line with exit 2. The merge of the copies
// equals the build's merge of the same chunks (cut flow, tree entries and sum, histogram).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../../src/root/read/index.js';
import { build, heppy, makeProject, ROOT_OUTPUTS, type Project } from './build-rig.js';

let p: Project;
const at = (...parts: string[]): string => join(p.dir, ...parts);

/** A merged component as numbers: cut flow text, processing.yaml, and (ROOT) tree entries/sum/first x and the histogram. */
async function merged(dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    cutflow: readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'),
  };
  if (ROOT_OUTPUTS) {
    const f = await openRootFile(join(dir, 'Sum_1', 'tree.root'));
    const t = await f.tree('sel');
    const x = (await t.column('x')).values as Float64Array;
    out.tree = { entries: t.entries, sum: x.reduce((a, b) => a + b, 0) };
    out.firstX = x[0];
    f.close();
    const h = await openRootFile(join(dir, 'Sum_1', 'histograms.root'));
    const hx = await h.hist('hx');
    out.hx = { entries: hx!.entries, contents: [...hx!.contents] };
    h.close();
  }
  return out;
}

const marker = (dir: string): { chunks: string[]; nfiles: number; ngoodfiles: number } => JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8'));

test.before(async () => {
  p = await makeProject();
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  for (let i = 0; i < 4; i++) cpSync(at('Outdir', `A_Chunk${i}`), at('Copies', `A_Chunk${i}`), { recursive: true, preserveTimestamps: true });
  // A_Chunk2 as the original heppy_loop left it: no marker, no chunk.json, no batchScript.sh.
  for (const f of ['heppy-status.json', 'chunk.json', 'batchScript.sh']) rmSync(at('Copies', 'A_Chunk2', f));
});

test('copied and legacy chunk directories, given in another order: merged in that order; equal to the build\'s merge', async () => {
  const order = ['A_Chunk3', 'A_Chunk1', 'A_Chunk0', 'A_Chunk2'];
  const r = heppy(p, ['hadd', '--dest', 'Merged', ...order.map((c) => join('Copies', c))]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  // A_Chunk0's events are all below the cut: its average x was never booked (as in the build's merge).
  assert.is(r.stdout, 'A: 4 of 4 chunks merged into Merged/A\nwarning: Sum_1/x.json: not produced by A_Chunk0 (merged from the other 3)\n');
  const m = marker(at('Merged', 'A'));
  assert.equal([m.chunks, m.nfiles, m.ngoodfiles], [order, 4, 4]);
  const ours = await merged(at('Merged', 'A'));
  const build = await merged(at('Outdir', 'A'));
  if (ROOT_OUTPUTS) {
    // The same entries, sum and histogram as the build's merge; the first entry is A_Chunk3's (the order given).
    const first = (await merged(at('Copies', 'A_Chunk3'))).firstX;
    assert.is(ours.firstX, first);
    assert.not.equal(build.firstX, first);
    delete ours.firstX;
    delete build.firstX;
  }
  assert.equal(ours, build);
  assert.equal(readFileSync(at('Merged', 'A', 'processing.yaml'), 'utf8'), readFileSync(at('Outdir', 'A', 'processing.yaml'), 'utf8'));
  // heppy check agrees: the merge holds every chunk next to the copies, none changed since.
  const c = heppy(p, ['check', 'Merged/A']);
  assert.is(c.code, 0, c.stdout);
});

test('a bad directory is left out and named with its reason (exit 1, as heppy check); the good ones are merged', async () => {
  const tree = at('Copies', 'A_Chunk1', 'Sum_1', 'tree.root');
  truncateSync(tree, Math.floor(statSync(tree).size / 2));
  const r = heppy(p, ['hadd', '--dest', 'Merged2', 'Copies/A_Chunk0', 'Copies/A_Chunk1']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.is(lines[0], 'A: 1 of 2 chunks merged into Merged2/A');
  assert.match(lines[1]!, /^  left out: Copies\/A_Chunk1 : .*Sum_1\/tree\.root/);
  assert.match(r.stdout, "list of bad directories:\n['Copies/A_Chunk1']\n");
  const m = marker(at('Merged2', 'A'));
  assert.equal([m.chunks, m.nfiles, m.ngoodfiles], [['A_Chunk0'], 2, 1]);
  assert.equal(await merged(at('Merged2', 'A')), await merged(at('Copies', 'A_Chunk0')));
  const c = heppy(p, ['check', 'Copies/A_Chunk0', 'Copies/A_Chunk1']);
  assert.is(c.code, 1, c.stdout);
  assert.match(c.stdout, /Copies\/A_Chunk1 : .*Sum_1\/tree\.root/);
});

test('components from several places with --dest; bad arguments are one line, exit 2, nothing written', () => {
  const r = heppy(p, ['hadd', '--json', '--dest', 'Mixed', 'Outdir/B_Chunk1', 'Copies/A_Chunk3', 'Outdir/B_Chunk0']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as { components: Array<{ component: string; status: string; summary: { chunks: string[] } }> };
  assert.equal(doc.components.map((c) => [c.component, c.status, c.summary.chunks]), [['B', 'merged', ['B_Chunk1', 'B_Chunk0']], ['A', 'merged', ['A_Chunk3']]]);
  assert.equal(readFileSync(at('Mixed', 'B', 'Sum_1', 'cutflow.txt'), 'utf8'), readFileSync(at('Outdir', 'B', 'Sum_1', 'cutflow.txt'), 'utf8'));
  const usage: Array<[string[], RegExp]> = [
    [['Copies/A_Chunk0', 'Copies/nope'], /^heppy: Copies\/nope: no such directory\n$/],
    [['Copies/A_Chunk0', 'Copies'], /^heppy: Copies: not a chunk directory/],
    [['Copies/A_Chunk0', 'Outdir/B_Chunk0'], /^heppy: the chunk directories are in several directories: give --dest DIR/],
    [['--dest', 'X', 'Copies/A_Chunk0', 'Outdir/A_Chunk0'], /^heppy: Outdir\/A_Chunk0: a chunk of A with the same name as .*Copies\/A_Chunk0/],
    [['Copies/A_Chunk0', 'Copies/A_Chunk0'], /^heppy: Copies\/A_Chunk0: given twice/],
  ];
  for (const [args, err] of usage) {
    const u = heppy(p, ['hadd', ...args]);
    assert.is(u.code, 2, args.join(' ') + ': ' + u.stderr);
    assert.match(u.stderr, err);
    assert.is(u.stderr.split('\n').length, 2, u.stderr);
  }
  for (const d of ['X', 'Copies/A', 'Outdir/A_Chunk0/A']) assert.not.ok(statSync(at(d), { throwIfNoEntry: false }), d);
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
