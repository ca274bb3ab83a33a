// Schema checked while planning: a tree-name typo, a branch typo in `static branches`, or a branch
// only declared there that the input does not have → exit 2, one line naming component, file,
// tree or branch and the closest names; nothing written (Outdir byte for byte, store unchanged).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, heppyfileText, makeProject, type Project } from './build-rig.js';

let p: Project;
let good: string;

test.before(async () => {
  p = await makeProject();
  good = readFileSync(p.heppyfile, 'utf8');
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
});

/** Every file under `dir`: relative path → size, mtime and content hash. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else {
        const st = statSync(f);
        out.set(f.slice(dir.length), `${st.size} ${st.mtimeMs} ${createHash('sha1').update(readFileSync(f)).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return out;
}

function rejected(edit: (text: string) => string, expect: RegExp): void {
  writeFileSync(p.heppyfile, edit(good));
  const before = snapshot(join(p.dir, 'Outdir'));
  const store = snapshot(join(p.dir, 'cache')).get('/data.mdb');
  const r = heppy(p, ['build', '-j', '2']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.is(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, expect);
  assert.equal(snapshot(join(p.dir, 'Outdir')), before, 'Outdir untouched, file by file (sizes, mtimes, contents)');
  assert.is(snapshot(join(p.dir, 'cache')).get('/data.mdb'), store, 'the store is not written');
  writeFileSync(p.heppyfile, good);
}

test('tree typo: exit 2 naming component, file and tree, with the closest tree name', () => {
  rejected((t) => t.replace("tree: 'events'", "tree: 'evnets'"),
    new RegExp(`^heppy: component A: no tree named evnets in ${p.dir}/data/A/f0\\.root; did you mean events\\?$`));
});

test('branch typo in static branches: exit 2 naming the branch and the closest one', () => {
  rejected((t) => t.replace("static branches = ['x'];", "static branches = ['xx'];"),
    new RegExp(`^heppy: component A: no branch xx in tree events of ${p.dir}/data/A/f0\\.root; did you mean x\\?$`));
});

test('a branch only in static branches (never read by process) that the input lacks is rejected', () => {
  rejected((t) => t.replace("static branches = ['x'];", "static branches = ['x', 'Muon_pt'];"),
    /^heppy: component A: no branch Muon_pt in tree events of .*f0\.root; it has x$/);
});

test('after the fix the build is a no-op: nothing was lost', () => {
  const r = build(p);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ran, []);
});

test('a first build with a typo creates no Outdir', () => {
  rmSync(join(p.dir, 'Outdir'), { recursive: true, force: true });
  writeFileSync(p.heppyfile, heppyfileText(50).replace('__DIR__', p.dir).replace("tree: 'events'", "tree: 'Events'"));
  const r = heppy(p, ['build']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /no tree named Events .*did you mean events\?/);
  assert.not.ok(existsSync(join(p.dir, 'Outdir')));
  writeFileSync(p.heppyfile, good);
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
