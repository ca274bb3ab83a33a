// 200 chunks of trivial work on the local Slurm (../shared/slurm): wall time of `heppy build
// --executor slurm` from start to the last hadd, the sbatch/squeue/sacct calls it made (counted
// by wrappers first in PATH, and by the executor itself: HEPPY_SLURM_STATS), its poll rounds, and
// the same chunks through the local executor (-j 2) for the overhead.
// Usage: node dist/bench/slurm.js [chunks=200] [chunks-per-job=1] [poll-seconds=1]
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heppy, makeBenchProject, repo } from './build-setup.js';

const chunks = Number(process.argv[2] ?? 200);
const perJob = Number(process.argv[3] ?? 1);
const poll = Number(process.argv[4] ?? 1);
const dir = join(repo, '.bench-tmp', `slurm-${chunks}`);
mkdirSync(dir, { recursive: true });
await makeBenchProject(dir, 1, chunks);

// Wrappers that log each call, then run the real command.
const wrap = join(dir, 'wrap-bin');
const callLog = join(dir, 'calls.log');
mkdirSync(wrap, { recursive: true });
for (const cmd of ['sbatch', 'squeue', 'sacct', 'scancel']) {
  const real = execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  writeFileSync(join(wrap, cmd), `#!/bin/sh\necho ${cmd} >> "$HEPPY_BENCH_CALLS"\nexec ${real} "$@"\n`);
  chmodSync(join(wrap, cmd), 0o755);
}

function fresh(outdir: string): void {
  rmSync(join(dir, outdir), { recursive: true, force: true });
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  heppy(dir, ['build', '--dry-run', '--outdir', outdir]); // bundle + digests once: the timed run is the build
}

fresh('Out-local');
const local = heppy(dir, ['build', '-j', '2', '--outdir', 'Out-local']);
if (local.code !== 0) throw new Error(`local build failed: ${local.stderr}`);
process.stdout.write(`local -j 2, ${chunks} chunks: ${(local.ms / 1000).toFixed(2)} s   ${local.stdout.trim().split('\n').pop()}\n`);

fresh('Out-slurm');
rmSync(callLog, { force: true });
const statsFile = join(dir, 'slurm-stats.json');
process.env.PATH = `${wrap}:${process.env.PATH}`;
process.env.HEPPY_BENCH_CALLS = callLog;
process.env.HEPPY_SLURM_STATS = statsFile;
const args = ['build', '--executor', 'slurm', '--poll-interval', String(poll), '--max-queries-per-minute', '60', '--chunks-per-job', String(perJob), '--outdir', 'Out-slurm'];
const s = heppy(dir, args);
if (s.code !== 0) throw new Error(`slurm build failed: ${s.stderr}\n${s.stdout.slice(-2000)}`);
const calls: Record<string, number> = { sbatch: 0, squeue: 0, sacct: 0, scancel: 0 };
for (const l of readFileSync(callLog, 'utf8').split('\n')) if (l in calls) calls[l]!++;
const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as { calls: Record<string, number>; submitRounds: number; pollRounds: number };
process.stdout.write(`slurm, ${chunks} chunks, ${perJob} per array task, poll ${poll} s: ${(s.ms / 1000).toFixed(2)} s   ${s.stdout.trim().split('\n').pop()}\n`);
process.stdout.write(`  calls (PATH wrappers): sbatch ${calls.sbatch}, squeue ${calls.squeue}, sacct ${calls.sacct}, scancel ${calls.scancel}\n`);
process.stdout.write(`  executor: ${stats.submitRounds} submission rounds, ${stats.pollRounds} poll rounds, calls ${JSON.stringify(stats.calls)}\n`);
process.stdout.write(`  overhead vs local: ${((s.ms - local.ms) / 1000).toFixed(2)} s (${(s.ms / local.ms).toFixed(1)}×)\n`);
const again = heppy(dir, args);
process.stdout.write(`  second slurm build (no-op): ${(again.ms / 1000).toFixed(2)} s, sbatch calls ${readFileSync(callLog, 'utf8').split('\n').filter((l) => l === 'sbatch').length - calls.sbatch}\n`);
