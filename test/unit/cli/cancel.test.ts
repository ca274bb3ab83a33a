// heppy cancel's text (cli/cancel.ts): the jobs cancelled, and those not cancelled one line per reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { abbreviate, formatCancelled, formatNotCancelled } from '../../../src/cli/cancel.js';

test('cancelled jobs: Slurm then -b jobs, more than 8 abbreviated; none: no text', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `6020_${i}`);
  assert.is(formatCancelled({ slurm: ids, command: ['local:vm:12'], notCancelled: [], errors: [] }),
    'cancelled 10 Slurm jobs: 6020_0 6020_1 6020_2 6020_3 6020_4 6020_5 6020_6 6020_7 … (2 more)\ncancelled 1 batch job: local:vm:12\n');
  assert.is(formatCancelled({ slurm: [], command: [], notCancelled: [], errors: [] }), '');
  assert.is(abbreviate(['a', 'b']), 'a b');
});

test('not cancelled: one line per reason with its count (24 ended jobs after --detach are one line, not 24)', () => {
  const ended = Array.from({ length: 24 }, (_, i) => ({ jobId: `local:vm:${100 + i}`, why: 'not running any more, or on another host' }));
  const text = formatNotCancelled([...ended, { jobId: '77', why: 'unknown batch system: cancel it with its own command' }]);
  assert.equal(text.split('\n'), [
    'not cancelled (not running any more, or on another host): 24 jobs: local:vm:100 local:vm:101 local:vm:102 local:vm:103 local:vm:104 local:vm:105 local:vm:106 local:vm:107 … (16 more)',
    'not cancelled (unknown batch system: cancel it with its own command): 1 job: 77',
    '',
  ]);
  assert.is(formatNotCancelled([]), '');
});

test.run();
