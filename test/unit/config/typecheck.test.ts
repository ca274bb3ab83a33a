// The type-check step of loading: when it runs (a bundle not yet checked; a tsconfig that changed),
// which options it uses (the nearest tsconfig, else strict), what it reports, what it writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHeppyfile } from '../../../src/config/load.js';
import { formatFailure } from '../../../src/util/result.js';
import { hashBytes, initHash } from '../../../src/fingerprint/hash.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-typecheck-'));
const cache = join(dir, 'cache');
mkdirSync(join(dir, 'data'));
writeFileSync(join(dir, 'data', 'a.root'), 'not read');
const hf = join(dir, 'heppyfile.ts');
const write = (body: string): void => writeFileSync(hf, `import { Config, Component, Sequence } from 'heppy';\n${body}\n` +
  "export default new Config({ components: [new Component('A', { files: ['data/a.root'] })], sequence: new Sequence() });\n");
const index = (): Record<string, { typecheck?: unknown }> => JSON.parse(readFileSync(join(cache, 'bundles', 'index.json'), 'utf8'));

test('a bundle cached by --no-typecheck is checked once the check is on; the stamp and the incremental state are recorded', async () => {
  write('export const n: number = "three";');
  const skipped = await loadHeppyfile(hf, cache, {}, { typecheck: false });
  assert.ok(skipped.ok, skipped.ok ? '' : formatFailure(skipped.error));
  assert.is(index()[hf]!.typecheck, undefined);
  const checked = await loadHeppyfile(hf, cache, {});
  assert.not.ok(checked.ok);
  if (checked.ok) return;
  assert.is(checked.error.reason.split('\n')[0], `${hf}:2:14: TS2322: Type 'string' is not assignable to type 'number'.`);
  assert.not.ok(existsSync(join(cache, 'typecheck')), 'nothing written for a heppyfile with errors');
  write('export const n: number = 3;');
  const fixed = await loadHeppyfile(hf, cache, {});
  assert.ok(fixed.ok, fixed.ok ? '' : formatFailure(fixed.error));
  assert.ok(Array.isArray((index()[hf]!.typecheck as { files?: unknown }).files));
  assert.is(readdirSync(join(cache, 'typecheck')).filter((f) => f.endsWith('.tsbuildinfo')).length, 1);
});

test('a heppyfile touched without a change is not checked again: the stamp holds by digest, with the new mtime', async () => {
  write('export const k: number = 4;');
  const settled = new Date(Date.now() - 10_000);   // written before the build, not during its check
  utimesSync(hf, settled, settled);
  const first = await loadHeppyfile(hf, cache, {});
  assert.ok(first.ok, first.ok ? '' : formatFailure(first.error));
  const info = join(cache, 'typecheck', readdirSync(join(cache, 'typecheck')).find((f) => f.endsWith('.tsbuildinfo'))!);
  const before = statSync(info).mtimeMs;
  utimesSync(hf, new Date(7_000_000), new Date(7_000_000));
  const again = await loadHeppyfile(hf, cache, {});
  assert.ok(again.ok, again.ok ? '' : formatFailure(again.error));
  assert.is(statSync(info).mtimeMs, before, 'no type-check ran');
  const files = (index()[hf]!.typecheck as { files: Array<[string, number, number, string]> }).files;
  assert.equal(files.find(([f]) => f === hf)?.[2], 7_000_000);
  // Another esbuild (or heppy) bundles again, but the check's files are the same: not checked again.
  const all = index() as Record<string, { toolchain?: string; path?: string }>;
  all[hf]!.toolchain = 'heppy 0.0.1 esbuild 0.0.1';
  writeFileSync(join(cache, 'bundles', 'index.json'), JSON.stringify(all));
  const rebundled = await loadHeppyfile(hf, cache, {});
  assert.ok(rebundled.ok, rebundled.ok ? '' : formatFailure(rebundled.error));
  assert.is(statSync(info).mtimeMs, before, 'no type-check ran');
  assert.ok(Array.isArray((index()[hf]!.typecheck as { files?: unknown }).files), 'the stamp kept with the new bundle');
  assert.is.not((index()[hf] as { toolchain?: string }).toolchain, 'heppy 0.0.1 esbuild 0.0.1');
});

test('a heppyfile saved as its check began: stamped with the digest of what the check read; unchanged, not checked again; edited, checked again', async () => {
  write('export const j: number = 5;');   // just now: its stat cannot vouch for it (racy)
  const first = await loadHeppyfile(hf, cache, {});
  assert.ok(first.ok, first.ok ? '' : formatFailure(first.error));
  const info = join(cache, 'typecheck', readdirSync(join(cache, 'typecheck')).find((f) => f.endsWith('.tsbuildinfo'))!);
  const files = (index()[hf]!.typecheck as { files: Array<[string, number, number, string?]> }).files;
  await initHash();
  assert.equal(files.find(([f]) => f === hf)?.slice(2), [-2, hashBytes(readFileSync(hf))], 'racy mtime, the digest of what was checked');
  const before = statSync(info).mtimeMs;
  assert.ok((await loadHeppyfile(hf, cache, {})).ok);
  assert.is(statSync(info).mtimeMs, before, 'the same content: not checked again');
  write('export const j: number = 6;');   // same size, maybe the same mtime
  assert.ok((await loadHeppyfile(hf, cache, {})).ok);
  assert.is.not(statSync(info).mtimeMs, before, 'edited: checked again');
});

test('without a tsconfig the check is strict; a tsconfig next to the heppyfile is used from then on, even with the bundle cached', async () => {
  write('export function twice(x) { return 2 * x; }');
  const strict = await loadHeppyfile(hf, cache, {});
  assert.not.ok(strict.ok);
  if (!strict.ok) assert.match(strict.error.reason, `${hf}:2:23: TS7006: Parameter 'x' implicitly has an 'any' type.`);
  // Loaded without the check, the bundle is cached; a tsconfig that allows it changes the stamp.
  assert.ok((await loadHeppyfile(hf, cache, {}, { typecheck: false })).ok);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: false, module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true } }));
  const loose = await loadHeppyfile(hf, cache, {});
  assert.ok(loose.ok, loose.ok ? '' : formatFailure(loose.error));
  // A tsconfig that does not parse is named.
  writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": maybe } }');
  const bad = await loadHeppyfile(hf, cache, {});
  assert.not.ok(bad.ok);
  if (!bad.ok) assert.is(bad.error.file, join(dir, 'tsconfig.json'));
  rmSync(join(dir, 'tsconfig.json'));
});

test('a module imported for its types only (not in the bundle) is part of what the check depends on', async () => {
  writeFileSync(join(dir, 'types.ts'), 'export interface Cut { min: number }\n');
  write("import type { Cut } from './types.js';\nexport const cut: Cut = { min: 1 };");
  const first = await loadHeppyfile(hf, cache, {});
  assert.ok(first.ok, first.ok ? '' : formatFailure(first.error));
  writeFileSync(join(dir, 'types.ts'), 'export interface Cut { min: string }\n');
  const again = await loadHeppyfile(hf, cache, {});
  assert.not.ok(again.ok, 'the bundle is the same, the types changed: checked again');
  if (!again.ok) assert.match(again.error.reason, `${hf}:3:27: TS2322: Type 'number' is not assignable to type 'string'.`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
