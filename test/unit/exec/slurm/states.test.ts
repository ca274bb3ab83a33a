import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSlurmTime } from '../../../../src/exec/batch/time.js';
import { arrayJobOf, classifyState, expandArrayRange, parseSacct, parseSbatchParsable, parseSqueue } from '../../../../src/exec/slurm/states.js';

test('squeue lines: job id, state, reason (None dropped)', () => {
  const m = parseSqueue('12_0|RUNNING|None\n12_1|PENDING|Resources\n\n12_2|FAILED|NonZeroExitCode\n');
  assert.equal([...m.keys()], ['12_0', '12_1', '12_2']);
  assert.equal(m.get('12_0'), { jobId: '12_0', state: 'RUNNING' });
  assert.equal(m.get('12_1'), { jobId: '12_1', state: 'PENDING', reason: 'Resources' });
});

test('sacct lines: exit code, "CANCELLED by 0", a pending array range expanded', () => {
  const m = parseSacct('7_0|COMPLETED|0:0|None\n7_1|CANCELLED by 0|0:15|None\n7_[2-4,6%2]|PENDING|0:0|Priority\n');
  assert.is(m.get('7_1')?.state, 'CANCELLED by 0');
  assert.is(m.get('7_1')?.exitCode, '0:15');
  assert.equal([...m.keys()], ['7_0', '7_1', '7_2', '7_3', '7_4', '7_6']);
  assert.is(m.get('7_6')?.reason, 'Priority');
  assert.equal(expandArrayRange('9', '0-2'), ['9_0', '9_1', '9_2']);
});

test('state classes', () => {
  assert.is(classifyState('PENDING'), 'pending');
  assert.is(classifyState('RUNNING'), 'running');
  assert.is(classifyState('COMPLETING'), 'running');
  assert.is(classifyState('COMPLETED'), 'done');
  for (const s of ['FAILED', 'CANCELLED by 0', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'PREEMPTED', 'WHATEVER']) {
    assert.is(classifyState(s), 'bad', s);
  }
});

test('sbatch --parsable output and array ids', () => {
  assert.is(parseSbatchParsable('1234\n'), '1234');
  assert.is(parseSbatchParsable('1234;cluster\n'), '1234');
  assert.is(parseSbatchParsable('sbatch: error: invalid partition\n'), null);
  assert.is(arrayJobOf('55_3'), '55');
});

test('Slurm time syntax', () => {
  assert.is(parseSlurmTime('30'), 30 * 60_000);
  assert.is(parseSlurmTime('5:30'), 330_000);
  assert.is(parseSlurmTime('1:00:00'), 3600_000);
  assert.is(parseSlurmTime('2-0'), 2 * 86400_000);
  assert.is(parseSlurmTime('1-2:03:04'), (86400 + 7200 + 180 + 4) * 1000);
  assert.is(parseSlurmTime('1h'), null);
  assert.is(parseSlurmTime('0'), null);
});

test.run();
