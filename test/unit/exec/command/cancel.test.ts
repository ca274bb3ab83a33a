// Cancelling a job submitted through a -b template: local ones by process group and job name,
// another batch system's with its cancel command and the id its submission printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cancelCommandJob } from '../../../../src/exec/command/cancel.js';
import { localJobId } from '../../../../src/exec/command/template.js';
import { processAlive, thisHost } from '../../../../src/exec/batch/tracker.js';
import { makeOutdir } from '../batch/fixtures/rig.js';

test('cancel: a journaled local job\'s process group is signalled only while it carries the job\'s name (pids are reused)', async () => {
  const group = (env: NodeJS.ProcessEnv): number => {
    const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env });
    c.unref();
    return c.pid!;
  };
  // Another program's process group that got the number a killed build journaled.
  const other = group({ ...process.env, HEPPY_JOB_NAME: '' });
  assert.is(await cancelCommandJob('local', localJobId(thisHost, other), 'heppy-0123abcd-Z_Chunk0-1'), false);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(processAlive(-other), 'an unrelated process group is left alone');
  process.kill(-other, 'SIGKILL');
  // The job itself (its processes carry $HEPPY_JOB_NAME): cancelled.
  const job = group({ ...process.env, HEPPY_JOB_NAME: 'heppy-0123abcd-Z_Chunk0-1' });
  assert.is(await cancelCommandJob('local', localJobId(thisHost, job), 'heppy-0123abcd-Z_Chunk0-1'), true);
  for (let i = 0; i < 50 && processAlive(-job); i++) await new Promise((r) => setTimeout(r, 50));
  assert.not.ok(processAlive(-job));
});

test('cancel: a local job whose id a killed build never journaled is found by its $HEPPY_JOB_NAME alone', async () => {
  const group = (name: string): number => {
    const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, HEPPY_JOB_NAME: name } });
    c.unref();
    return c.pid!;
  };
  const job = group('heppy-0123abcd-Z_Chunk3-1');
  const other = group('heppy-0123abcd-Z_Chunk3-2');
  for (let i = 0; i < 50 && !processAlive(-job); i++) await new Promise((r) => setTimeout(r, 20));
  assert.is(await cancelCommandJob('local', '', 'heppy-0123abcd-Z_Chunk3-1'), true);
  for (let i = 0; i < 50 && processAlive(-job); i++) await new Promise((r) => setTimeout(r, 50));
  assert.not.ok(processAlive(-job), 'the job named so is cancelled');
  assert.ok(processAlive(-other), 'the job of another attempt is left alone');
  // Nothing carries the name any more: nothing to cancel.
  assert.is(await cancelCommandJob('local', '', 'heppy-0123abcd-Z_Chunk3-1'), false);
  process.kill(-other, 'SIGKILL');
});

test('cancel: another batch system\'s job whose id a killed build never journaled: the id its submission printed is cancelled', async () => {
  const bin = join(makeOutdir('cancel-lsf'), 'bin');
  mkdirSync(bin, { recursive: true });
  const calls = join(bin, 'calls');
  writeFileSync(join(bin, 'bkill'), `#!/bin/sh\necho "$@" >> '${calls}'\n`, { mode: 0o755 });
  const log = join(bin, 'Z_Chunk0.1.out');
  writeFileSync(log, 'Job <4711> is submitted to queue <1nh>.\n');
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    assert.is(await cancelCommandJob('lsf', '', 'heppy-0123abcd-Z_Chunk0-1', log), true);
    assert.is(readFileSync(calls, 'utf8'), '4711\n');
    // Nothing printed (the submission never answered): nothing to cancel, bkill not run.
    writeFileSync(log, '');
    assert.is(await cancelCommandJob('lsf', '', 'heppy-0123abcd-Z_Chunk0-1', log), false);
    assert.is(readFileSync(calls, 'utf8'), '4711\n');
  } finally {
    process.env.PATH = path;
    rmSync(dirname(dirname(bin)), { recursive: true, force: true });
  }
});

test.run();
