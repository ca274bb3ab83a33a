import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHash } from '../../../src/fingerprint/hash.js';
import { esbuildFailure, esbuildHeppyfile, loaderOf, MODULE_EXPORT } from '../../../src/config/esbuild-bundle.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-esbuild-bundle-'));
const heppyfile = join(base, 'heppyfile.ts');

function write(cut: string, comment = ''): void {
  writeFileSync(join(base, 'cuts.ts'), `${comment}export const minLeptons = (): number => ${cut};\n`);
  writeFileSync(heppyfile, "import { minLeptons } from './cuts';\nexport const config = { cut: minLeptons() };\nexport default 7;\n");
}

test('the builds give the local modules, their digests and sizes alone, the import graph and what was read', async () => {
  await initHash();
  write('4');
  const r = await esbuildHeppyfile(await import('esbuild'), heppyfile, 'file:///nowhere/heppy.js');
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  if (!r.ok) return;
  const e = r.value;
  assert.equal(e.modules, ['cuts.ts']);
  assert.equal(Object.keys(e.moduleDigests), ['cuts.ts']);
  assert.ok(e.moduleBytes['cuts.ts']! > 0);
  assert.equal(e.imports, { 'cuts.ts': [], 'heppyfile.ts': ['cuts.ts'] });
  assert.equal([...e.read.keys()].sort(), [join(base, 'cuts.ts'), heppyfile].sort());
  assert.equal(e.inputs.sort(), ['cuts.ts', 'heppyfile.ts']);
  assert.ok(e.code.includes(`${MODULE_EXPORT}0`) && e.code.includes('export {'), 'the entry re-exports each local module and the default');
  assert.ok(e.map !== undefined && (JSON.parse(e.map) as { sources: string[] }).sources.includes('cuts.ts'), e.map);
  write('4', '// moves every line\n');
  const commented = await esbuildHeppyfile(await import('esbuild'), heppyfile, 'file:///nowhere/heppy.js');
  assert.ok(commented.ok && commented.value.codeDigest === e.codeDigest && commented.value.moduleDigests['cuts.ts'] === e.moduleDigests['cuts.ts']);
  write('3');
  const changed = await esbuildHeppyfile(await import('esbuild'), heppyfile, 'file:///nowhere/heppy.js');
  assert.ok(changed.ok && changed.value.codeDigest !== e.codeDigest);
});

test('a syntax error is a one-line failure at file:line:column; other errors name the heppyfile', async () => {
  writeFileSync(join(base, 'cuts.ts'), 'export const minLeptons = (: number => 1;\n');
  const bad = await esbuildHeppyfile(await import('esbuild'), heppyfile, 'file:///nowhere/heppy.js');
  assert.ok(!bad.ok && bad.error.file === `${join(base, 'cuts.ts')}:1:28`, bad.ok ? '' : bad.error.file);
  const other = esbuildFailure(heppyfile, new Error('boom\nstack'));
  assert.equal(other, { ok: false, error: { file: heppyfile, reason: 'boom' } });
});

test('loaderOf picks what esbuild would by the extension', () => {
  assert.equal(['a.ts', 'a.mts', 'a.tsx', 'a.js', 'a.cjs', 'a.jsx', 'a.json'].map(loaderOf), ['ts', 'ts', 'tsx', 'js', 'js', 'jsx', 'json']);
});

test.run();
