// A build refuses an Outdir it cannot write (a file in the way, a read-only filesystem) before it
// writes anything: no bundle cache, no store (data.mdb) in a fresh --cache-dir, one line, exit 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heppy, makeProject, type Project } from './build-rig.js';

let p: Project;
test.before(async () => {
  p = await makeProject();
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

/** The build's refusal: exit 1, one line naming the directory, and the fresh cache dir left empty. */
function refused(outdir: string, cause: RegExp): void {
  const cache = join(p.dir, `cache-${Math.random().toString(36).slice(2)}`);
  const r = heppy(p, ['build', '--cache-dir', cache, '--outdir', outdir]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /^heppy: [^\n]*cannot write in this output directory: [^\n]+\n$/);
  assert.match(r.stderr, cause);
  assert.equal(existsSync(cache) ? readdirSync(cache) : [], [], 'nothing written to the cache dir (no bundles/, no data.mdb)');
}

test('a file in the way of the Outdir: refused before the store and the bundle cache are written', () => {
  writeFileSync(join(p.dir, 'blocker'), '');
  refused(join(p.dir, 'blocker', 'Out'), /blocker is not a directory/);
});

test('a read-only filesystem: refused before anything is written (SKIP without a mountable tmpfs)', () => {
  const ro = join(p.dir, 'ro');
  mkdirSync(ro);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.log(`SKIP: read-only Outdir: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    return;
  }
  try {
    refused(join(ro, 'Outdir'), /EROFS/);
  } finally {
    spawnSync('umount', [ro]);
  }
});

test.run();
