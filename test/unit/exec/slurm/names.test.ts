// Slurm job names (src/exec/slurm/names.ts): each sbatch call's name is its Outdir's prefix and a
// part of its own (time, pid, counter), so that a call is found again by its name alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isOutdirJobName, outdirJobPrefix } from '../../../../src/exec/batch/job-name.js';
import { sbatchJobName, slurmUser } from '../../../../src/exec/slurm/names.js';

test("a call's name: the Outdir's prefix, then time, pid and counter in base 36; one per counter", () => {
  const t = 1_800_000_000_000;
  const a = sbatchJobName('/data/Out', 1, t);
  assert.is(a, `${outdirJobPrefix('/data/Out')}-${t.toString(36)}-${process.pid.toString(36)}-1`);
  assert.ok(isOutdirJobName('/data/Out', a));
  const names = new Set([1, 2, 36, 37].map((seq) => sbatchJobName('/data/Out', seq, t)));
  assert.is(names.size, 4);
  assert.is.not(sbatchJobName('/data/Out', 1, t + 1), a, 'another time');
});

test('the user: a non-empty name (squeue -u)', () => {
  assert.ok(slurmUser().length > 0);
});

test.run();
