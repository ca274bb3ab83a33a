// `heppy status` while a build holds the Outdir (qa11): the nodes that build has not finished yet are
// "to run", and a physicist could resubmit them; status names the live holder in one line (and in
// its JSON), as `heppy check` does, and says nothing once the holder is gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/store/lock.js';
import { build, heppy, makeProject, type Project } from './build-rig.js';

let p: Project;

test.before(async () => {
  p = await makeProject();
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  p.setHeppyfile(2);   // every chunk's key changes: status lists them "to run"
});

test('a live build holds the Outdir: status names it (text and JSON), the nodes stay "to run"', () => {
  const outdir = join(p.dir, 'Outdir');
  const lock = acquireLock(outdir, 'build');
  assert.ok(lock.ok);
  try {
    const r = heppy(p, ['status']);
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const busy = lines.find((l) => l.startsWith(`${outdir}: a heppy build (pid ${process.pid} on ${hostname()}, since `));
    assert.ok(busy !== undefined, r.stdout);
    assert.ok(busy!.includes('do not resubmit them'), busy);
    assert.ok(lines.some((l) => l.startsWith('to run ')), r.stdout);
    const j = heppy(p, ['status', '--json']);
    assert.is(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { busy?: { command: string; pid: number; host: string }; nodes: Array<{ state: string }> };
    assert.equal({ command: doc.busy?.command, pid: doc.busy?.pid, host: doc.busy?.host }, { command: 'build', pid: process.pid, host: hostname() });
    assert.ok(doc.nodes.some((n) => n.state === 'to run'));
  } finally {
    if (lock.ok) lock.value.release();
  }
  const after = heppy(p, ['status', '--json']);
  assert.is(after.code, 0, after.stderr);
  assert.is((JSON.parse(after.stdout) as { busy?: unknown }).busy, undefined);
  assert.not.ok(heppy(p, ['status']).stdout.includes('a heppy build'));
});

test.run();
