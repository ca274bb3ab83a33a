// The record of a past type-check: which tsconfig applied and the stamps of every file it read;
// a check holds while the same tsconfig applies and no file's content changed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHash } from '../../../src/fingerprint/hash.js';
import { findTsconfig, heppyTypesPath, makeStamp, stampHolds } from '../../../src/config/typecheck-stamp.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-tc-stamp-'));
const proj = join(dir, 'proj');
const sub = join(proj, 'ana', 'deep');
mkdirSync(sub, { recursive: true });
const heppyfile = join(sub, 'heppyfile.ts');
const helper = join(sub, 'cuts.ts');
const heppyIndex = join(dir, 'heppy', 'index.js');
mkdirSync(join(dir, 'heppy'));

/** An hour old: not racy, so the stamps keep their mtimes. */
function write(p: string, text: string): void {
  writeFileSync(p, text);
  const t = Date.now() / 1000 - 3600;
  utimesSync(p, t, t);
}

test.before(async () => {
  await initHash();
  write(heppyfile, 'export default 1;\n');
  write(helper, 'export const cut = 2;\n');
  write(join(dir, 'heppy', 'index.d.ts'), 'export declare const x: number;\n');
});

test("heppyTypesPath: the bundler's index.js → its declarations", () => {
  assert.is(heppyTypesPath('/opt/heppy/dist/src/index.js'), '/opt/heppy/dist/src/index.d.ts');
  assert.is(heppyTypesPath('/x/index.mjs'), '/x/index.mjs');
});

test('findTsconfig: the nearest tsconfig.json above the heppyfile, or null', () => {
  // mkdtemp under the system tmp: nothing above it has a tsconfig.json.
  assert.is(findTsconfig(heppyfile), null);
  write(join(proj, 'tsconfig.json'), '{}');
  assert.is(findTsconfig(heppyfile), join(proj, 'tsconfig.json'));
  write(join(sub, 'tsconfig.json'), '{}');
  assert.is(findTsconfig(heppyfile), join(sub, 'tsconfig.json'));
  unlinkSync(join(sub, 'tsconfig.json'));
  assert.is(findTsconfig(heppyfile), join(proj, 'tsconfig.json'));
});

test('makeStamp: the tsconfig, the declarations, then the files read, each once', () => {
  const s = makeStamp(heppyfile, [heppyfile, helper, heppyfile], heppyIndex);
  assert.is(s.tsconfig, join(proj, 'tsconfig.json'));
  assert.equal(s.files.map((f) => f[0]), [join(proj, 'tsconfig.json'), join(dir, 'heppy', 'index.d.ts'), heppyfile, helper]);
  assert.equal(s.files.map((f) => f[1]), [2, 32, 18, 22]);
  for (const f of s.files) assert.is(typeof f[3], 'string');
});

test('stampHolds: the same stamp while nothing changed; null when a file or the tsconfig changed', () => {
  const s = makeStamp(heppyfile, [heppyfile, helper], heppyIndex);
  assert.is(stampHolds(s, heppyfile), s);
  assert.is(stampHolds(undefined, heppyfile), null);
  assert.is(stampHolds({ tsconfig: s.tsconfig, files: 'x' } as never, heppyfile), null);
  // Touched, same content: holds, with the new mtime recorded.
  const t = Date.now() / 1000 - 1800;
  utimesSync(helper, t, t);
  const moved = stampHolds(s, heppyfile);
  assert.ok(moved !== null && moved !== s);
  assert.is(moved!.tsconfig, s.tsconfig);
  assert.is(moved!.files[3]![2], statSync(helper).mtimeMs);
  assert.is(stampHolds(moved!, heppyfile), moved);
  // A changed helper: the check must run again.
  write(helper, 'export const cut = 3;\n');
  assert.is(stampHolds(moved!, heppyfile), null);
});

test('another tsconfig applies (one added nearer, or the recorded one gone): no longer holds', () => {
  const s = makeStamp(heppyfile, [heppyfile], heppyIndex);
  assert.ok(stampHolds(s, heppyfile) !== null);
  write(join(sub, 'tsconfig.json'), '{}');
  assert.is(stampHolds(s, heppyfile), null);
  unlinkSync(join(sub, 'tsconfig.json'));
  unlinkSync(join(proj, 'tsconfig.json'));
  assert.is(stampHolds(s, heppyfile), null);
  // Without any tsconfig: recorded as null, and holds as such.
  const none = makeStamp(heppyfile, [heppyfile], heppyIndex);
  assert.is(none.tsconfig, null);
  assert.equal(none.files.map((f) => f[0]), [join(dir, 'heppy', 'index.d.ts'), heppyfile]);
  assert.is(stampHolds(none, heppyfile), none);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
