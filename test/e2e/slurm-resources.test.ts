// Acceptance on the real local Slurm, started with LOCAL_SLURM_ENFORCE_MEM=1 (../shared/slurm):
// a job over its --mem is killed by Slurm (FAILED 0:9, slurmstepd's "exceeded memory limit"),
// heppy types it as a resource/memory failure and resubmits it with 1.5 times the memory, and the
// second attempt succeeds; the merged outputs equal a local build's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { sacctLines } from '../unit/exec/batch/fixtures/slurm-util.js';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppyfileText, makeProject, type Project } from './build-rig.js';
import { mergedOutputs } from '../unit/exec/batch/fixtures/outputs.js';
import { slurmAvailable } from '../util/shared.js';

const have = slurmAvailable();
let p: Project;
// --no-cache: these test the executor, which a restore from the output cache would bypass.
const SLURM = ['--no-cache', '--executor', 'slurm', '--poll-interval', '0.3', '--max-queries-per-minute', '600'];
const HOG_MB = 300;

/** Memory is enforced only when the cluster was started with LOCAL_SLURM_ENFORCE_MEM=1 (CR_CPU_Memory). */
function memoryEnforced(): boolean {
  try {
    const conf = execFileSync('scontrol', ['show', 'config'], { encoding: 'utf8' });
    return /SelectTypeParameters\s*=\s*CR_CPU_MEMORY/i.test(conf) && /OverMemoryKill/i.test(conf);
  } catch {
    return false;
  }
}

/** The rig's heppyfile, plus: component C holds HOG_MB of touched memory for 3 s in beginLoop. */
function hogHeppyfile(): string {
  return heppyfileText(50).replace("override beginLoop(): void {", `hog: Buffer | null = null;
  override beginLoop(): void {
    if (this.component.name === 'C' && Number(getOption('hogmb', 0)) > 0) {
      this.hog = Buffer.alloc(Number(getOption('hogmb', 0)) * 1024 * 1024, 1);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
    }`);
}

/** sacct's view of the build's array tasks (sacct lags: wait until it lists `n`). */
async function settledRows(outdir: string, n: number): Promise<Array<{ id: string; state: string; exitCode: string; reqMem: string }>> {
  const t0 = Date.now();
  for (;;) {
    const rows = sacctLines(outdir, 'JobID,State,ExitCode,ReqMem').map((l) => {
      const [id, state, exitCode, reqMem] = l.trim().split('|');
      return { id: id!, state: state!, exitCode: exitCode!, reqMem: reqMem! };
    });
    if ((rows.length >= n && rows.every((x) => x.state !== 'RUNNING' && x.state !== 'PENDING')) || Date.now() - t0 > 20_000) return rows;
    await new Promise((res) => setTimeout(res, 500));
  }
}

test.before(async () => {
  if (!have) return;
  p = await makeProject();
  writeFileSync(p.heppyfile, hogHeppyfile().replace('__DIR__', p.dir));
});

test('a job over its --mem is resubmitted with 1.5 times the memory and then succeeds', async () => {
  if (!have) return;
  if (!memoryEnforced()) {
    if (process.env.HEPPY_REQUIRE_SLURM === '1') assert.unreachable('Slurm does not enforce memory: start it with LOCAL_SLURM_ENFORCE_MEM=1');
    console.log('SKIP: the local Slurm does not enforce memory (start it with LOCAL_SLURM_ENFORCE_MEM=1)');
    return;
  }
  const local = build(p, ['--outdir', join(p.dir, 'Out-local'), '-o', `hogmb=${HOG_MB}`]);
  assert.is(local.code, 0, local.stderr);
  const o = join(p.dir, 'Out-mem');
  const r = build(p, [...SLURM, '--mem', '320M', '--outdir', o, '-o', `hogmb=${HOG_MB}`]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  const retries = r.events.filter((e) => e.type === 'retry');
  assert.is(retries.length, 1, JSON.stringify(retries));
  const retry = retries[0]!;
  assert.is(retry.id, 'C');
  assert.is(retry.attempt, 2);
  const failure = retry.failure as { kind: string; resource: string };
  assert.equal([failure.kind, failure.resource], ['resource', 'memory'], JSON.stringify(retry));
  assert.equal(retry.resources, { memMB: 480 });
  assert.is(retry.delayMs, 0);
  assert.equal(r.ran, ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'hadd:A', 'hadd:B']);
  // The second attempt was a job of its own asking for 480M.
  const marker = JSON.parse(readFileSync(join(o, 'C', 'heppy-status.json'), 'utf8')) as { status: string; attempt: number };
  assert.equal([marker.status, marker.attempt], ['ok', 2]);
  // As Slurm saw it: 7 tasks asking for 320M, one killed over it (FAILED 0:9), and the resubmission asking for 480M.
  const rows = await settledRows(o, 8);
  assert.equal(rows.filter((x) => x.reqMem === '320M').length, 7, JSON.stringify(rows));
  assert.equal(rows.filter((x) => x.state === 'FAILED').map((x) => [x.reqMem, x.exitCode]), [['320M', '0:9']], JSON.stringify(rows));
  assert.equal(rows.filter((x) => x.reqMem === '480M').map((x) => x.state), ['COMPLETED'], JSON.stringify(rows));
  assert.equal(await mergedOutputs(o, ['A', 'B', 'C']), await mergedOutputs(join(p.dir, 'Out-local'), ['A', 'B', 'C']));
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
