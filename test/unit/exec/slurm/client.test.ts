// The one place Slurm's commands run: each call counted, output and exit code returned as they
// are (the caller judges), SLURM_TIME_FORMAT=standard set, a command that cannot run is a failure
// naming it. Fake commands on PATH: no cluster needed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlurmClient } from '../../../../src/exec/slurm/client.js';

const bin = mkdtempSync(join(tmpdir(), 'heppy-slurm-client-'));
writeFileSync(join(bin, 'squeue'), '#!/bin/sh\necho "args: $*"\necho "format: $SLURM_TIME_FORMAT"\n', { mode: 0o755 });
writeFileSync(join(bin, 'sacct'), '#!/bin/sh\necho "sacct: error: no accounting" >&2\nexit 4\n', { mode: 0o755 });

async function withPath<T>(f: () => Promise<T>): Promise<T> {
  const path = process.env.PATH;
  process.env.PATH = bin; // only the fakes: scancel and sbatch are missing
  try {
    return await f();
  } finally {
    process.env.PATH = path;
  }
}

test('output and exit code as they are, SLURM_TIME_FORMAT=standard, every call counted', async () => {
  const c = new SlurmClient();
  const q = await withPath(() => c.run('squeue', ['-h', '-u', 'me']));
  assert.ok(q.ok);
  assert.equal(q.value, { stdout: 'args: -h -u me\nformat: standard', stderr: '', exitCode: 0 });
  const a = await withPath(() => c.run('sacct', ['-j', '1']));
  assert.ok(a.ok, 'a non-zero exit is an answer, not a failure');
  assert.equal(a.value, { stdout: '', stderr: 'sacct: error: no accounting', exitCode: 4 });
  assert.equal(c.stats, { sbatch: 0, squeue: 1, sacct: 1, scancel: 0 });
});

test('a command that cannot run: a failure naming it (and the call is counted)', async () => {
  const c = new SlurmClient();
  const r = await withPath(() => c.run('scancel', ['42']));
  assert.ok(!r.ok && r.error.object === 'scancel' && r.error.reason.startsWith('could not run scancel'), JSON.stringify(r));
  assert.is(c.stats.scancel, 1);
});

test.after(() => rmSync(bin, { recursive: true, force: true }));
test.run();
