// Issue 11, "kill -9 during a restore → the next build is correct", at chosen points of the restore
// rather than after a poll: strace injects SIGKILL into the build at its N-th rename or link call
// (counted per thread, as strace counts), found by tracing the same restore first. Two restores:
// an option switched back (each node's directory parked, the parked one of its key renamed into
// place) and a new Outdir (each node's files linked from the cache into a tmp dir, swapped in).
// After each kill: every node directory in place is whole (its marker ok, every listed output there
// with its size), and the next build runs nothing, restores the rest, gives byte-identical results
// and a clean `heppy check`. Skipped (a SKIP line) where strace is missing or may not trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ALL_NODES, build, HEPPY, heppy, makeProject, type Project, resultDigests } from './build-rig.js';

const ALL = ALL_NODES;
const DIRS = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'A', 'B'];
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((f) => existsSync(f));
let p: Project;
let ref: Record<string, string>;
let usable = false;

const snapshot = resultDigests;

interface Call { tid: string; n: number; line: string }

/** `heppy build` under strace: its `syscall` calls, numbered per thread as strace counts them; with `kill`, SIGKILL at the kill-th call (of whichever thread gets there first). */
function traced(args: string[], syscall: string, kill?: number): { code: number; calls: Call[]; killed: boolean } {
  const log = join(p.dir, 'strace.log');
  const inject = kill === undefined ? [] : ['-e', `inject=${syscall}:signal=KILL:when=${kill}`];
  const r = spawnSync(STRACE!, ['-f', '-o', log, '-e', `trace=${syscall}`, ...inject, process.execPath, HEPPY, 'build', '--json', '-j', '2', ...args], { cwd: p.dir, encoding: 'utf8' });
  const text = readFileSync(log, 'utf8');
  const seen = new Map<string, number>();
  const calls: Call[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\w+)\(/.exec(line);
    if (m === null || m[2] !== syscall) continue;
    const n = (seen.get(m[1]!) ?? 0) + 1;
    seen.set(m[1]!, n);
    calls.push({ tid: m[1]!, n, line: line.split(p.dir + '/').join('') });
  }
  rmSync(log, { force: true });
  return { code: r.status ?? -1, calls, killed: text.includes('killed by SIGKILL') };
}

/** Every node directory in place is whole: an ok marker, each output it lists there with its size. */
function assertWhole(outdir: string, why: string): void {
  for (const d of DIRS) {
    const dir = join(outdir, d);
    if (!existsSync(dir)) continue;
    const m = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as { status: string; outputs: Array<{ path: string; size: number }> };
    assert.is(m.status, 'ok', `${why}: ${d}`);
    for (const o of m.outputs) assert.is(statSync(join(dir, o.path), { throwIfNoEntry: false })?.size, o.size, `${why}: ${d}/${o.path}`);
  }
}

/** After a build killed at `call`: the next build runs nothing, every node restored or up to date, results as the reference. */
function assertRecovers(outdir: string, call: Call): void {
  const why = `killed at ${call.line}`;
  assertWhole(join(p.dir, outdir), why);
  const next = build(p, ['--outdir', outdir]);
  assert.is(next.code, 0, `${why}: ${next.stderr}`);
  const restored = next.events.filter((e) => e.type === 'done' && e.restored).map((e) => e.id as string);
  assert.equal(next.ran.filter((id) => !restored.includes(id)), [], `${why}: nothing runs`);
  const upToDate = next.events.filter((e) => e.type === 'up-to-date').map((e) => e.id as string);
  assert.equal([...restored, ...upToDate].sort(), ALL, why);
  assert.equal(snapshot(join(p.dir, outdir)), ref, why);
  const check = heppy(p, ['check', outdir]);
  assert.is(check.code, 0, `${why}: ${check.stdout}`);
}

