// Cancelling the Slurm jobs a build has in flight: by id (500 per scancel call, each id once), and
// by sbatch call name for those whose id was never learnt; nothing is tracked afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cancelInflight } from '../../../../src/exec/slurm/cancel.js';
import { slurmUser } from '../../../../src/exec/slurm/names.js';
import { ScriptedClient, scriptedContext, tracked } from './fixtures/context.js';

test('ids in calls of at most 500, each id once (array tasks share their job\'s id); names of id-less attempts by --name', async () => {
  const client = new ScriptedClient();
  const c = scriptedContext('/out', client);
  for (let i = 0; i < 1001; i++) c.tracker.add(tracked('/out', `n${i}`, String(5000 + i)));
  c.tracker.add(tracked('/out', 'twin', '5000')); // a second task of job 5000
  c.tracker.add(tracked('/out', 'lost1', '', 'heppy-0123abcd-s7'));
  c.tracker.add(tracked('/out', 'lost2', '', 'heppy-0123abcd-s7')); // the same sbatch call
  c.tracker.add(tracked('/out', 'lost3', '', 'heppy-0123abcd-s8'));
  c.tracker.add(tracked('/out', 'anon', '')); // neither id nor name: nothing to cancel it by
  await cancelInflight(c);
  const byId = client.calls.filter((x) => !x.some((a) => a.startsWith('--name=')));
  assert.equal(byId.map((x) => x.length - 1), [500, 500, 1]);
  assert.ok(byId.every((x) => x[0] === 'scancel'));
  assert.equal(byId.flatMap((x) => x.slice(1)), Array.from({ length: 1001 }, (_, i) => String(5000 + i)));
  assert.equal(client.calls.filter((x) => x.some((a) => a.startsWith('--name='))),
    [['scancel', '-u', slurmUser(), '--name=heppy-0123abcd-s7'], ['scancel', '-u', slurmUser(), '--name=heppy-0123abcd-s8']]);
  assert.is(client.stats.scancel, 5);
  assert.is(c.tracker.inflight.size, 0);
});

test('nothing in flight: no scancel at all', async () => {
  const client = new ScriptedClient();
  await cancelInflight(scriptedContext('/out', client));
  assert.equal(client.calls, []);
});

test.run();
