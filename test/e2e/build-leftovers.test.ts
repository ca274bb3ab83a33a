// Leftovers of a kill -9'd build (a tmp dir never swapped in, trash) are removed by the next build,
// which holds the lock; the results are untouched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, makeProject, type Project } from './build-rig.js';

let p: Project;
test.before(async () => { p = await makeProject(); });

test('a build removes the tmp dirs and trash of dead runs', () => {
  assert.is(build(p).code, 0);
  const h = join(p.dir, 'Outdir', '.heppy');
  mkdirSync(join(h, 'tmp', 'A_Chunk2.1.5eadbeef', 'Sum_1'), { recursive: true });
  writeFileSync(join(h, 'tmp', 'A_Chunk2.1.5eadbeef', 'log.txt'), 'killed half way\n');
  mkdirSync(join(h, 'trash', 'B_Chunk0.77aa88bb'), { recursive: true });
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, []);
  assert.equal(readdirSync(join(h, 'tmp')), []);
  assert.equal(readdirSync(join(h, 'trash')), []);
  assert.ok(existsSync(join(p.dir, 'Outdir', 'A_Chunk2', 'heppy-status.json')));
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
