// Attempt numbers continue across builds and `check --resubmit` (issue 7): each new attempt of a
// chunk is the last recorded attempt + 1, so markers and job logs of successive attempts never
// share a number; `heppy status --json` and `heppy check --json` show it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, type Project } from './build-rig.js';

let p: Project;
const CHUNK = 'B_Chunk1';

const dir = (): string => join(p.dir, 'Outdir', CHUNK);
const markerAttempt = (): [string, number] => {
  const m = JSON.parse(readFileSync(join(dir(), 'heppy-status.json'), 'utf8')) as { status: string; attempt: number };
  return [m.status, m.attempt];
};
const specAttempt = (): number => (JSON.parse(readFileSync(join(dir(), 'chunk.json'), 'utf8')) as { attempt: number }).attempt;

/** The attempt `heppy check --json` and `heppy status --json` show for the chunk. */
function shown(): { check: number | null; status: number | null; state: string } {
  const c = heppy(p, ['check', '--json', 'Outdir']);
  const chunk = (JSON.parse(c.stdout) as { chunks: Array<{ name: string; attempt: number | null }> }).chunks.find((x) => x.name === CHUNK)!;
  const s = heppy(p, ['status', '--json']);
  assert.is(s.code, 0, s.stderr);
  const node = (JSON.parse(s.stdout) as { nodes: Array<{ id: string; attempt: number | null; state: string }> }).nodes.find((n) => n.id === CHUNK)!;
  return { check: chunk.attempt, status: node.attempt, state: node.state };
}

test.before(async () => {
  p = await makeProject();
});

test('build → check --resubmit (fails) → build → check --resubmit -b → build: attempts 1, 2, 3, 4; logs never reused', () => {
  const b1 = build(p);
  assert.is(b1.code, 0, b1.stderr);
  assert.equal(markerAttempt(), ['ok', 1]);
  assert.equal(shown(), { check: 1, status: 1, state: 'up to date' });

  // The chunk's output is deleted and its analysis now throws: the resubmission is attempt 2 and fails.
  unlinkSync(join(dir(), 'Sum_1', 'cutflow.txt'));
  writeFileSync(join(p.dir, 'BROKEN'), '');
  const r1 = heppy(p, ['check', '--resubmit', 'Outdir']);
  assert.is(r1.code, 1, r1.stdout + r1.stderr);
  assert.equal(markerAttempt(), ['failed', 2]);
  assert.is(specAttempt(), 2);
  // Its key's result of build 1 is in the output cache: the next build restores it (status says so), the failure stays recorded.
  assert.equal(shown(), { check: 2, status: 2, state: 'to restore' });
  const failedNode = (JSON.parse(heppy(p, ['status', '--json']).stdout) as { nodes: Array<{ id: string; lastFailure?: string }> }).nodes.find((n) => n.id === CHUNK)!;
  assert.match(failedNode.lastFailure ?? '', /calibration missing/);

  // Fixed: the next build runs attempt 3 (with -b and --no-cache, not restored: its job log is logs/B_Chunk1.3.out).
  rmSync(join(p.dir, 'BROKEN'));
  const b2 = build(p, ['--no-cache', '-b', 'nohup ./batchScript.sh &', '--poll-interval', '0.2']);
  assert.is(b2.code, 0, b2.stderr + b2.stdout);
  assert.equal(b2.ran, [CHUNK, 'hadd:B']);
  assert.equal(markerAttempt(), ['ok', 3]);
  assert.is(specAttempt(), 3);
  assert.equal(shown(), { check: 3, status: 3, state: 'up to date' });

  // Output deleted again, resubmitted through -b: attempt 4, a log of its own; the next build runs nothing.
  unlinkSync(join(dir(), 'Sum_1', 'cutflow.txt'));
  const r2 = heppy(p, ['check', '--resubmit', '-b', 'nohup ./batchScript.sh &', 'Outdir']);
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  assert.equal(markerAttempt(), ['ok', 4]);
  assert.equal(build(p).ran, []);
  assert.equal(shown(), { check: 4, status: 4, state: 'up to date' });
  const logs = readdirSync(join(p.dir, 'Outdir', '.heppy', 'batch', 'logs')).filter((f) => f.startsWith(`${CHUNK}.`)).sort();
  assert.equal(logs, [`${CHUNK}.3.out`, `${CHUNK}.4.out`]);
  assert.ok(existsSync(join(p.dir, 'Outdir', 'B', 'heppy-status.json')));
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
