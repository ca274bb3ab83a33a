// The executor's squeue/sacct queries stay startable however many sbatch calls a build made: a
// scripted client that filters by --name as Slurm does, with 5,000 in-flight names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SlurmClient, type CommandOutput, type SlurmCommand } from '../../../../src/exec/slurm/client.js';
import { NAME_ARG_MAX, SlurmQueries } from '../../../../src/exec/slurm/queries.js';
import { attemptJobName } from '../../../../src/exec/batch/job-name.js';
import type { Tracked } from '../../../../src/exec/batch/tracker.js';
import { ok, type Result } from '../../../../src/util/result.js';

const outdir = '/tmp/heppy-queries-test/out';

/** The "cluster": job id → name; squeue/sacct answer with those matching --name when given. */
class FilteringClient extends SlurmClient {
  readonly calls: string[][] = [];
  constructor(private readonly jobs: Map<string, string>) {
    super();
  }
  override async run(cmd: SlurmCommand, args: string[]): Promise<Result<CommandOutput>> {
    this.calls.push([cmd, ...args]);
    const nameArg = args.find((a) => a.startsWith('--name='));
    const only = nameArg === undefined ? null : new Set(nameArg.slice('--name='.length).split(','));
    const lines: string[] = [];
    for (const [id, name] of this.jobs) {
      if (only !== null && !only.has(name)) continue;
      lines.push(cmd === 'squeue' ? `${id}|RUNNING|None|${name}` : `${id}|COMPLETED|0:0|None|1G|UNLIMITED|${name}`);
    }
    return ok({ stdout: lines.map((l) => `${l}\n`).join(''), stderr: '', exitCode: 0 });
  }
}

function tracked(n: number, withId: boolean): Tracked[] {
  return Array.from({ length: n }, (_, i) => ({
    job: {} as Tracked['job'], key: 'k', jobId: withId ? String(1000 + i) : '', jobName: attemptJobName(outdir, `d_Chunk${i}`, 1),
    jobLog: '', submittedAt: Date.now(), started: false,
  }));
}

/** Jobs 1000+i named after attempts 0, 7 and 4999; one of this Outdir not in flight; one of another Outdir. */
function cluster(): Map<string, string> {
  return new Map([
    ['1000_0', attemptJobName(outdir, 'd_Chunk0', 1)],
    ['1007_0', attemptJobName(outdir, 'd_Chunk7', 1)],
    ['5999_0', attemptJobName(outdir, 'd_Chunk4999', 1)],
    ['9000_0', attemptJobName(outdir, 'd_Chunk0', 2)],
    ['9001_0', attemptJobName('/tmp/heppy-queries-test/other', 'd_Chunk7', 1)],
  ]);
}

const longest = (calls: string[][]): number => Math.max(...calls.flat().map((a) => Buffer.byteLength(a)));

test('squeue with 5,000 names: no argument beyond the bound, the same jobs found as with --name', async () => {
  const many = new FilteringClient(cluster());
  const found = await new SlurmQueries(many, outdir).squeue(tracked(5000, true));
  assert.ok(longest(many.calls) <= NAME_ARG_MAX, `longest argument ${longest(many.calls)} bytes`);
  assert.not.ok(many.calls[0]!.some((a) => a.startsWith('--name=')), many.calls[0]!.slice(0, 8).join(' '));
  assert.ok(many.calls[0]!.includes('-u'));
  assert.equal([...found!.keys()].sort(), ['1000_0', '1007_0', '5999_0']);

  // A few names: asked with --name, same answer.
  const few = new FilteringClient(cluster());
  const ts = tracked(5000, true);
  const small = await new SlurmQueries(few, outdir).squeue([ts[0]!, ts[7]!, ts[4999]!]);
  assert.ok(few.calls[0]!.some((a) => a.startsWith('--name=')));
  assert.equal([...small!.keys()].sort(), ['1000_0', '1007_0', '5999_0']);
});

test('sacct by name (no job ids known) with 5,000 names: bounded arguments, same jobs found', async () => {
  const client = new FilteringClient(cluster());
  const found = await new SlurmQueries(client, outdir).sacct(tracked(5000, false));
  assert.is(client.calls.length, 1);
  assert.ok(longest(client.calls) <= NAME_ARG_MAX, `longest argument ${longest(client.calls)} bytes`);
  assert.ok(client.calls[0]!.includes('-S') && client.calls[0]!.includes('-u'));
  assert.equal([...found!.keys()].sort(), ['1000_0', '1007_0', '5999_0']);
});

test('sacct by job id with 8,000 ids (40 KB): no -j list beyond the bound, the same jobs found', async () => {
  const client = new FilteringClient(cluster());
  const found = await new SlurmQueries(client, outdir).sacct(tracked(8000, true));
  assert.is(client.calls.length, 1);
  assert.ok(longest(client.calls) <= NAME_ARG_MAX, `longest argument ${longest(client.calls)} bytes`);
  assert.not.ok(client.calls[0]!.includes('-j'), client.calls[0]!.slice(0, 8).join(' '));
  assert.ok(client.calls[0]!.includes('-S') && client.calls[0]!.includes('-u'));
  // 9000_0 is this Outdir's but not in flight, 9001_0 another Outdir's: both left out.
  assert.equal([...found!.keys()].sort(), ['1000_0', '1007_0', '5999_0']);

  // A few ids: asked with -j, as before.
  const few = new FilteringClient(cluster());
  const ts = tracked(5000, true);
  await new SlurmQueries(few, outdir).sacct([ts[0]!, ts[7]!]);
  assert.equal(few.calls[0]!.slice(few.calls[0]!.indexOf('-j'), few.calls[0]!.indexOf('-j') + 2), ['-j', '1000,1007']);
});

test.run();
