// The store commits finished chunks' records in batches (src/store/write-batch.ts), not one
// fdatasync per chunk. A build killed -9 after chunks finished but before their batch was committed
// loses only records: the next build adopts those chunks from their markers (runs none of them),
// and the outputs equal an uninterrupted build's. Its local workers, busy with a chunk when it dies,
// end without swapping that chunk into place (src/exec/local/worker.ts): the next build removes no
// tmp dir still being written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, buildAsync, heppy, killWhen, makeProject, type Project } from './build-rig.js';
import { Store } from '../../src/store/store.js';

let p: Project;
test.before(async () => { p = await makeProject(); });


/** Chunk directories with an ok marker, by name. */
function finished(outdir: string): string[] {
  if (!existsSync(outdir)) return [];
  return readdirSync(outdir).filter((d) => {
    try {
      return (JSON.parse(readFileSync(join(outdir, d, 'heppy-status.json'), 'utf8')) as { status: string }).status === 'ok';
    } catch {
      return false;
    }
  }).sort();
}

/** Pids of the child processes of `pid` (from /proc: Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function merged(outdir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const comp of ['A', 'B', 'C']) for (const f of ['cutflow.txt', 'cutflow.json']) out[`${comp}/${f}`] = readFileSync(join(outdir, comp, 'Sum_1', f), 'utf8');
  return out;
}

test('kill -9 after chunks finished, before their records were committed: the next build adopts them (runs none) and the outputs are equal', async () => {
  const ref = build(p, ['--outdir', 'Ref', '--no-cache']);
  assert.is(ref.code, 0, ref.stderr);
  const killedDir = join(p.dir, 'Killed');
  // No batch is committed during this build (the batch wait is 10 min): a kill loses every record.
  process.env.HEPPY_STORE_BATCH_MS = '600000';
  const victim = buildAsync(p, ['--outdir', 'Killed', '--no-cache', '-j', '2', '-o', 'slowms=400']);
  delete process.env.HEPPY_STORE_BATCH_MS;
  let workers: number[] = [];
  const v = await killWhen(victim, () => {
    if (finished(killedDir).length < 3) return false;
    workers = childrenOf(victim.pid);
    return true;
  });
  assert.is(v.code, -1, 'killed');
  const done = finished(killedDir);
  assert.ok(workers.length > 0, 'the build had local workers');
  // Each is at most one slowms (400 ms, blocking) from its next check of its build.
  for (let i = 0; i < 1500 && workers.some(alive); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(workers.filter(alive), [], 'the killed build\'s workers ended within 15 s');
  assert.equal(finished(killedDir), done, 'no worker swapped a chunk into place after its build died');
  assert.ok(done.length >= 3 && done.length < 7, `killed after some chunks, before the last (${done.join(' ')})`);
  const store = Store.open(join(p.dir, 'cache'), killedDir);
  const recorded = [...store.allTasks().keys()];
  await store.close();
  assert.equal(recorded, [], 'no record of the finished chunks was committed');

  const again = build(p, ['--outdir', 'Killed', '--no-cache', '-o', 'slowms=400']);
  assert.is(again.code, 0, again.stderr);
  assert.equal(again.ran.filter((id) => done.includes(id)), [], `the finished chunks did not run again (ran: ${again.ran.join(' ')})`);
  const upToDate = again.events.filter((e) => e.type === 'up-to-date').map((e) => e.id as string).sort();
  assert.equal(upToDate.filter((id) => done.includes(id)), done, 'adopted from their markers');
  assert.equal(merged(killedDir), merged(join(p.dir, 'Ref')));
  const check = heppy(p, ['check', 'Killed']);
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.equal(build(p, ['--outdir', 'Killed', '--no-cache', '-o', 'slowms=400']).ran, [], 'then up to date');
});

test.after(() => { if (p) rmSync(p.dir, { recursive: true, force: true }); });
test.run();
