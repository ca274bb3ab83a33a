import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isLoopForm, legacyProgram, translateBatch, translateCheck, translateHadd, translateLegacy, translateLoop } from '../../../src/cli/legacy.js';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: { reason: string } }): T => {
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
};
const reason = (r: { ok: boolean; error?: { reason: string; file?: string } }): string => (r.ok ? '' : `${r.error!.file ?? ''}|${r.error!.reason}`);

test('heppy Outdir heppyfile.ts with heppy_loop flags is heppy build', () => {
  assert.equal(value(translateLoop(['Out', 'heppyfile.ts', '-N', '1000', '-o', 'a=1', '--option=b', '-j', '8', '-f'])),
    ['build', '--outdir', 'Out', '--file', 'heppyfile.ts', '-N', '1000', '-o', 'a=1', '-o', 'b', '-j', '8']);
  assert.equal(value(translateLoop(['--nevents=5', 'Out', 'h.ts', '--ntasks', '2', '--executor', 'slurm', '-v'])),
    ['build', '--outdir', 'Out', '--file', 'h.ts', '-N', '5', '-j', '2', '--executor', 'slurm', '-v']);
});

test('a Python cfg, debugging flags, missing and extra arguments are refused with one reason', () => {
  assert.match(reason(translateLoop(['Out', 'analysis_h_to_zz.py'])), /^analysis_h_to_zz\.py\|a Python cfg cannot run: the configuration is now a heppyfile\.ts/);
  assert.match(reason(translateLoop(['Out', 'h.ts', '-e', '3'])), /-e: debugging one event or file is `heppy run --component NAME/);
  assert.match(reason(translateLoop(['Out'])), /please give the output directory and the heppyfile/);
  assert.equal(value(translateLoop(['Out', 'h.ts', 'x'])), ['build', '--outdir', 'Out', '--file', 'h.ts', 'x']); // heppy build refuses it
  assert.match(reason(translateLoop(['Out', 'h.ts', '-N'])), /-N needs a value/);
});

test('heppy_batch.py -o Outdir cfg -b TEMPLATE -n -N --option', () => {
  assert.equal(value(translateBatch(['-o', 'Outdir', 'heppyfile.ts', '-b', 'bsub -q 1nh < batchScript.sh', '-N', '10', '--option', 'x=2', '-f'])),
    ['build', '--file', 'heppyfile.ts', '--outdir', 'Outdir', '-b', 'bsub -q 1nh < batchScript.sh', '-N', '10', '-o', 'x=2']);
  assert.equal(value(translateBatch(['heppyfile.ts', '-n', '-o', 'O'])), ['build', '--file', 'heppyfile.ts', '--dry-run', '--outdir', 'O']);
  assert.match(reason(translateBatch(['-o', 'O', 'cfg.py', '-b', 'x'])), /a Python cfg cannot run/);
  assert.match(reason(translateBatch(['-r', '/store/x', 'h.ts'])), /-r: copying outputs to remote storage is not supported/);
});

test('heppy_check.py DIRS -b CMD and heppy_hadd.py [-r] [-c] SRC [DEST]', () => {
  assert.equal(value(translateCheck(['Out/A_Chunk0', 'Out/A_Chunk1', '-b', 'bsub -q 1nh'])), ['check', '-b', 'bsub -q 1nh', 'Out/A_Chunk0', 'Out/A_Chunk1']);
  assert.match(reason(translateCheck([])), /please give chunk directories/);
  assert.equal(value(translateHadd(['-r', '-c', 'Out/', 'Dest'])), ['hadd', '-r', '-c', 'Out/', 'Dest']);
  assert.match(reason(translateHadd([])), /usage: heppy_hadd\.py/);
  assert.equal(value(translateLegacy('heppy_loop.py', ['O', 'h.ts'])), ['build', '--outdir', 'O', '--file', 'h.ts']);
});

test('only launcher names are legacy programs; a command name stays the command', () => {
  assert.is(legacyProgram('heppy_check.py'), 'heppy_check.py');
  assert.is(legacyProgram('heppy'), null);
  const names = new Set(['build', 'check', 'hadd', 'root']);
  assert.ok(isLoopForm(['Outdir', 'heppyfile.ts'], names));
  assert.not.ok(isLoopForm(['check', 'Outdir'], names));
  assert.not.ok(isLoopForm(['root', 'inspect'], names));
  assert.not.ok(isLoopForm(['Outdir'], names));
  assert.not.ok(isLoopForm(['--help', 'x'], names));
  assert.not.ok(isLoopForm(['Outdir', '-N', '3'], names));
  assert.not.ok(isLoopForm(['biuld', 'x'], names)); // answered by the command suggestion
  assert.ok(isLoopForm(['Out', 'cfg.py'], names));
});

test.run();
