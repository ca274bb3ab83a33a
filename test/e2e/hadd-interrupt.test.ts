// Ctrl-C (SIGINT) or SIGTERM during `heppy hadd` over hand-made chunk directories (qa9): the merge
// stops at its next file or component, the merge in progress leaves nothing (its tmp dir removed),
// the components merged before stay complete, one line says so, and the exit is 130 / 143. The
// same hadd run again merges everything.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build, heppy, HEPPY, makeProject, type Project } from './build-rig.js';

let p: Project;
const at = (...parts: string[]): string => join(p.dir, ...parts);
// Many small components: the signal comes while the first is merged, long before the last.
const NCOMP = 30;
const comps = Array.from({ length: NCOMP }, (_, i) => `K${String(i).padStart(2, '0')}`);
const dirs = comps.flatMap((c) => [1, 2, 3].map((i) => join('Copies', `${c}_Chunk${i}`)));

test.before(async () => {
  p = await makeProject();
  const b = build(p);
  assert.is(b.code, 0, b.stderr);
  // The original heppy_loop's layout (no marker, no chunk.json): the component is the name's.
  // (A_Chunk0 is left out: it has no Sum_1/x.json, and without a marker that is not known to be right.)
  for (const d of dirs) {
    cpSync(at('Outdir', `A_Chunk${d.slice(-1)}`), at(d), { recursive: true, preserveTimestamps: true });
    for (const f of ['heppy-status.json', 'chunk.json', 'batchScript.sh']) rmSync(at(d, f));
  }
});

/** Runs `heppy hadd --dest <dest> <dirs>` and sends `sig` when the first component's merge starts. */
async function interrupted(dest: string, sig: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [HEPPY, 'hadd', '--dest', dest, ...dirs], { cwd: p.dir });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += String(d);
    if (!sent && stderr.includes('merging K00')) { sent = true; child.kill(sig); }
  });
  child.stdout.resume();
  return new Promise((res) => child.on('close', (code, signal) => res({ code, signal, stderr })));
}

function assertStoppedCleanly(dest: string, r: { code: number | null; signal: NodeJS.Signals | null; stderr: string }, code: number): void {
  assert.is(r.code, code, `${r.signal ?? ''} ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('merging '));
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^heppy: interrupted; merged .*not merged: .*K29.*Run the same heppy hadd again to merge the rest$/);
  // Nothing half-written: no tmp dir left, and each component directory there is a complete merge.
  const tmp = at(dest, '.heppy', 'tmp');
  assert.equal(statSync(tmp, { throwIfNoEntry: false }) ? readdirSync(tmp) : [], []);
  const made = readdirSync(at(dest)).filter((n) => n !== '.heppy');
  assert.ok(made.length < NCOMP, made.join(' '));
  for (const c of made) {
    const chk = heppy(p, ['check', join(dest, c)]);
    assert.is(chk.code, 0, `${c}: ${chk.stdout}`);
  }
}

test('SIGINT: stops between files/components, nothing half-written, one line, exit 130; run again: everything merged', async () => {
  const r = await interrupted('MergedInt', 'SIGINT');
  assertStoppedCleanly('MergedInt', r, 130);
  const again = heppy(p, ['hadd', '--dest', 'MergedInt', ...dirs]);
  assert.is(again.code, 0, again.stderr);
  assert.equal(readdirSync(at('MergedInt')).filter((n) => n !== '.heppy').sort(), comps);
});

test('SIGTERM: the same, exit 143', async () => {
  const r = await interrupted('MergedTerm', 'SIGTERM');
  assertStoppedCleanly('MergedTerm', r, 143);
});

test.after(() => {
  if (p) rmSync(p.dir, { recursive: true, force: true });
});
test.run();
