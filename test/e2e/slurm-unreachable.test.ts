// An unreachable batch system (sbatch cannot contact the controller): every submission is an
// infrastructure failure, retried after a growing back-off, announced once per round (not one
// line per chunk and attempt), then reported per chunk with its kind; exit 1. No cluster needed:
// a fake sbatch/squeue/sacct first on PATH fails like Slurm's does when slurmctld is down.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEPPY, makeProject, type Project } from './build-rig.js';

let p: Project;
let bin: string;
const CHUNKS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C'];

test.before(async () => {
  p = await makeProject();
  bin = join(p.dir, 'fake-bin');
  mkdirSync(bin);
  for (const cmd of ['sbatch', 'squeue', 'sacct', 'scancel']) {
    const f = join(bin, cmd);
    writeFileSync(f, `#!/bin/sh\necho "${cmd}: error: Batch job submission failed: Unable to contact slurm controller (connect failure)" >&2\nexit 1\n`);
    chmodSync(f, 0o755);
  }
});

function run(args: string[]): { code: number; stdout: string } {
  const r = spawnSync(process.execPath, [HEPPY, 'build', '--executor', 'slurm', '--poll-interval', '0.2', '--retry-delay', '0.3', ...args], {
    cwd: p.dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  return { code: r.status ?? -1, stdout: r.stdout + r.stderr };
}

test('plain output: two retry lines (one per round, with the back-off), each chunk FAILED as infrastructure, exit 1', () => {
  const r = run(['--outdir', 'Out-plain']);
  assert.is(r.code, 1, r.stdout);
  const retries = r.stdout.split('\n').filter((l) => l.startsWith('retry '));
  assert.is(retries.length, 2, r.stdout);
  assert.match(retries[0]!, /^retry 7 chunks \(A_Chunk0, A_Chunk1, A_Chunk2, …\) \(attempt 2, in 0\.3 s\): infrastructure: /);
  assert.match(retries[1]!, /^retry 7 chunks \(A_Chunk0, A_Chunk1, A_Chunk2, …\) \(attempt 3, in 0\.6 s\): infrastructure: /);
  const failed = r.stdout.split('\n').filter((l) => /^\s+FAILED /.test(l)).map((l) => l.trim().split(/[ :]/)[1]).sort();
  assert.equal(failed, CHUNKS, r.stdout);
});

test('--json: retry events carry the failure and the doubled delay; failed events the kind; 3 attempts each', () => {
  const r = run(['--outdir', 'Out-json', '--json']);
  assert.is(r.code, 1);
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const retries = events.filter((e) => e.type === 'retry');
  assert.is(retries.length, 14);
  assert.equal([...new Set(retries.map((e) => `${e.attempt as number}:${e.delayMs as number}:${(e.failure as { kind: string }).kind}`))].sort(), ['2:300:infrastructure', '3:600:infrastructure']);
  const failed = events.filter((e) => e.type === 'failed');
  assert.equal(failed.map((e) => e.id as string).sort(), CHUNKS);
  for (const e of failed) assert.equal([(e.failure as { kind: string }).kind, e.attempts], ['infrastructure', 3]);
});

test.after(() => { if (p) rmSync(p.dir, { recursive: true, force: true }); });
test.run();
