import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { jobLogPath } from '../../../../src/chunkdir/layout.js';
import { attemptJobName } from '../../../../src/exec/batch/job-name.js';
import { dirname, join } from 'node:path';
import type { Executor, ExecutorEvent, JournalEntry } from '../../../../src/exec/executor.js';
import { CommandExecutor, logEnd } from '../../../../src/exec/command/command-executor.js';
import { parseLocalJobId } from '../../../../src/exec/command/template.js';
import { cancelOutdirJobs } from '../../../../src/engine/cancel.js';
import { processAlive } from '../../../../src/exec/batch/tracker.js';
import { slurmAvailable } from '../../../util/shared.js';
import { fakeRunChunkJs, makeChunk, makeOutdir, drain as drainEvents } from '../batch/fixtures/rig.js';

const dirs: string[] = [];
const fast = { pollIntervalMs: 200, markerGraceMs: 500, script: { heppyJs: fakeRunChunkJs } };

const drain = (ex: Executor, n: number, deadlineMs = 30_000, onEvent?: (e: ExecutorEvent) => void) => drainEvents(ex, n, deadlineMs, onEvent);

function outdir(label: string, suffix = ''): string {
  const d = makeOutdir(label, suffix);
  dirs.push(dirname(d));
  return d;
}

test("-b 'nohup ./batchScript.sh &' in an Outdir with spaces, quotes and $: runs every chunk, markers decide", async () => {
  const out = outdir('cmd-nohup', ` a 'b' "c" $HOME`);
  const jobs = [makeChunk(out, 'n_Chunk0', 'ok', 1, 7), makeChunk(out, 'n_Chunk1', 'fail'), makeChunk(out, 'n_Chunk2', 'crash')];
  const ex = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &' });
  await ex.submit(jobs);
  const { events, ends } = await drain(ex, 3);
  await ex.close();
  assert.is(ex.templateKind, 'local');
  assert.equal(ends.get('n_Chunk0'), { nodeId: 'n_Chunk0', attempt: 1, status: 'succeeded', eventsProcessed: 7 });
  const f = ends.get('n_Chunk1')!;
  assert.ok(f.status === 'failed' && f.failure.kind === 'analysis', JSON.stringify(f));
  const c = ends.get('n_Chunk2')!;
  assert.ok(c.status === 'failed' && c.exitCode === 3 && c.failure.kind === 'infrastructure', JSON.stringify(c));
  for (const e of events) if (e.type === 'submitted') assert.match(e.jobId, /^local:/);
  // The job's output went to heppy's log directory, not into the chunk directory.
  assert.match(readFileSync(join(out, '.heppy', 'batch', 'logs', 'n_Chunk0.1.out'), 'utf8'), 'heppy: chunk ');
});

test('a submission that fails is an attempt failure naming the command and its output', async () => {
  const out = outdir('cmd-subfail');
  const ex = new CommandExecutor(out, { ...fast, template: 'echo "bsub: queue 1nh does not exist" >&2; exit 255' });
  await ex.submit([makeChunk(out, 'f_Chunk0', 'ok')]);
  const { ends } = await drain(ex, 1, 5000);
  const e = ends.get('f_Chunk0')!;
  // A submission the batch system refused: infrastructure (retried with back-off).
  assert.ok(e.status === 'failed' && e.failure.kind === 'infrastructure', JSON.stringify(e));
});

test('no marker within the time limit fails the attempt with a clear reason and the job id', async () => {
  const out = outdir('cmd-timeout');
  // Prints a job id like LSF, but nothing ever runs.
  const ex = new CommandExecutor(out, { ...fast, template: 'echo "Job <424242> is submitted to queue <8nh>."', timeLimitMs: 1000 });
  await ex.submit([makeChunk(out, 't_Chunk0', 'ok')]);
  const { events, ends } = await drain(ex, 1, 10_000);
  assert.ok(events.some((e) => e.type === 'submitted' && e.jobId === '424242'));
  const e = ends.get('t_Chunk0')!;
  assert.ok(e.status === 'failed' && e.failure.kind === 'infrastructure', JSON.stringify(e));
});

test('a remote template that prints no job id is left to the time limit, not judged by its process', async () => {
  const out = outdir('cmd-noid');
  const ex = new CommandExecutor(out, { ...fast, template: 'echo queued somewhere', timeLimitMs: 1500 });
  await ex.submit([makeChunk(out, 'u_Chunk0', 'ok')]);
  const t0 = Date.now();
  const { events, ends } = await drain(ex, 1, 10_000);
  assert.ok(Date.now() - t0 >= 1000, 'not failed before the time limit');
  assert.ok(events.some((e) => e.type === 'submitted' && e.jobId.startsWith('unknown:u_Chunk0:')));
  const e = ends.get('u_Chunk0')!;
  assert.ok(e.status === 'failed' && e.failure.kind === 'infrastructure', JSON.stringify(e));
});

