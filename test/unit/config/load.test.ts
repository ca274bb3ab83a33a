import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync, readFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleHeppyfile, stageHeppyfile } from '../../../src/config/load-bundle.js';
import { loadHeppyfile } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/validate.js';
import { nameProblem } from '../../../src/config/names.js';
import { formatFailure } from '../../../src/util/result.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-load-'));
const cache = join(dir, 'cache');
mkdirSync(join(dir, 'data'));
for (const f of ['a0.root', 'a1.root']) writeFileSync(join(dir, 'data', f), f);
writeFileSync(join(dir, 'cuts.ts'), 'export const minPt: number = 20;\n');

const heppyfile = (body: string, name = 'heppyfile.ts'): string => {
  const p = join(dir, name);
  writeFileSync(p, `import * as heppy from 'heppy';\nimport { minPt } from './cuts.js';\nvoid heppy;\n${body}\n`);
  return p;
};
/** Backdates a file written by the test: a file modified as its bundle is made is never stamped (file-stamps.ts). */
const settle = (...files: string[]): void => {
  const t = new Date(Date.now() - 10_000);
  for (const f of files) utimesSync(f, t, t);
};
const good = (extra = '', name = "'compA'") => `
export default {
  components: [{ name: ${name}, files: ['data/a0.root', 'data/a1.root'], splitFactor: 2 }],${extra}
  sequence: [{ cls: 'Sel', minPt }],
};`;

test('bundle: comments and formatting do not change the code digest; code does', async () => {
  const p = heppyfile(good());
  const b1 = await bundleHeppyfile(p, cache);
  assert.ok(b1.ok);
  if (!b1.ok) return;
  assert.ok(existsSync(b1.value.path));
  assert.match(readFileSync(b1.value.path, 'utf8'), /dist\/src\/index\.js/);
  assert.equal(b1.value.inputs.map((f) => f.split('/').pop()).sort(), ['cuts.ts', 'heppyfile.ts']);
  heppyfile(`// a new comment\n/* and a block */\n${good().replace(/\n/g, '\n\n  ')}`);
  const b2 = await bundleHeppyfile(p, cache);
  assert.ok(b2.ok && b2.value.codeDigest === b1.value.codeDigest && b2.value.hash !== b1.value.hash);
  writeFileSync(join(dir, 'cuts.ts'), 'export const minPt: number = 25;\n');
  const b3 = await bundleHeppyfile(p, cache);
  assert.ok(b3.ok && b3.value.codeDigest !== b1.value.codeDigest, 'a local module change is code');
  writeFileSync(join(dir, 'cuts.ts'), 'export const minPt: number = 20;\n');
});

test('bundle cache: a touch keeps the bundle (by digest, stats refreshed); a content or toolchain change bundles again', async () => {
  const p = heppyfile(good(), 'cached.ts');
  settle(p, join(dir, 'cuts.ts'));
  const b1 = await bundleHeppyfile(p, cache);
  assert.ok(b1.ok);
  const index = join(cache, 'bundles', 'index.json');
  const entry = (): { stats: Array<[string, number, number, string?]>; toolchain?: string } =>
    (JSON.parse(readFileSync(index, 'utf8')) as Record<string, { stats: Array<[string, number, number, string?]>; toolchain?: string }>)[p]!;
  assert.match(entry().toolchain!, /^heppy \d+\.\d+\.\d+ esbuild \d+\.\d+\.\d+$/);
  const s1 = await stageHeppyfile(p, cache);
  assert.ok(s1.ok && s1.value.fromCache);
  utimesSync(p, new Date(5_000_000), new Date(5_000_000));
  utimesSync(join(dir, 'cuts.ts'), new Date(5_000_000), new Date(5_000_000));
  const s2 = await stageHeppyfile(p, cache);
  assert.ok(s2.ok && s2.value.fromCache, 'touched, same content: the cached bundle');
  assert.ok(entry().stats.some(([f, , m]) => f === p && m !== 5_000_000), 'nothing written before commit');
  if (s2.ok) s2.value.commit();
  assert.ok(entry().stats.every(([, , m]) => m === 5_000_000), 'the new mtimes recorded at commit');
  writeFileSync(join(dir, 'cuts.ts'), 'export const minPt: number = 21;\n');
  const s3 = await stageHeppyfile(p, cache);
  assert.ok(s3.ok && !s3.value.fromCache, 'a local module changed');
  if (s3.ok) s3.value.discard();
  writeFileSync(join(dir, 'cuts.ts'), 'export const minPt: number = 20;\n');
  const s4 = await stageHeppyfile(p, cache);
  assert.ok(s4.ok && s4.value.fromCache, 'back to the cached content');
  if (s4.ok) s4.value.commit();
  const all = JSON.parse(readFileSync(index, 'utf8')) as Record<string, { toolchain?: string }>;
  all[p]!.toolchain = 'heppy 0.0.1 esbuild 0.0.1';
  writeFileSync(index, JSON.stringify(all));
  const s5 = await stageHeppyfile(p, cache);
  assert.ok(s5.ok && !s5.value.fromCache, 'another heppy or esbuild: bundled again');
  if (s5.ok) s5.value.discard();
});

