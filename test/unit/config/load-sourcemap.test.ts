import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { locateError, mapStack, originalLocation, originalPosition } from '../../../src/config/load-sourcemap.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-sourcemap-'));
const src = join(base, 'src');
mkdirSync(src);
// Line 3 of helper.ts throws; heppyfile.ts calls it from its line 4.
writeFileSync(join(src, 'helper.ts'), 'export function boom(n: number): number {\n  const x: number = n * 2;\n  if (x > 1) throw new Error(`boom ${x}`);\n  return x;\n}\n');
writeFileSync(join(src, 'heppyfile.ts'), "import { boom } from './helper';\n\nexport function run(): number {\n  return boom(3);\n}\n");
const bundle = join(base, 'bundle.mjs');
await build({ entryPoints: [join(src, 'heppyfile.ts')], bundle: true, format: 'esm', platform: 'node', outfile: bundle, sourcemap: 'external', logLevel: 'silent' });
const thrown = await (async (): Promise<Error> => {
  const m = (await import(pathToFileURL(bundle).href)) as { run(): number };
  try {
    m.run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('run() did not throw');
})();

test('an error thrown in the bundle is located in the user\'s source (file:line), through the map next to the bundle', () => {
  assert.is(locateError(thrown, bundle), `${join(src, 'helper.ts')}:3`);
  assert.is(locateError(new Error('not from the bundle'), bundle), null);
  assert.is(locateError('a string', bundle), null);
});

test('mapStack rewrites the bundle\'s frames to file:line:col and names the first as `at`; other frames are left as they are', () => {
  const { stack, at } = mapStack(thrown.stack ?? '', bundle);
  assert.ok(at?.startsWith(`${join(src, 'helper.ts')}:3:`), at);
  assert.ok(stack.includes(`${join(src, 'heppyfile.ts')}:4:`), stack);
  assert.not.ok(stack.includes('bundle.mjs'), 'every bundle frame mapped');
  const foreign = '    at other (file:///elsewhere/x.mjs:1:2)';
  assert.equal(mapStack(foreign, bundle), { stack: foreign });
});

test('positions without a map, or outside any mapping, give null', () => {
  assert.is(originalLocation(join(base, 'no-map.mjs'), 1, 1), null);
  assert.is(originalPosition(join(base, 'no-map.mjs'), 1, 1), null);
  const loc = originalLocation(bundle, 1, 1);
  assert.ok(loc === null || loc.file.startsWith(src), 'the bundle\'s first line is esbuild\'s own comment or a source line');
});

test.run();