test('a local job whose processes die without a marker fails quickly', async () => {
  const out = outdir('cmd-dead');
  const ex = new CommandExecutor(out, { ...fast, template: 'sh -c true' });
  await ex.submit([makeChunk(out, 'x_Chunk0', 'ok')]);
  const { ends } = await drain(ex, 1, 10_000);
  const e = ends.get('x_Chunk0')!;
  assert.ok(e.status === 'failed' && e.failure.kind === 'infrastructure', JSON.stringify(e));
});

test("-b 'sbatch batchScript.sh' on the real Slurm: job ids parsed, markers decide", async () => {
  if (!slurmAvailable()) return;
  const out = outdir('cmd-sbatch');
  const jobs = [makeChunk(out, 's_Chunk0', 'ok', 1, 3), makeChunk(out, 's_Chunk1', 'fail')];
  const ex = new CommandExecutor(out, { ...fast, template: 'sbatch batchScript.sh' });
  await ex.submit(jobs);
  const { events, ends } = await drain(ex, 2, 180_000);
  await ex.close();
  assert.is(ex.templateKind, 'slurm');
  for (const e of events) if (e.type === 'submitted') assert.match(e.jobId, /^\d+$/);
  assert.equal(ends.get('s_Chunk0'), { nodeId: 's_Chunk0', attempt: 1, status: 'succeeded', eventsProcessed: 3 });
  assert.is(ends.get('s_Chunk1')?.status, 'failed');
});

test('heppy cancel kills the process group of a nohup job from the journal; re-attach skips a dead one', async () => {
  const out = outdir('cmd-cancel');
  const job = makeChunk(out, 'k_Chunk0', 'sleep:30');
  const puts: JournalEntry[] = [];
  const ex = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &', journal: async (e) => void puts.push(e) });
  await ex.submit([job]);
  await ex.close();
  assert.is(puts.length, 2, 'journaled before the template ran, and with its id before submit() returned');
  assert.is(puts[0]!.jobId, '');
  assert.match(puts[0]!.jobName ?? '', /^heppy-[0-9a-f]{12}-k_Chunk0-1$/);
  const journal = [puts[1]!];
  const local = parseLocalJobId(journal[0]!.jobId)!;
  assert.ok(processAlive(-local.pgid), 'the job runs');
  // Wait until run-chunk runs: batchScript.sh has set its TERM trap by then, so the cancel below
  // always leaves the trap's failed marker. (Cancelled before bash set it, the job dies without
  // one: which of the two happened depended on the machine's load.)
  const runs = join(job.chunkDir, 'runs.txt');
  for (let i = 0; i < 300 && !existsSync(runs); i++) await new Promise((res) => setTimeout(res, 100));
  assert.is(readFileSync(runs, 'utf8'), '1 sleep:30\n', 'the fake run-chunk started once');
  // A new coordinator re-attaches to the live job.
  const again = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &' });
  assert.is((await again.adopt(journal)).length, 1);
  await again.close();
  const r = await cancelOutdirJobs(out, journal, { slurm: false });
  assert.equal(r.command, [journal[0]!.jobId]);
  for (let i = 0; i < 300 && processAlive(-local.pgid); i++) await new Promise((res) => setTimeout(res, 100));
  assert.not.ok(processAlive(-local.pgid), 'the job is gone');
  // The dead job's marker (written by the trap) is this attempt's end: adopted, and ended at once.
  const third = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &' });
  assert.is((await third.adopt(journal)).length, 1, 'a dead job with its marker is adopted');
  const ended = (await third.next()).flatMap((e) => (e.type === 'ended' ? [e.end] : []));
  await third.close();
  assert.is(ended.length, 1);
  const end = ended[0]!;
  // A local job's SIGTERM is the user's (no batch system, no time limit): interrupted, not retried (signal-end.ts).
  assert.ok(end.status === 'failed' && end.failure.kind === 'interrupted' && end.exitCode === 143, JSON.stringify(end));
  assert.match(end.failure.reason, 'killed by SIGTERM');
  // Without a marker (killed before its trap was set, or by SIGKILL), a dead job is not adopted.
  rmSync(join(job.chunkDir, 'heppy-status.json'));
  const fourth = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &' });
  assert.is((await fourth.adopt(journal)).length, 0, 'a dead job without a marker is not adopted');
  await fourth.close();
});

