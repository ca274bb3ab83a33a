// heppy check --verify: result files compared by content with the digests recorded when they were
// built (their output-cache entries). A file changed in place keeps its size, so plain check passes;
// its cache entry is a hard link of it, so a second Outdir restored from the cache changes with it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, type Project } from './build-rig.js';

let p: Project;
test.before(async () => {
  p = await makeProject();
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('a result file changed in place: check passes on sizes, check --verify names it in every Outdir sharing it (exit 1)', () => {
  assert.is(build(p).code, 0);
  const clean = heppy(p, ['check', '--verify', 'Outdir']);
  assert.is(clean.code, 0, clean.stdout + clean.stderr);
  assert.not.match(clean.stdout, /not verified/);
  const other = build(p, ['--outdir', 'Other']);
  assert.is(other.code, 0, other.stderr);
  const cut = join(p.dir, 'Outdir', 'B_Chunk1', 'Sum_1', 'cutflow.txt');
  const text = readFileSync(cut, 'utf8');
  writeFileSync(cut, text.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10)));
  assert.is(statSync(cut).size, text.length);
  assert.is(heppy(p, ['check', 'Outdir']).code, 0, 'sizes and ROOT files alone do not see it');
  for (const out of ['Outdir', 'Other']) {
    const v = heppy(p, ['check', '--verify', out]);
    assert.is(v.code, 1, v.stdout);
    assert.match(v.stdout, /B_Chunk1[^\n]*Sum_1\/cutflow\.txt: its content differs from the digest recorded when it was built \(cache entry [0-9a-f]{16}\)/);
    const j = JSON.parse(heppy(p, ['check', '--verify', '--json', out]).stdout) as { chunks: Array<{ name: string; good: boolean; problems: Array<{ code: string; file?: string }> }> };
    const bad = j.chunks.filter((c) => !c.good);
    assert.equal(bad.map((c) => c.name), ['B_Chunk1']);
    assert.equal(bad[0]!.problems.map((x) => [x.code, x.file]), [['digest', join(p.dir, out, 'B_Chunk1', 'Sum_1', 'cutflow.txt')]]);
  }
  writeFileSync(cut, text);
  assert.is(heppy(p, ['check', '--verify', 'Outdir']).code, 0);
});

test('a build without the cache: its directories are listed as not verified; --verify with --resubmit is a usage error', () => {
  assert.is(build(p, ['--outdir', 'NoCache', '--no-cache', '-o', 'slowms=4']).code, 0);
  const v = heppy(p, ['check', '--verify', 'NoCache']);
  assert.is(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /not verified \(no digests recorded: built with --no-cache, or its cache entry evicted\): [^\n]*A_Chunk0/);
  assert.is(heppy(p, ['check', '--verify', '--resubmit', 'Outdir']).code, 2);
});

test.run();
