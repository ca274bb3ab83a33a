// The batch journal with a -b template: every attempt is journaled (with the job name the template
// gets as $HEPPY_JOB_NAME) before the template runs. The template of the killed build starts the
// job and then SIGKILLs the build ($PPID of `sh -c`) before it can journal the job's process group:
// the next build finds the running jobs by that name, and no chunk runs twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, buildAsync, makeProject, type Project } from './build-rig.js';
import { once, runlogHeppyfile, runsPerChunk } from './journal-rig.js';
import { mergedOutputs } from '../unit/exec/batch/fixtures/outputs.js';

let p: Project;
const out = (name: string): string => join(p.dir, name);

test.before(async () => {
  p = await makeProject();
  writeFileSync(p.heppyfile, runlogHeppyfile(p.dir));
  const local = build(p, ['--outdir', out('Out-local')]);
  assert.is(local.code, 0, local.stderr);
});

test("-b 'nohup ./batchScript.sh &': a build killed by its template right after the submission; the next build re-attaches by $HEPPY_JOB_NAME, each chunk ran once, outputs as a local build's", async () => {
  const o = out('Out-b');
  const runs = join(p.dir, 'runs-b.log');
  const common = ['--no-cache', '--poll-interval', '0.2', '--outdir', o, '-o', 'slowms=2000', '-o', `runlog=${runs}`];
  const killed = await buildAsync(p, ['-b', 'nohup ./batchScript.sh > /dev/null 2>&1 & kill -9 $PPID', ...common]).done;
  assert.is(killed.code, -1, `killed by its template: ${killed.code} ${killed.stderr}`);
  const r = build(p, ['-b', 'nohup ./batchScript.sh &', ...common]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.ok(r.ran.includes('hadd:A') && r.ran.includes('hadd:B'), r.ran.join(' '));
  assert.equal(runsPerChunk(runs), once);
  assert.equal(await mergedOutputs(o, ['A', 'B', 'C']), await mergedOutputs(out('Out-local'), ['A', 'B', 'C']));
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
