// Ctrl-C during a build: the summary says the nodes not run were interrupted (nothing failed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { HEPPY, makeProject, type Project } from './build-rig.js';

let p: Project;
test.before(async () => { p = await makeProject(); });

test('SIGINT: summary counts the rest as not run (interrupted), none failed; exit 130', async () => {
  const child = spawn(process.execPath, [HEPPY, 'build', '--json', '-j', '1', '-o', 'slowms=1500'], { cwd: p.dir });
  let out = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    out += String(d);
    // Interrupt once the first chunk has started.
    if (!sent && out.includes('"type":"start"')) { sent = true; child.kill('SIGINT'); }
  });
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  assert.is(code, 130);
  const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; summary?: Record<string, unknown> });
  const s = events.find((e) => e.type === 'summary')!.summary as { run: number; failed: number; skipped: number; adopted: number; notRun: Record<string, number> };
  assert.is(s.failed, 0);
  assert.is(s.adopted, 0);
  assert.ok(s.skipped >= 8, `skipped ${s.skipped}`); // 7 chunks + 2 merges, at most one chunk finished
  assert.equal(s.notRun, { failed: 0, interrupted: s.skipped, detached: 0 });
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
