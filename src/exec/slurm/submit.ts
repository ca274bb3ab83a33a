// One submission round = one `sbatch --array` call (several only beyond MaxArraySize): a driver
// script plus a NUL-separated list of (chunk dir, job log) pairs; array task i runs the
// batchScript.sh of chunks [i*K, i*K+K) one after another. The list is data, never shell code.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../util/result.js';
import { shq } from '../../util/shell.js';
import type { SlurmClient } from './client.js';
import type { ResolvedSlurmOptions } from './options.js';
import { parseSbatchParsable } from './states.js';

export interface RoundItem {
  chunkDir: string;
  jobLog: string;
  attempt: number;
  key: string;
}

/**
 * One sbatch call as planned before it is made: its job name and, per item (same order), its array
 * task, job output and task output. The executor journals this before sbatch runs.
 */
export interface PlannedCall {
  jobName: string;
  items: RoundItem[];
  tasks: number[];
  /** Per item: where its job output goes (a packed task's output is shared by its chunks). */
  jobLogs: string[];
  /** Per item: its array task's own output (slurmstepd's messages, e.g. "exceeded memory limit"). */
  taskLogs: string[];
}

export interface SubmittedRound extends PlannedCall {
  arrayJobId: string;
  /** Per item: its array task id, e.g. '1234_7'. */
  jobIds: string[];
}

/** What the packed driver runs (K > 1): one Node process for the task's chunks. */
export interface DriverPrograms {
  nodeBin: string;
  runChunksJs: string;
  exitMarkerJs: string;
}

/**
 * K = 1: the task runs its chunk's batchScript.sh (the script users resubmit by hand), output to the
 * chunk's job log. K > 1: one Node process runs the task's K chunks in turn (run-chunks.js), then
 * exit-marker.js --each marks any chunk it left without a marker (crash, kill, time limit).
 */
export function driverScriptText(listFile: string, perTask: number, prog: DriverPrograms): string {
  const head = [
    '#!/bin/bash',
    '# heppy Slurm array driver: array task i runs chunks [i*K, i*K+K) of the list (NUL-separated',
    '# records: chunk directory, job log, attempt, key). Each chunk directory has its batchScript.sh',
    '# for resubmitting it by hand.',
    `list=${shq(listFile)}`,
    `per_task=${perTask}`,
    'task=${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}',
    'mapfile -d \'\' -t items < "$list" || exit 1',
    // The TERM of scancel/time limit also reaches the chunk; remember it for the markers.
    "stop=''",
    "sig=''",
    "trap 'stop=1; sig=TERM' TERM",
    "trap 'stop=1; sig=INT' INT",
  ];
  const single = [
    'rc=0',
    'for ((j = task * per_task; j < (task + 1) * per_task && 4 * j + 3 < ${#items[@]}; j++)); do',
    '  [ -n "$stop" ] && { rc=1; break; }',
    '  /bin/bash "${items[4 * j]}/batchScript.sh" > "${items[4 * j + 1]}" 2>&1 || rc=1',
    'done',
    'exit "$rc"',
  ];
  const packed = [
    `node_bin=${shq(prog.nodeBin)}`,
    `run_chunks_js=${shq(prog.runChunksJs)}`,
    `exit_marker_js=${shq(prog.exitMarkerJs)}`,
    'args=()',
    'for ((j = task * per_task; j < (task + 1) * per_task && 4 * j + 3 < ${#items[@]}; j++)); do',
    '  args+=("${items[4 * j]}" "${items[4 * j + 2]}" "${items[4 * j + 3]}")',
    'done',
    '[ ${#args[@]} -gt 0 ] || exit 0',
    'cd -- "$(dirname -- "${args[0]}")" || exit 1',
    '"$node_bin" "$run_chunks_js" "${args[@]}"',
    'status=$?',
    '"$node_bin" "$exit_marker_js" --each "$status" "$sig" "${args[@]}"',
    'exit "$status"',
  ];
  return [...head, ...(perTask === 1 ? single : packed), ''].join('\n');
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
 * Submits `items` as job arrays (one sbatch per maxArraySize tasks), call c named jobNameOf(c).
 * `before` is awaited before each sbatch (the journal entries that let a killed build find the job
 * by its name). On failure nothing of the failed call runs; earlier calls of the same round stay
 * submitted and are returned in `done`.
 */
export async function submitRound(
  client: SlurmClient,
  o: ResolvedSlurmOptions,
  roundsDir: string,
  roundName: string,
  jobNameOf: (call: number) => string,
  items: RoundItem[],
  prog: DriverPrograms,
  before?: (call: PlannedCall) => Promise<void>,
): Promise<{ done: { items: RoundItem[]; round: SubmittedRound }[]; failed?: { items: RoundItem[]; reason: string } }> {
  const K = o.chunksPerJob;
  const perCall = o.maxArraySize * K;
  const done: { items: RoundItem[]; round: SubmittedRound }[] = [];
  for (let start = 0, call = 0; start < items.length; start += perCall, call++) {
    const part = items.slice(start, start + perCall);
    const base = join(roundsDir, call === 0 ? roundName : `${roundName}.${call}`);
    const r = await submitArray(client, o, base, jobNameOf(call), part, prog, before);
    if (!r.ok) return { done, failed: { items: items.slice(start), reason: r.error.reason } };
    done.push({ items: part, round: r.value });
  }
  return { done };
}

async function submitArray(client: SlurmClient, o: ResolvedSlurmOptions, base: string, jobName: string, items: RoundItem[], prog: DriverPrograms,
  before?: (call: PlannedCall) => Promise<void>): Promise<Result<SubmittedRound>> {
  const K = o.chunksPerJob;
  const listFile = `${base}.list`;
  const driver = `${base}.sh`;
  writeFileSync(listFile, items.map((i) => `${i.chunkDir}\0${i.jobLog}\0${i.attempt}\0${i.key}\0`).join(''));
  writeFileSync(driver, driverScriptText(listFile, K, prog));
  chmodSync(driver, 0o755);
  const taskOf = (i: number): number => Math.floor(i / K);
  const taskOut = (i: number): string => `${base}_${taskOf(i)}.out`;
  const planned: PlannedCall = { jobName, items, tasks: items.map((_, i) => taskOf(i)), jobLogs: items.map((it, i) => (K === 1 ? it.jobLog : taskOut(i))),
    taskLogs: items.map((_, i) => taskOut(i)) };
  if (before) {
    // Unjournaled, a job whose build is killed right after sbatch could not be found again.
    try {
      await before(planned);
    } catch (err) {
      return fail({ object: 'sbatch', reason: `not submitted: the batch journal could not be written: ${(err as Error).message}` });
    }
  }
  const tasks = Math.ceil(items.length / K);
  // Slurm expands %-patterns in --output: a '%' of the path itself must be doubled.
  const args = [...sbatchArgs(o, jobName, `${base.replace(/%/g, '%%')}_%a.out`, [0, tasks - 1]), driver];
  const r = await client.run('sbatch', args);
  if (!r.ok) return r;
  const id = r.value.exitCode === 0 ? parseSbatchParsable(r.value.stdout) : null;
  if (id === null) {
    const why = (r.value.stderr || r.value.stdout).trim().split('\n').slice(-3).join(' / ');
    return fail({ object: 'sbatch', reason: `sbatch failed (exit code ${r.value.exitCode}): ${why || 'no output'}` });
  }
  return ok({ ...planned, arrayJobId: id, jobIds: planned.tasks.map((t) => `${id}_${t}`) });
}
