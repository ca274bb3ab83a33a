// The batch journal with a -b template: every attempt is journaled (with the job name the template
// gets as $HEPPY_JOB_NAME) before the template runs. The template of the killed build starts the
// job and then SIGKILLs the build ($PPID of `sh -c`) before it can journal the job's process group:
// the next build finds the running jobs by that name, and no chunk runs twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
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

test("a killed -b build's jobs, then a local build: they are cancelled, and the warning says they were left by the earlier build and why (not 'an older version')", async () => {
  const o = out('Out-b-then-local');
  const runs = join(p.dir, 'runs-b-local.log');
  const common = ['--no-cache', '--poll-interval', '0.2', '--outdir', o, '-o', `runlog=${runs}`];
  // The jobs sleep 30 s: still running when the local build (of the usual speed) starts.
  const killed = await buildAsync(p, ['-b', 'nohup ./batchScript.sh > /dev/null 2>&1 & kill -9 $PPID', ...common, '-o', 'slowms=30000']).done;
  assert.is(killed.code, -1, `killed by its template: ${killed.code} ${killed.stderr}`);
  const r = build(p, common);
  assert.is(r.code, 0, r.stderr + r.stdout);
  const warnings = r.events.filter((e) => e.type === 'warning').map((e) => String(e.message));
  const w = warnings.find((m) => m.startsWith('cancelled '));
  assert.ok(w, warnings.join('\n'));
  assert.match(w!, /^cancelled \d+ batch jobs? that an earlier build left queued or running \(it was killed, interrupted or detached\): \d+ submitted through the -b template while this build runs locally: /);
  assert.not.match(w!, 'older version');
  // None of the abandoned jobs is left to swap its result (of another key) over this build's.
  assert.equal(processesIn(o), []);
  assert.equal(await mergedOutputs(o, ['A', 'B', 'C']), await mergedOutputs(out('Out-local'), ['A', 'B', 'C']));
});

/** Pids of this user's processes whose working directory is under `dir` (a -b job runs in its chunk directory). */
function processesIn(dir: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return readlinkSync(`/proc/${d}/cwd`).startsWith(dir + '/');
    } catch {
      return false;
    }
  }).map(Number);
}

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
