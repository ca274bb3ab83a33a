// One submission round = one `sbatch --array` call (several only beyond MaxArraySize): a driver
// script plus a NUL-separated list of (chunk dir, job log) pairs; array task i runs the
// batchScript.sh of chunks [i*K, i*K+K) one after another. The list is data, never shell code.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../util/result.js';
import { shq } from '../batch/shell.js';
import type { SlurmClient } from './client.js';
import type { ResolvedSlurmOptions } from './options.js';
import { parseSbatchParsable } from './states.js';

export interface RoundItem {
  chunkDir: string;
  jobLog: string;
}

export interface SubmittedRound {
  arrayJobId: string;
  /** Per item (same order): its array task id, e.g. '1234_7'. */
  jobIds: string[];
}

export function driverScriptText(listFile: string, perTask: number): string {
  return [
    '#!/bin/bash',
    '# heppy Slurm array driver: array task i runs the batchScript.sh of chunks [i*K, i*K+K) of the list',
    '# (NUL-separated pairs: chunk directory, job log). Each chunk directory can be resubmitted by hand.',
    `list=${shq(listFile)}`,
    `per_task=${perTask}`,
    'task=${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}',
    'mapfile -d \'\' -t items < "$list" || exit 1',
    // The TERM of scancel/time limit also reaches the chunk; stop before starting the next one.
    "stop=''",
    "trap 'stop=1' TERM INT",
    'rc=0',
    'for ((j = task * per_task; j < (task + 1) * per_task && 2 * j + 1 < ${#items[@]}; j++)); do',
    '  [ -n "$stop" ] && { rc=1; break; }',
    '  dir=${items[2 * j]}',
    '  log=${items[2 * j + 1]}',
    '  /bin/bash "$dir/batchScript.sh" > "$log" 2>&1 || rc=1',
    'done',
    'exit "$rc"',
    '',
  ].join('\n');
}

export function sbatchArgs(o: ResolvedSlurmOptions, jobName: string, driverOut: string, tasks: [number, number]): string[] {
  const args: string[] = [];
  if (o.partition !== undefined) args.push(`--partition=${o.partition}`);
  if (o.time !== undefined) args.push(`--time=${o.time}`);
  if (o.mem !== undefined) args.push(`--mem=${o.mem}`);
  args.push(...o.extraArgs);
  // heppy finds its jobs by name and by array index: these come last so that they win.
  args.push('--parsable', `--array=${tasks[0]}-${tasks[1]}`, `--job-name=${jobName}`, `--output=${driverOut}`);
  return args;
}

/**
 * Submits `items` as job arrays (one sbatch per maxArraySize tasks). On failure nothing of the
 * failed call runs; earlier calls of the same round stay submitted and are returned in `done`.
 */
export async function submitRound(
  client: SlurmClient,
  o: ResolvedSlurmOptions,
  roundsDir: string,
  roundName: string,
  jobName: string,
  items: RoundItem[],
): Promise<{ done: { items: RoundItem[]; round: SubmittedRound }[]; failed?: { items: RoundItem[]; reason: string } }> {
  const K = o.chunksPerJob;
  const perCall = o.maxArraySize * K;
  const done: { items: RoundItem[]; round: SubmittedRound }[] = [];
  for (let start = 0, call = 0; start < items.length; start += perCall, call++) {
    const part = items.slice(start, start + perCall);
    const base = join(roundsDir, call === 0 ? roundName : `${roundName}.${call}`);
    const r = await submitArray(client, o, base, jobName, part);
    if (!r.ok) return { done, failed: { items: items.slice(start), reason: r.error.reason } };
    done.push({ items: part, round: r.value });
  }
  return { done };
}

async function submitArray(client: SlurmClient, o: ResolvedSlurmOptions, base: string, jobName: string, items: RoundItem[]): Promise<Result<SubmittedRound>> {
  const K = o.chunksPerJob;
  const listFile = `${base}.list`;
  const driver = `${base}.sh`;
  writeFileSync(listFile, items.map((i) => `${i.chunkDir}\0${i.jobLog}\0`).join(''));
  writeFileSync(driver, driverScriptText(listFile, K));
  chmodSync(driver, 0o755);
  const tasks = Math.ceil(items.length / K);
  const args = [...sbatchArgs(o, jobName, `${base}_%a.out`, [0, tasks - 1]), driver];
  const r = await client.run('sbatch', args);
  if (!r.ok) return r;
  const id = r.value.exitCode === 0 ? parseSbatchParsable(r.value.stdout) : null;
  if (id === null) {
    const why = (r.value.stderr || r.value.stdout).trim().split('\n').slice(-3).join(' / ');
    return fail({ object: 'sbatch', reason: `sbatch failed (exit code ${r.value.exitCode}): ${why || 'no output'}` });
  }
  return ok({ arrayJobId: id, jobIds: items.map((_, i) => `${id}_${Math.floor(i / K)}`) });
}
