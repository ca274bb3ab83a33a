import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { submissionCommand, cancelArgv, localJobId, parseJobId, parseLocalJobId, templateKind, templateSyntaxProblem } from '../../../../src/exec/command/template.js';

test('job ids from what sbatch, bsub, condor_submit and qsub print', () => {
  assert.is(parseJobId('Submitted batch job 4242\n'), '4242');
  assert.is(parseJobId('Job <987654> is submitted to queue <1nh>.\n'), '987654');
  assert.is(parseJobId('Submitting job(s).\n1 job(s) submitted to cluster 31337.\n'), '31337');
  assert.is(parseJobId('Your job 555 ("batchScript.sh") has been submitted\n'), '555');
  assert.is(parseJobId('4711.pbs-server.example.org\n'), '4711.pbs-server.example.org');
  assert.is(parseJobId('nohup: ignoring input\n'), null);
  assert.is(parseJobId(''), null);
});

test('template kinds from the first word, as heppy_batch', () => {
  assert.is(templateKind('bsub -q 1nh < batchScript.sh'), 'lsf');
  assert.is(templateKind('condor_submit job.sub'), 'condor');
  assert.is(templateKind('./run_condor.sh -t 240'), 'condor');
  assert.is(templateKind('sbatch -p short batchScript.sh'), 'slurm');
  assert.is(templateKind('nohup ./batchScript.sh &'), 'local');
  assert.is(templateKind('./batchScript.sh'), 'local');
  assert.is(templateKind('my-submit'), 'other');
  assert.equal(cancelArgv('lsf', '7'), ['bkill', '7']);
  assert.equal(cancelArgv('slurm', '7'), ['scancel', '7']);
  assert.is(cancelArgv('local', '7'), null);
});

test('local job ids name host and process group', () => {
  assert.equal(parseLocalJobId(localJobId('node-1.example', 4321)), { host: 'node-1.example', pgid: 4321 });
  assert.is(parseLocalJobId('4321'), null);
});

test("a bare submit command gets the chunk's job name and batchScript.sh as its batch system reads it", () => {
  assert.is(submissionCommand('bsub -q 1nh < batchScript.sh', 'A_Chunk0'), 'bsub -q 1nh < batchScript.sh');
  assert.is(submissionCommand('nohup ./batchScript.sh &', 'A_Chunk0'), 'nohup ./batchScript.sh &');
  assert.is(submissionCommand('bsub -q 1nh', 'A_Chunk0'), 'bsub -q 1nh -J A_Chunk0 < batchScript.sh');
  assert.is(submissionCommand(' sbatch -p debug ', 'B_Chunk1'), 'sbatch -p debug -J B_Chunk1 batchScript.sh');
  assert.is(submissionCommand('qsub -q short', 'C'), 'qsub -q short -N C batchScript.sh');
  assert.is(submissionCommand('./run_condor.sh -t 240', 'C'), './run_condor.sh -t 240 batchScript.sh');
  assert.is(submissionCommand('my-submit --fast', 'C'), 'my-submit --fast < batchScript.sh');
  assert.is(submissionCommand("bsub -q 1nh", "x y"), "bsub -q 1nh -J 'x y' < batchScript.sh");
  const condor = submissionCommand('condor_submit', 'A_Chunk2');
  assert.ok(condor.startsWith("printf '%s\\n' 'executable = batchScript.sh' 'getenv = True' "), condor);
  assert.ok(condor.endsWith(" queue | condor_submit -batch-name A_Chunk2"), condor);
});

test('a template /bin/sh cannot parse is named before anything is submitted; the usual ones pass', () => {
  for (const t of ['nohup ./batchScript.sh &', 'bsub -q 1nh < batchScript.sh', "condor_submit -a 'x=1'", 'sbatch -p short']) assert.is(templateSyntaxProblem(t), null, t);
  const p = templateSyntaxProblem("nohup ./batchScript.sh &'");
  assert.ok(p !== null && p.startsWith('/bin/sh cannot parse it: ') && /quoted string|EOF|unexpected/i.test(p), String(p));
  assert.ok(templateSyntaxProblem('bsub -q 1nh < ') !== null);
  assert.is(templateSyntaxProblem('  '), 'the template is empty');
});

test.run();
