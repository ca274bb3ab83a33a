// Processes found by what they carry (src/exec/batch/proc-scan.ts): a -b job by its
// $HEPPY_JOB_NAME, an sbatch still submitting by its --job-name argument; whole entries only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { pidsWith, processGroupOf } from '../../../../src/exec/batch/proc-scan.js';

const tag = `heppy-proc-scan-${process.pid}-${Date.now()}`;

test('a child found by an environment entry and by an argument, whole entries only; its process group', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', `--job-name=${tag}-1`], {
    env: { ...process.env, HEPPY_JOB_NAME: `${tag}-1` }, detached: true, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));   // exec'd: its environ and cmdline are the new program's
    const pid = child.pid!;
    assert.ok(pidsWith('environ', `HEPPY_JOB_NAME=${tag}-1`).includes(pid));
    assert.ok(pidsWith('cmdline', `--job-name=${tag}-1`).includes(pid));
    assert.not.ok(pidsWith('environ', `HEPPY_JOB_NAME=${tag}-`).includes(pid), 'a prefix of the entry is not it');
    assert.not.ok(pidsWith('cmdline', `--job-name=${tag}-10`).includes(pid));
    assert.is(processGroupOf(pid), pid, 'detached: a group of its own');
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  assert.equal(pidsWith('environ', `HEPPY_JOB_NAME=${tag}-1`), []);
  assert.is(processGroupOf(child.pid!), null, 'gone');
});

test.run();
