import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { isPlainPath, shq } from '../../../src/util/shell.js';

const nasty = ['/data/Out a', "it's", 'a"b', '$HOME', '`id`', 'x\ny', '*.root', '-n', '', 'a;rm -rf b', "''", '\\', 'é ü'];

test('shq: every string comes back unchanged through a real sh (printf %s)', () => {
  for (const s of nasty) {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shq(s)}`], { encoding: 'utf8' });
    assert.is(out, s, JSON.stringify(s));
  }
  // Several arguments stay several: the count sh sees.
  assert.is(execFileSync('/bin/sh', ['-c', `set -- ${nasty.map(shq).join(' ')}; echo $#`], { encoding: 'utf8' }).trim(), String(nasty.length));
});

test('shq: plain words stay readable; quotes only when needed; a NUL byte is refused', () => {
  assert.is(shq('/work/Out/ttbar_Chunk0'), '/work/Out/ttbar_Chunk0');
  assert.is(shq('a=b,c@d+e%f:g'), 'a=b,c@d+e%f:g');
  assert.is(shq('a b'), "'a b'");
  assert.is(shq("it's"), "'it'\\''s'");
  assert.is(shq(''), "''");
  assert.throws(() => shq('a\0b'), /NUL byte/);
});

test('isPlainPath: what an #SBATCH line can carry unquoted', () => {
  assert.ok(isPlainPath('/tmp/Out/.heppy/batch/logs'));
  assert.not.ok(isPlainPath('/tmp/Out a/logs'));
  assert.not.ok(isPlainPath('/tmp/$USER'));
  assert.not.ok(isPlainPath('/tmp/a:b'), 'a colon is not plain there');
  assert.not.ok(isPlainPath(''));
});

test.run();
