import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleHeppyfile, stageHeppyfile } from '../../../src/config/load-bundle.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-load-bundle-'));
const heppyfile = join(base, 'heppyfile.ts');
const helper = join(base, 'cuts.ts');
const cacheDir = join(base, 'cache');

function write(helperBody: string, comment = ''): void {
  writeFileSync(helper, `${comment}export function minLeptons(): number {\n  return ${helperBody};\n}\n`);
  writeFileSync(heppyfile, "import { minLeptons } from './cuts';\n\nexport const config = { cut: minLeptons() };\n");
}

test('a new bundle is staged outside the cache (nothing under cache/ until commit), then committed with its map (absolute sources)', async () => {
  write('4');
  const st = await stageHeppyfile(heppyfile, cacheDir);
  assert.ok(st.ok, st.ok ? '' : st.error.reason);
  if (!st.ok) return;
  assert.not.ok(st.value.fromCache);
  assert.not.ok(existsSync(cacheDir), 'nothing written before the Config is valid');
  assert.equal(st.value.bundle.inputs.sort(), [helper, heppyfile].sort());
  const staged = st.value.bundle.path;
  assert.ok(readFileSync(staged, 'utf8').includes('return 4'));
  const b = st.value.commit();
  assert.is(dirname(b.path), join(cacheDir, 'bundles'));
  assert.ok(b.path.endsWith(`${b.hash}.mjs`));
  assert.not.ok(existsSync(staged), 'the stage is removed');
  const map = JSON.parse(readFileSync(`${b.path}.map`, 'utf8')) as { sources: string[] };
  assert.ok(map.sources.includes(helper) && map.sources.includes(heppyfile), map.sources.join(', '));
  const mod = (await import(`${b.path}?t=1`)) as { config: { cut: number } };
  assert.is(mod.config.cut, 4, 'the bundle runs');
});

test('an unchanged heppyfile comes from the cache; a comment changes the bundle\'s hash but not the code digest; a code change changes both', async () => {
  const first = await bundleHeppyfile(heppyfile, cacheDir);
  const again = await stageHeppyfile(heppyfile, cacheDir);
  assert.ok(first.ok && again.ok);
  if (!first.ok || !again.ok) return;
  assert.ok(again.value.fromCache);
  assert.is(again.value.bundle.hash, first.value.hash);
  write('4', '// a comment that moves every line\n');
  const commented = await bundleHeppyfile(heppyfile, cacheDir);
  assert.ok(commented.ok);
  if (!commented.ok) return;
  assert.is.not(commented.value.hash, first.value.hash);
  assert.is(commented.value.codeDigest, first.value.codeDigest, 'keys do not change with comments');
  write('3');
  const changed = await bundleHeppyfile(heppyfile, cacheDir);
  assert.ok(changed.ok && changed.value.codeDigest !== first.value.codeDigest);
});

test('a missing heppyfile and a syntax error are one-line failures naming the file (and line:column)', async () => {
  const missing = await stageHeppyfile(join(base, 'nope.ts'), cacheDir);
  assert.ok(!missing.ok && /no such heppyfile/.test(missing.error.reason) && missing.error.file === join(base, 'nope.ts'));
  writeFileSync(helper, 'export function minLeptons(: number {\n}\n');
  const bad = await stageHeppyfile(heppyfile, cacheDir);
  assert.ok(!bad.ok);
  if (!bad.ok) {
    assert.match(bad.error.file ?? '', new RegExp(`^${helper.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+$`));
    assert.not.ok(bad.error.reason.includes('\n'));
  }
});

test.run();
