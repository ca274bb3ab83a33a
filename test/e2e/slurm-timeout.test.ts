// Acceptance on the real local Slurm: a job over its --time. Slurm's limits are whole minutes and
// enforced about every 30-60 s (../shared/slurm/README.md; OverTimeLimit 0, KillWait 30 s), so the
// shortest limit is `--time 1`. Component C's first attempt sleeps far beyond it: Slurm ends the
// job as TIMEOUT, heppy types it as a resource/time failure and resubmits it at once with 1.5 ×
// the time (2 minutes: sbatch takes whole minutes), and the second attempt (which finds the first
// one's flag file and does not sleep) completes. About 1.5-2 minutes of wall time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sacctLines } from '../unit/exec/batch/fixtures/slurm-util.js';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppyfileText, makeProject, type Project } from './build-rig.js';
import { mergedOutputs } from '../unit/exec/batch/fixtures/outputs.js';
import { slurmAvailable } from '../util/shared.js';

const have = slurmAvailable();
let p: Project;
// --no-cache: this tests the executor, which a restore from the output cache would bypass.
const SLURM = ['--no-cache', '--executor', 'slurm', '--poll-interval', '0.5', '--max-queries-per-minute', '600'];

/** The rig's heppyfile; component C's first run (no flag file yet) writes the flag and sleeps 10 minutes. */
function slowOnceHeppyfile(dir: string): string {
  const flag = JSON.stringify(join(dir, 'C-started-once'));
  return heppyfileText(50).replace('__DIR__', dir).replace("import { existsSync } from 'node:fs';", "import { existsSync, writeFileSync } from 'node:fs';")
    .replace('override beginLoop(): void {', `override beginLoop(): void {
    if (this.component.name === 'C' && getOption('sleeponce', false) && !existsSync(${flag})) {
      writeFileSync(${flag}, '');
      for (let i = 0; i < 600; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }`);
}

/** sacct's view of the build's array tasks (sacct lags: wait until it lists `n`, none running). */
async function settledRows(outdir: string, n: number): Promise<Array<{ state: string; timelimit: string }>> {
  const t0 = Date.now();
  for (;;) {
    const rows = sacctLines(outdir, 'JobID,State,Timelimit').map((l) => {
      const [, state, timelimit] = l.trim().split('|');
      return { state: state!, timelimit: timelimit! };
    });
    if ((rows.length >= n && rows.every((x) => x.state !== 'RUNNING' && x.state !== 'PENDING')) || Date.now() - t0 > 20_000) return rows;
    await new Promise((res) => setTimeout(res, 500));
  }
}

test.before(async () => {
  if (!have) return;
  p = await makeProject();
  writeFileSync(p.heppyfile, slowOnceHeppyfile(p.dir));
});

test('a job over its --time ends as TIMEOUT, is resubmitted with 1.5 times the time and then succeeds', async () => {
  if (!have) return;
  const o = join(p.dir, 'Out-time');
  const r = build(p, [...SLURM, '--time', '1', '--outdir', o, '-o', 'sleeponce']);
  assert.is(r.code, 0, r.stderr + r.stdout.slice(-3000));
  const retries = r.events.filter((e) => e.type === 'retry');
  assert.is(retries.length, 1, JSON.stringify(retries));
  const retry = retries[0]!;
  assert.equal([retry.id, retry.attempt, retry.delayMs], ['C', 2, 0]);
  const failure = retry.failure as { kind: string; resource: string; reason: string };
  assert.equal([failure.kind, failure.resource], ['resource', 'time'], JSON.stringify(retry));
  assert.match(failure.reason, 'TIMEOUT');
  assert.equal(retry.resources, { timeMin: 2 });
  assert.equal(r.ran, ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'hadd:A', 'hadd:B']);
  const marker = JSON.parse(readFileSync(join(o, 'C', 'heppy-status.json'), 'utf8')) as { status: string; attempt: number };
  assert.equal([marker.status, marker.attempt], ['ok', 2]);
  // As Slurm saw it: 7 tasks with a 1-minute limit, C's ended as TIMEOUT; its resubmission had 2 minutes and completed.
  const rows = await settledRows(o, 8);
  assert.equal(rows.filter((x) => x.timelimit === '00:01:00').length, 7, JSON.stringify(rows));
  assert.equal(rows.filter((x) => x.state === 'TIMEOUT').map((x) => x.timelimit), ['00:01:00'], JSON.stringify(rows));
  assert.equal(rows.filter((x) => x.timelimit === '00:02:00').map((x) => x.state), ['COMPLETED'], JSON.stringify(rows));
  // Options are part of the keys: compare with a local build of the same options.
  const same = build(p, ['--outdir', join(p.dir, 'Out-local2'), '-o', 'sleeponce']);
  assert.is(same.code, 0, same.stderr);
  assert.equal(await mergedOutputs(o, ['A', 'B', 'C']), await mergedOutputs(join(p.dir, 'Out-local2'), ['A', 'B', 'C']));
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
