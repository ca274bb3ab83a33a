import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stampOf } from '../../../src/cache/entry.js';
import type { Marker } from '../../../src/chunkdir/marker.js';
import { restoredOutputs, unlinkIfThere, writeRunFile, writeRunFileSized } from '../../../src/engine/restore-files.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-restore-files-'));

test('writeRunFile: a new file with its mode, or rewritten in place (same inode) cut to the new length; the size and mtime as a stat finds them', () => {
  const p = join(base, 'batchScript.sh');
  let r = writeRunFile(p, '#!/bin/sh\necho a long first attempt\n', 0o755, false);
  assert.equal(r, { size: statSync(p).size, mtimeMs: statSync(p).mtimeMs });
  assert.is(statSync(p).mode & 0o777, 0o755);
  const ino = statSync(p).ino;
  r = writeRunFile(p, '#!/bin/sh\n', 0o700, true);
  assert.is(readFileSync(p, 'utf8'), '#!/bin/sh\n', 'shorter text: cut to its length');
  assert.is(statSync(p).ino, ino, 'rewritten in place');
  assert.is(statSync(p).mode & 0o777, 0o700);
  assert.equal(r, { size: 10, mtimeMs: statSync(p).mtimeMs });
  // A file with another link (an entry's) is never written through: replaced by a new one.
  const other = join(base, 'entry-link');
  linkSync(p, other);
  writeRunFile(p, 'new\n', undefined, true);
  assert.is(readFileSync(other, 'utf8'), '#!/bin/sh\n', 'the other link keeps its content');
  assert.is(readFileSync(p, 'utf8'), 'new\n');
  assert.is.not(statSync(p).ino, statSync(other).ino);
  writeRunFile(join(base, 'fresh.json'), '{}', undefined, true);
  assert.is(readFileSync(join(base, 'fresh.json'), 'utf8'), '{}', 'in place, but not there yet: made');
  unlinkIfThere(join(base, 'fresh.json'));
  unlinkIfThere(join(base, 'fresh.json'));
});

test('writeRunFileSized: the size written (no stat), in place or new; the mode set when it differs, kept when it holds', () => {
  const p = join(base, 'sized.sh');
  assert.is(writeRunFileSized(p, 'écho\n', 0o755, false), 6, 'bytes, not characters');
  assert.is(statSync(p).size, 6);
  assert.is(statSync(p).mode & 0o777, 0o755);
  const ino = statSync(p).ino;
  assert.is(writeRunFileSized(p, 'x\n', 0o755, true), 2);
  assert.is(readFileSync(p, 'utf8'), 'x\n');
  assert.is(statSync(p).ino, ino);
  assert.is(statSync(p).mode & 0o777, 0o755);
  assert.is(writeRunFileSized(p, 'y\n', 0o700, true), 2);
  assert.is(statSync(p).mode & 0o777, 0o700, 'a different mode is set');
});

test('restoredOutputs: the marker\'s outputs from the stamps taken (mtimeMs as Node computes it), the marker last; null when a listed file has no stamp', () => {
  const a = join(base, 'a.txt'), b = join(base, 'b.txt');
  writeFileSync(a, 'aaa');
  writeFileSync(b, 'bb');
  const m = { outputs: [{ path: 'Sum_1/a.txt', size: 3 }, { path: 'chunk.json', size: 9 }, { path: 'b.txt', size: 2 }] } as unknown as Marker;
  const files = [{ path: 'b.txt' }, { path: 'Sum_1/a.txt' }];
  const out = restoredOutputs(m, files, [stampOf(b), stampOf(a)], { size: 77, mtimeMs: 5 });
  assert.equal(out, [{ path: 'Sum_1/a.txt', size: 3, mtimeMs: statSync(a).mtimeMs }, { path: 'b.txt', size: 2, mtimeMs: statSync(b).mtimeMs },
    { path: 'heppy-status.json', size: 77, mtimeMs: 5 }]);
  assert.is(restoredOutputs(m, files, [stampOf(b)], { size: 1, mtimeMs: 1 }), null, 'stamps of another count');
  assert.is(restoredOutputs(m, [{ path: 'b.txt' }, { path: 'other' }], [stampOf(b), stampOf(a)], { size: 1, mtimeMs: 1 }), null);
});

test.run();
