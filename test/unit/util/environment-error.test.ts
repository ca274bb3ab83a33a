import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errnoOf, errnoText, isDiskFull, isEnvironmentError, systemFailure } from '../../../src/util/environment-error.js';
import { RootError } from '../../../src/root/errors.js';

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

test('systemFailure: the one classing of a chunk\'s and a merge\'s system error; errnoOf keeps only errno codes', () => {
  assert.equal(systemFailure('ENOSPC', 'X: write'), { kind: 'resource', resource: 'disk', reason: 'X: write' });
  assert.equal(systemFailure('EDQUOT', 'q'), { kind: 'resource', resource: 'disk', reason: 'q' });
  for (const code of ['EIO', 'ENOENT', undefined, 42]) assert.is(systemFailure(code, 'r'), null, String(code));
  assert.is(errnoOf(sysErr('ENOSPC', 'write')), 'ENOSPC');
  assert.is(errnoOf(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })), undefined, "Node's own error codes are not errno codes");
  assert.is(errnoOf({ code: 'ENOSPC' }), undefined);
});

test('errnoOf and isDiskFull see the errno under a wrapping error (the ROOT writer\'s RootError, its cause); errnoText says the code once', () => {
  const wrapped = new RootError('/o/t.root', '', 'write failed at byte 12: ENOSPC: no space left on device, write', sysErr('ENOSPC', 'write'));
  assert.is(errnoOf(wrapped), 'ENOSPC');
  assert.ok(isDiskFull(wrapped));
  assert.not.ok(isDiskFull(new RootError('/o/t.root', '', 'not a ROOT file')));
  assert.is(errnoText('ENOSPC', 'ENOSPC: no space left on device, write'), 'ENOSPC: no space left on device, write');
  assert.is(errnoText('EIO', 'i/o error'), 'EIO: i/o error');
});

test.run();