/** The points to kill at: the first, middle and last few of the calls that match `pick`. */
function points(calls: Call[], pick: (c: Call) => boolean, ends: number): Call[] {
  const hits = calls.filter(pick);
  const at = new Set([...hits.slice(0, ends), hits[Math.floor(hits.length / 2)]!, ...hits.slice(-ends)]);
  return [...at];
}

test.before(async () => {
  p = await makeProject();
  if (STRACE === undefined) { console.log('SKIP: no strace; the kill points of a restore are not tested'); return; }
  const probe = spawnSync(STRACE, ['-f', '-o', '/dev/null', '-e', 'trace=rename', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) { console.log(`SKIP: strace cannot trace here (${probe.stderr.trim()})`); return; }
  usable = true;
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('an option switched back (parked directories renamed into place), killed at each node\'s park and unpark of the first, middle and last nodes, and after the last', () => {
  if (!usable) return;
  const first = build(p);
  assert.is(first.code, 0, first.stderr);
  assert.equal(first.ran, ALL);
  ref = snapshot(join(p.dir, 'Outdir'));
  assert.equal(build(p, ['-o', 'slowms=3']).ran, ALL);
  // A run's replaced directories are discarded, a restore's parked: after one more switch there and
  // back, each node has a parked directory of either key, and a switch restores by two renames.
  assert.equal(build(p).ran, ALL);
  assert.equal(build(p, ['-o', 'slowms=3']).ran, ALL);
  const plain = traced([], 'rename');
  assert.is(plain.code, 0);
  assert.ok(!plain.killed);
  const parked = plain.calls.filter((c) => c.line.includes('/.heppy/parked/'));
  assert.is(parked.length, 2 * ALL.length, parked.map((c) => c.line).join('\n')); // one park and one unpark per node
  const last = plain.calls.filter((c) => c.tid === parked[0]!.tid).pop()!;
  const at = [...points(plain.calls, (c) => c.line.includes('/.heppy/parked/'), 4), last];
  assert.ok(at.length >= 9, String(at.length));
  for (const call of at) {
    assert.equal(build(p, ['-o', 'slowms=3']).ran.length, ALL.length, 'the other configuration restored');
    const victim = traced([], 'rename', call.n);
    assert.ok(victim.killed, `killed at ${call.line}`);
    assert.is.not(victim.code, 0);
    assertRecovers('Outdir', call);
  }
});

test('a new Outdir restored by links, killed at the first, middle and last links into tmp dirs and at the first and last swaps into place', () => {
  if (!usable) return;
  rmSync(join(p.dir, 'Outdir2'), { recursive: true, force: true });
  const links = traced(['--outdir', 'Outdir2'], 'link');
  assert.is(links.code, 0);
  rmSync(join(p.dir, 'Outdir2'), { recursive: true, force: true });
  const renames = traced(['--outdir', 'Outdir2'], 'rename');
  assert.is(renames.code, 0);
  const intoTmp = links.calls.filter((c) => c.line.includes('/.heppy/tmp/'));
  assert.ok(intoTmp.length > 5 * ALL.length, `every node's files linked (${intoTmp.length})`);
  const swaps = renames.calls.filter((c) => /"Outdir2\/\.heppy\/tmp\/[^"]+", "Outdir2\/[^."]/.test(c.line));
  assert.is(swaps.length, ALL.length, swaps.map((c) => c.line).join('\n'));
  const at: Array<{ syscall: string; call: Call }> = [
    ...points(links.calls, (c) => c.line.includes('/.heppy/tmp/'), 1).map((call) => ({ syscall: 'link', call })),
    ...[swaps[0]!, swaps[swaps.length - 1]!].map((call) => ({ syscall: 'rename', call })),
  ];
  for (const { syscall, call } of at) {
    rmSync(join(p.dir, 'Outdir2'), { recursive: true, force: true });
    const victim = traced(['--outdir', 'Outdir2'], syscall, call.n);
    assert.ok(victim.killed, `killed at ${call.line}`);
    assertRecovers('Outdir2', call);
  }
});

test.run();
