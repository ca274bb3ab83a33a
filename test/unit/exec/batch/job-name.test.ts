// Batch job names (src/exec/batch/job-name.ts): every name of one Outdir starts with the same
// prefix (a hash of its absolute path), which finds its jobs, and only its jobs, among the user's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { attemptJobName, isOutdirJobName, outdirJobPrefix } from '../../../../src/exec/batch/job-name.js';

test('the prefix: heppy-<12 hex digits>, the same for the relative and the absolute path of one Outdir', () => {
  const p = outdirJobPrefix('Out');
  assert.match(p, /^heppy-[0-9a-f]{12}$/);
  assert.is(outdirJobPrefix(join(process.cwd(), 'Out')), p);
  assert.is.not(outdirJobPrefix('Out2'), p);
});

test("an Outdir's names: its prefix, alone or followed by '-'; not another Outdir's, not a longer word", () => {
  const p = outdirJobPrefix('/data/Out');
  assert.ok(isOutdirJobName('/data/Out', p));
  assert.ok(isOutdirJobName('/data/Out', attemptJobName('/data/Out', 'A_Chunk3', 2)));
  assert.is(attemptJobName('/data/Out', 'A_Chunk3', 2), `${p}-A_Chunk3-2`);
  assert.not.ok(isOutdirJobName('/data/Out', `${p}x`));
  assert.not.ok(isOutdirJobName('/data/Out', attemptJobName('/data/Out2', 'A_Chunk3', 2)));
  assert.not.ok(isOutdirJobName('/data/Out', 'my-own-job'));
});

test.run();
