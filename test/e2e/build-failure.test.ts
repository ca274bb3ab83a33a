// Acceptance: a throwing analyzer (not retried, others merged, exit 1, fixed → exactly that chunk and
// its hadd); two concurrent builds (the second refuses); kill -9 mid-run then a new build equals
// an uninterrupted build and heppy check finds nothing bad.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, buildAsync, heppy, killWhen, makeProject, writeInput, type Project } from './build-rig.js';

let p: Project;
test.before(async () => { p = await makeProject(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a throwing analyzer: run once (an analysis failure is not retried), reported with kind, analyzer, event and log, other components merged, exit 1; --retry-all retries it; fixed → that chunk + hadd', async () => {
  assert.is(build(p).code, 0);
  writeFileSync(join(p.dir, 'BROKEN'), '');
  await writeInput(join(p.dir, 'data', 'B', 'f1.root'), 26, 5000); // makes B_Chunk1 run
  await writeInput(join(p.dir, 'data', 'A', 'f0.root'), 21, 6000); // and A_Chunk0
  const r = build(p, ['--retries', '2']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(r.failed, ['B_Chunk1']);
  assert.equal(r.ran, ['A_Chunk0', 'hadd:A']);
  assert.is(r.events.filter((e) => e.type === 'retry').length, 0, 'not retried');
  // Attempt numbers continue across builds (B_Chunk1 ran once in the first build): one start, attempt 2.
  assert.equal(r.events.filter((e) => e.type === 'start' && e.id === 'B_Chunk1').map((e) => e.attempt), [2], 'ran once');
  const f = r.events.find((e) => e.type === 'failed')!;
  assert.is(f.attempts, 1);
  const failure = f.failure as { kind: string; analyzer: string; event: number; file: string };
  assert.equal({ kind: failure.kind, analyzer: failure.analyzer, event: failure.event, file: failure.file },
    { kind: 'analysis', analyzer: 'Sum_1', event: 0, file: join(p.dir, 'data', 'B', 'f1.root') });
  assert.is(f.log, join(p.dir, 'Outdir', 'B_Chunk1', 'log.txt'));
  const summary = r.events.find((e) => e.type === 'summary')!.summary as { failures: Array<{ id: string; attempts: number; failure: { kind: string } }> };
  assert.equal(summary.failures.map((x) => [x.id, x.attempts, x.failure.kind]), [['B_Chunk1', 1, 'analysis']]);
  // The marker and the store's record carry the same typed failure.
  const marker = JSON.parse(readFileSync(join(p.dir, 'Outdir', 'B_Chunk1', 'heppy-status.json'), 'utf8')) as { failure: { kind: string; analyzer: string; event: number } };
  assert.equal([marker.failure.kind, marker.failure.analyzer, marker.failure.event], ['analysis', 'Sum_1', 0]);
  const skipped = r.events.find((e) => e.type === 'skipped')!;
  assert.is(skipped.id, 'hadd:B');
  // heppy check --json reports the typed failure of the chunk.
  const check = heppy(p, ['check', '--json', 'Outdir']);
  assert.is(check.code, 1);
  const report = JSON.parse(check.stdout) as { chunks: Array<{ name: string; problems: Array<{ code: string; failure?: { kind: string; analyzer?: string } }> }> };
  const bad = report.chunks.find((c) => c.name === 'B_Chunk1')!;
  assert.equal(bad.problems.filter((x) => x.code === 'failed').map((x) => [x.failure?.kind, x.failure?.analyzer]), [['analysis', 'Sum_1']]);
  const plain = heppy(p, ['build']);
  assert.is(plain.code, 1);
  // The summary names the chunk, the kind, the analyzer, the event, its input file, the heppyfile's line and the log.
  assert.match(plain.stdout, /FAILED B_Chunk1: analysis: Sum_1: event 0 of \S+\/data\/B\/f1\.root: \S+\/heppyfile\.ts:21:\d+: calibration missing\n\s+log: .*B_Chunk1\/log\.txt/, plain.stdout);
  assert.not.match(plain.stdout, /retry/);
  const all = build(p, ['--retry-all', '--retries', '1']);
  assert.is(all.code, 1);
  const tries = all.events.filter((e) => e.type === 'start' && e.id === 'B_Chunk1').map((e) => e.attempt as number);
  assert.equal(tries, [tries[0]!, tries[0]! + 1], '--retry-all: retried');
  unlinkSync(join(p.dir, 'BROKEN'));
  const fixed = build(p);
  assert.is(fixed.code, 0, fixed.stderr);
  assert.equal(fixed.ran, ['B_Chunk1', 'hadd:B']);
});

test('two concurrent builds on one Outdir: the second refuses', async () => {
  // The first build's chunks wait for the gate file, made once the second has ended: the first holds
  // the lock however long the second takes to reach it (under load, 6-8 s from its start against the
  // 7 chunks of 150 ms the first ran meanwhile: a margin of 1.4-2 times, measured at load 24).
  const gate = join(p.dir, 'go-slow');
  const first = buildAsync(p, ['--outdir', 'Slow', '-j', '1', '-o', `gate=${gate}`]);
  const lock = join(p.dir, 'Slow', '.heppy', 'lock');
  for (let i = 0; i < 800 && !existsSync(lock); i++) await sleep(25);
  if (!existsSync(lock)) { const r = await first.done; assert.unreachable(`no lock; first build: ${r.code} ${r.stderr} ${r.stdout.slice(-500)}`); }
  const second = heppy(p, ['build', '--outdir', 'Slow', '-o', `gate=${gate}`]);
  writeFileSync(gate, '');
  assert.is(second.code, 1, second.stdout + second.stderr);
  assert.match(second.stderr, new RegExp(`another heppy build \\(pid ${first.pid} `));
  const r = await first.done;
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(existsSync(lock), 'lock released');
});

function mergedState(outdir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const comp of ['A', 'B']) {
    for (const f of ['cutflow.txt', 'x.txt', 'cutflow.json', 'x.json']) out[`${comp}/${f}`] = readFileSync(join(outdir, comp, 'Sum_1', f), 'utf8');
    out[`${comp}/processing.yaml`] = readFileSync(join(outdir, comp, 'processing.yaml'), 'utf8');
  }
  out['C/cutflow.txt'] = readFileSync(join(outdir, 'C', 'Sum_1', 'cutflow.txt'), 'utf8');
  return out;
}

test('kill -9 in the middle of a build, then a new build: outputs equal an uninterrupted build; check is clean', async () => {
  const ref = build(p, ['--outdir', 'Ref', '-o', 'slowms=100']);
  assert.is(ref.code, 0, ref.stderr);
  const victim = buildAsync(p, ['--outdir', 'Killed', '-j', '2', '-o', 'slowms=100']);
  const killedDir = join(p.dir, 'Killed');
  const doneChunks = () => existsSync(killedDir) ? readdirSync(killedDir).filter((d) => existsSync(join(killedDir, d, 'heppy-status.json'))).length : 0;
  const v = await killWhen(victim, () => doneChunks() >= 2);
  assert.is(v.code, -1, 'killed');
  assert.ok(doneChunks() < 9, `killed before the end (${doneChunks()} done)`);
  const again = build(p, ['--outdir', 'Killed', '-o', 'slowms=100']);
  assert.is(again.code, 0, again.stderr);
  assert.ok(again.ran.length < 9, `only what was missing ran: ${again.ran.join(' ')}`);
  assert.equal(mergedState(killedDir), mergedState(join(p.dir, 'Ref')));
  const check = heppy(p, ['check', 'Killed']);
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.equal(build(p, ['--outdir', 'Killed', '-o', 'slowms=100']).ran, []);
});

test.after(() => { if (p) rmSync(p.dir, { recursive: true, force: true }); });
test.run();
