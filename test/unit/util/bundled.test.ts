import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledOr } from '../../../src/util/bundled.js';

// dist/test/unit/util/ → dist/cli and dist/src/cli/main.js, as bundled.ts resolves them from dist/src/util/.
const entry = fileURLToPath(new URL('../../../cli/exit-marker.js', import.meta.url));
const srcMain = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

test('bundledOr: the bundle entry when it is not older than dist/src, else the unbundled module; the choice is kept', () => {
  const fresh = existsSync(entry) && statSync(entry).mtimeMs >= statSync(srcMain).mtimeMs;
  const got = bundledOr('exit-marker', '/unbundled/exit-marker.js');
  assert.is(got, fresh ? entry : '/unbundled/exit-marker.js');
  // Asked again (even with another fallback): the same answer, not a second stat.
  assert.is(bundledOr('exit-marker', '/other.js'), got);
});

test('bundledOr: HEPPY_BUNDLE=0 always gives the unbundled module', () => {
  const before = process.env.HEPPY_BUNDLE;
  process.env.HEPPY_BUNDLE = '0';
  try {
    assert.is(bundledOr('worker', '/unbundled/worker.js'), '/unbundled/worker.js');
    assert.is(bundledOr('exit-marker', '/unbundled/x.js'), '/unbundled/x.js');
  } finally {
    if (before === undefined) delete process.env.HEPPY_BUNDLE; else process.env.HEPPY_BUNDLE = before;
  }
});

test.run();