test('load: valid config resolves files; syntax error and runtime error name file:line', async () => {
  const p = heppyfile(good());
  const r = await loadHeppyfile(p, cache, {});
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value.config.components[0]!.files, [join(dir, 'data/a0.root'), join(dir, 'data/a1.root')]);
  heppyfile('export default {\n  components: [,\n  oops oops\n};', 'syntax.ts');
  const s = await loadHeppyfile(join(dir, 'syntax.ts'), cache, {});
  assert.not.ok(s.ok);
  if (!s.ok) assert.match(formatFailure(s.error), /syntax\.ts:6:\d+: Expected "]" but found "oops"/);
  heppyfile('const x: number = 1;\nif (x) throw new Error("no sample for you");\nexport default {};', 'throws.ts');
  const t = await loadHeppyfile(join(dir, 'throws.ts'), cache, {});
  assert.not.ok(t.ok);
  if (!t.ok) assert.is(formatFailure(t.error), `${join(dir, 'throws.ts')}:5: no sample for you`);
});

test('validate: bad name, missing file, bad splitFactor, duplicates → line of the culprit', async () => {
  const cases: Array<[string, RegExp]> = [
    [good('', "'../evil'"), /bad\.ts:6: invalid component name "\.\.\/evil": the name contains a path separator$/],
    [good('', "'a..b'"), /bad\.ts:6: invalid component name "a\.\.b": the name contains '\.\.'$/],
    [good('', "'a;rm'"), /bad\.ts:6: invalid component name "a;rm": the name contains the shell metacharacter ';'$/],
    [good().replace('a1.root', 'nope.root'), /bad\.ts:6: component 'compA': input file .*nope\.root does not exist/],
    [good().replace('splitFactor: 2', 'splitFactor: 0'), /component 'compA': splitFactor must be a positive integer/],
    [good().replace("splitFactor: 2 }", "splitFactor: 2 }, { name: 'compA', files: [] }"), /two components are named 'compA'/],
  ];
  for (const [body, re] of cases) {
    heppyfile(body, 'bad.ts');
    const r = await loadHeppyfile(join(dir, 'bad.ts'), cache, {});
    assert.not.ok(r.ok);
    if (!r.ok) assert.match(formatFailure(r.error), re);
  }
});

test('validate: the one name rule of names.ts (also for plain objects that bypass the Component class)', () => {
  const data = join(dir, 'data', 'a0.root');
  for (const name of ['a=b', 'a%b', 'a^b', 'a b', 'a#b', '', '.', '-x']) {
    const v = validateConfig({ components: [{ name, files: [data] }], sequence: [] }, [], dir);
    assert.not.ok(v.ok, name);
    if (!v.ok) assert.is(v.error.reason, `invalid component name ${JSON.stringify(name)}: ${nameProblem(name)}`);
  }
  assert.ok(validateConfig({ components: [{ name: 'data-period.A+1_x', files: [data] }], sequence: [] }, [], dir).ok);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
