// Ctrl-C during a build: the summary says the nodes not run were interrupted (nothing failed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { build, HEPPY, makeProject, type Project } from './build-rig.js';

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

test('SIGINT while restoring from the output cache (qa9): the summary says interrupted, the rest is not restored or not run; exit 130; the next build restores the rest', async () => {
  // The first test's build left its own key's chunks; a finished build of another minX, then back: all 9 to restore.
  assert.is(build(p).code, 0);
  p.setHeppyfile(150);
  assert.is(build(p).code, 0);
  p.setHeppyfile(50);
  const child = spawn(process.execPath, [HEPPY, 'build', '--json', '-j', '1'], { cwd: p.dir });
  let out = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    out += String(d);
    if (!sent && out.includes('"restored"')) { sent = true; child.kill('SIGINT'); }
  });
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  assert.is(code, 130, out);
  const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; summary?: Record<string, unknown> });
  const s = events.find((e) => e.type === 'summary')!.summary as { failed: number; skipped: number; restored?: number; interrupted?: boolean; notRun: Record<string, number> };
  assert.is(s.interrupted, true, JSON.stringify(s));
  assert.is(s.failed, 0);
  assert.equal(s.notRun, { failed: 0, interrupted: s.skipped, detached: 0 });
  assert.ok((s.restored ?? 0) >= 1 && (s.restored ?? 0) + s.skipped === 9, JSON.stringify(s));
  // The plain summary line of such a build says it too (the same summary, formatted).
  const { formatSummary } = await import('../../src/report/summary.js');
  assert.match(formatSummary(s as unknown as Parameters<typeof formatSummary>[0]), /interrupted/);
  const next = build(p);
  assert.is(next.code, 0, next.stderr);
  assert.not.match(next.stdout + next.stderr, /FAILED|damaged/);
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
