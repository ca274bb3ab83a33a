// bearerToken: BEARER_TOKEN first (trimmed), then the file BEARER_TOKEN_FILE names; an empty or
// unreadable token file is no token (the server then says access is denied).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearerToken } from '../../../src/io/token.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-token-'));

test('the variable first, trimmed; then the file, trimmed', () => {
  writeFileSync(join(dir, 'tok'), '  from-file\n');
  assert.is(bearerToken({ BEARER_TOKEN: ' eyJabc \n', BEARER_TOKEN_FILE: join(dir, 'tok') }), 'eyJabc');
  assert.is(bearerToken({ BEARER_TOKEN: '   ', BEARER_TOKEN_FILE: join(dir, 'tok') }), 'from-file');
  assert.is(bearerToken({ BEARER_TOKEN_FILE: join(dir, 'tok') }), 'from-file');
});

test('no variable, a missing, empty or unreadable file: no token', () => {
  assert.is(bearerToken({}), null);
  assert.is(bearerToken({ BEARER_TOKEN_FILE: join(dir, 'missing') }), null);
  writeFileSync(join(dir, 'empty'), '\n\n');
  assert.is(bearerToken({ BEARER_TOKEN_FILE: join(dir, 'empty') }), null);
  assert.is(bearerToken({ BEARER_TOKEN_FILE: dir }), null, 'a directory');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