test('a build killed before it journaled the job id: the entry written before the template ran finds the job by its name', async () => {
  const out = outdir('cmd-unconfirmed');
  const job = makeChunk(out, 'u_Chunk0', 'sleep:30');
  const never = makeChunk(out, 'u_Chunk1', 'ok');
  const puts: JournalEntry[] = [];
  const ex = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &', journal: async (e) => void puts.push(e) });
  await ex.submit([job]);
  await ex.close();
  const pre = puts.find((e) => e.jobId === '')!;
  const id = puts.find((e) => e.jobId !== '')!.jobId;
  // Another attempt journaled, but killed before its template ran: no job output file.
  const unsent: JournalEntry = { ...pre, nodeId: never.nodeId, name: never.name, chunkDir: never.chunkDir, jobName: `${pre.jobName!.replace(/u_Chunk0-1$/, 'u_Chunk1-1')}` };
  const resolved: JournalEntry[] = [];
  const again = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &', journal: async (e) => void resolved.push(e) });
  const adopted = await again.adopt([pre, unsent]);
  await again.close();
  assert.equal(adopted.map((e) => e.nodeId), ['u_Chunk0'], 'the running job is adopted; the one never submitted is not');
  assert.equal(resolved.map((e) => e.jobId), [id], 'found by $HEPPY_JOB_NAME: the same process group, journaled');
  const r = await cancelOutdirJobs(out, resolved, { slurm: false });
  assert.equal(r.command, [id]);
  const local = parseLocalJobId(id)!;
  for (let i = 0; i < 50 && processAlive(-local.pgid); i++) await new Promise((res) => setTimeout(res, 100));
  assert.not.ok(processAlive(-local.pgid), 'the job is gone');
  const third = new CommandExecutor(out, { ...fast, template: 'nohup ./batchScript.sh &' });
  // (The killed job's trap may have left a failed marker of this attempt, which adopt() would take:
  // another key makes that marker not this entry's.)
  assert.is((await third.adopt([{ ...pre, key: 'another-key' }])).length, 0, 'no process carries its name any more, no marker: not adopted');
  await third.close();
});

test('an unconfirmed entry of a batch system\'s template: its id is read once the submission command (still carrying $HEPPY_JOB_NAME) has ended', async () => {
  const out = outdir('cmd-slow-submit');
  const job = makeChunk(out, 'w_Chunk0', 'ok');
  const jobLog = jobLogPath(out, job.name, 1);
  mkdirSync(dirname(jobLog), { recursive: true });
  writeFileSync(jobLog, '');
  const jobName = attemptJobName(out, job.name, 1);
  // Stands for the killed build's bsub, still waiting on its batch system: prints the id later.
  const slow = spawn('bash', ['-c', `sleep 1; echo 'Job <4321> is submitted to queue <1nh>.' >> ${JSON.stringify(jobLog)}`], { env: { ...process.env, HEPPY_JOB_NAME: jobName }, stdio: 'ignore' });
  const entry: JournalEntry = { nodeId: job.nodeId, attempt: 1, jobId: '', key: 'k', submittedAt: Date.now(), executor: 'command', name: job.name, chunkDir: job.chunkDir, jobName };
  const resolved: JournalEntry[] = [];
  const ex = new CommandExecutor(out, { ...fast, template: 'bsub -q 1nh', journal: async (e) => void resolved.push(e) });
  const adopted = await ex.adopt([entry]);
  await ex.close();
  slow.kill();
  assert.is(adopted.length, 1);
  assert.equal(resolved.map((e) => e.jobId), ['4321']);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test('logEnd: the last line a job printed, shortened; nothing for a silent or missing log', () => {
  const d = mkdtempSync(join(tmpdir(), 'heppy-logend-'));
  const f = join(d, 'job.out');
  writeFileSync(f, "starting\nnohup: failed to run command './batchScrpt.sh': No such file or directory\n\n");
  assert.is(logEnd(f), `; its output (${f}) ends: nohup: failed to run command './batchScrpt.sh': No such file or directory`);
  writeFileSync(f, 'x'.repeat(300));
  assert.is(logEnd(f), `; its output (${f}) ends: ${'x'.repeat(200)}…`);
  writeFileSync(f, '\n \n');
  assert.is(logEnd(f), '');
  assert.is(logEnd(join(d, 'none.out')), '');
});

test.run();
