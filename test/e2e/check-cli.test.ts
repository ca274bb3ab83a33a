// `heppy check` through the CLI on hand-made chunk directories.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedRootDir } from '../util/shared.js';
import { makeChunk } from '../unit/check/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-e2e-check-'));
const heppy = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('all good: exit 0 and a count', () => {
  makeChunk(join(root, 'Good'), 'A_Chunk0');
  makeChunk(join(root, 'Good'), 'A_Chunk1');
  const r = heppy(['check', 'Good']);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, '2 chunks checked: 2 good, 0 bad\n');
});

test('bad chunks: one line each with the reason, the list, exit 1', () => {
  const out = join(root, 'Outdir');
  makeChunk(out, 'ZZ_Chunk0');
  makeChunk(out, 'ZZ_Chunk1', { marker: { status: 'failed', exitCode: 1, reason: 'Error: boom' } });
  makeChunk(out, 'ZZ_Chunk2', { log: null, marker: null });
  makeChunk(out, 'ggH_Chunk0', { events: 7, marker: { expectedEvents: 10 } });
  const shared = sharedRootDir();
  if (shared) {
    const d = makeChunk(out, 'ggH_Chunk1');
    copyFileSync(join(shared, 'uproot-HZZ.root'), join(d, 'tree.root'));
    truncateSync(join(d, 'tree.root'), statSync(join(d, 'tree.root')).size - 10);
  }
  const r = heppy(['check']);   // default: ./Outdir
  assert.is(r.code, 1);
  const lines = r.out.split('\n');
  assert.ok(lines.includes('Outdir/ZZ_Chunk1 : run failed (attempt 1, exit code 1): Error: boom'), r.out);
  assert.ok(lines.includes('Outdir/ZZ_Chunk2 : log.txt does not exist; no heppy-status.json: the run did not finish'), r.out);
  assert.ok(lines.includes('Outdir/ggH_Chunk0 : processed 7 events, expected 10'), r.out);
  if (shared) {
    assert.ok(lines.includes('Outdir/ggH_Chunk1 : tree.root: truncated: the header records 217945 bytes but the file has 217935'), r.out);
    assert.ok(lines.includes('5 chunks checked: 1 good, 4 bad'), r.out);
  }
  assert.ok(lines.includes('list of bad directories:'));
  const j = heppy(['check', '--json', 'Outdir/ZZ_Chunk1', 'Outdir/ZZ_Chunk0']);
  assert.is(j.code, 1);
  const doc = JSON.parse(j.out);
  assert.equal([doc.total, doc.good, doc.bad], [2, 1, 1]);
  assert.equal(doc.chunks.map((c: { name: string }) => c.name), ['ZZ_Chunk0', 'ZZ_Chunk1']);
  assert.is(doc.chunks[1].problems[0].code, 'failed');
});

test("no argument next to a heppyfile: the Config's outdir", () => {
  const proj = join(root, 'proj');
  makeChunk(join(proj, 'Results'), 'R_Chunk0', { log: null, marker: null });
  writeFileSync(join(proj, 'in.root'), '');
  writeFileSync(join(proj, 'heppyfile.ts'), [
    "import { Analyzer, Component, Config, Sequence } from 'heppy';",
    'class A extends Analyzer {}',
    "export default new Config({ components: [new Component('R', { files: ['in.root'] })], sequence: new Sequence(new Analyzer(A)), outdir: 'Results' });",
    '',
  ].join('\n'));
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'check'], { cwd: proj, encoding: 'utf8' });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stdout.split('\n')[0], 'Results/R_Chunk0 : log.txt does not exist; no heppy-status.json: the run did not finish');
});

test('usage errors: exit 2, one line, no stack trace', () => {
  const a = heppy(['check', 'NoSuchDir']);
  assert.is(a.code, 2);
  assert.is(a.err, 'heppy: no such directory: NoSuchDir\n');
  const b = heppy(['check', '--frobnicate']);
  assert.is(b.code, 2);
  assert.not.match(b.err, /    at /);
  const c = heppy(['check', '-j', 'x', 'Good']);
  assert.is(c.code, 2);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
