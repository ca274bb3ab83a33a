import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEnvironmentError } from '../../../src/util/environment-error.js';

const sysErr = (code: string, syscall?: string): Error => Object.assign(new Error(`${code}: x, write`), { code, ...(syscall ? { syscall } : {}) });

test('a full or read-only disk, no permission: environment errors', () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE']) assert.ok(isEnvironmentError(sysErr(code, 'write')), code);
});

test('a missing file, a bug, a non-system error: not environment errors (they keep their stack trace)', () => {
  assert.not.ok(isEnvironmentError(sysErr('ENOENT', 'open')));
  assert.not.ok(isEnvironmentError(sysErr('ENOSPC')), 'no syscall: not a failed system call');
  assert.not.ok(isEnvironmentError(new TypeError('x is undefined')));
  assert.not.ok(isEnvironmentError({ code: 'ENOSPC', syscall: 'write', message: 'not an Error' }));
  assert.not.ok(isEnvironmentError(null));
});

test("a real failed system call: writing under a file is ENOTDIR (not the machine's refusal)", () => {
  const d = mkdtempSync(join(tmpdir(), 'heppy-enverr-'));
  writeFileSync(join(d, 'f'), '');
  let caught: unknown = null;
  try {
    writeFileSync(join(d, 'f', 'x'), '');
  } catch (err) {
    caught = err;
  }
  assert.is((caught as NodeJS.ErrnoException).code, 'ENOTDIR');
  assert.not.ok(isEnvironmentError(caught));
});

test.run();
