// What status, why, build --dry-run and the build's header promise is what the build then does with
// the output cache: after an option is switched back, the merges are restored too (their keys are
// predicted from their inputs' cached results, through a merge tree), a merge above a chunk that
// must run is "to run", and a tampered entry is "would run" (verified as the restore verifies it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, type BuildRun, type Project } from './build-rig.js';

const FAN = ['--merge-fan-in', '2'];
const ALL = ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'hadd:A', 'hadd:A/L1-0', 'hadd:A/L1-1', 'hadd:B'];
let p: Project;

type StatusNode = { id: string; kind: string; state: string; key: string | null; why: string[] };
const status = (): StatusNode[] => (JSON.parse(heppy(p, ['status', '--json', ...FAN]).stdout) as { nodes: StatusNode[] }).nodes;
const inState = (nodes: StatusNode[], state: string): string[] => nodes.filter((n) => n.state === state).map((n) => n.id).sort();
const restoredIds = (r: BuildRun): string[] => r.events.filter((e) => e.type === 'done' && e.restored).map((e) => e.id as string).sort();
const ranIds = (r: BuildRun): string[] => r.ran.filter((id) => !restoredIds(r).includes(id)).sort();

test.before(async () => {
  p = await makeProject();
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

test('an option switched back: status, why, --dry-run and the header say every merge is restored, and the build restores it', () => {
  assert.is(build(p, FAN).code, 0);
  assert.is(build(p, [...FAN, '-o', 'slowms=1']).code, 0);
  const nodes = status();
  assert.equal(inState(nodes, 'to restore'), ALL);
  const text = heppy(p, ['status', ...FAN]).stdout;
  assert.match(text, /\n  A +0\/4 chunks up to date, 4 to restore from cache, merge to restore from cache\n/);
  const why = heppy(p, ['why', 'hadd:A', ...FAN]);
  assert.is(why.code, 0);
  assert.match(why.stdout, /^hadd:A would be restored from cache \(built at \d{4}-[^,]+, key [0-9a-f]{16}\), not run:\n  merge changed: hadd:A\/L1-0\n  merge changed: hadd:A\/L1-1\n$/);
  const dry = heppy(p, ['build', '--dry-run', ...FAN]);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^heppy: 11 nodes, 0 to run, 11 to restore from cache, 0 up to date$/m);
  assert.is(dry.stdout.split('\n').filter((l) => l.startsWith('would restore ')).length, 11);
  assert.match(dry.stdout, /^would restore hadd:B from cache \(built at [^)]+\): chunk changed: B_Chunk0; chunk changed: B_Chunk1$/m);
  const back = build(p, FAN);
  assert.is(back.code, 0, back.stderr);
  const plan = back.events.find((e) => e.type === 'plan')!;
  assert.is(plan.toRestore, 11);
  assert.equal(restoredIds(back), inState(nodes, 'to restore'), 'status named exactly what the build restored');
  assert.equal(ranIds(back), []);
  // The keys status predicted are the keys the build recorded.
  const after = status();
  for (const n of nodes) assert.is(after.find((x) => x.id === n.id)!.key, n.key, n.id);
});

test('a chunk that must run: the merges above it are to run, the others restored, as the build does', () => {
  assert.is(build(p, [...FAN, '-o', 'slowms=1']).code, 0);
  const before = status();
  const key = before.find((n) => n.id === 'A_Chunk3')!.key!;
  // Its entry removed (format 2: <kk>/<key>.json; an entry directory of format 1: <kk>/<key>).
  for (const e of [key, `${key}.json`]) rmSync(join(p.dir, 'cache', 'outputs', key.slice(0, 2), e), { recursive: true, force: true });
  const nodes = status();
  assert.equal(inState(nodes, 'to run'), ['A_Chunk3', 'hadd:A', 'hadd:A/L1-1']);
  assert.equal(inState(nodes, 'to restore'), ALL.filter((id) => !['A_Chunk3', 'hadd:A', 'hadd:A/L1-1'].includes(id)));
  assert.match(heppy(p, ['why', 'hadd:A', ...FAN]).stdout, /^hadd:A would run:\n  1 merge to run \(1 restored from cache first\)\n$/);
  assert.match(heppy(p, ['why', 'hadd:A/L1-1', ...FAN]).stdout, /^hadd:A\/L1-1 would run:\n  1 chunk to run \(1 restored from cache first\)\n$/);
  const dry = heppy(p, ['build', '--dry-run', ...FAN]).stdout;
  assert.match(dry, /^heppy: 11 nodes, 3 to run, 8 to restore from cache, 0 up to date$/m);
  const back = build(p, FAN);
  assert.is(back.code, 0, back.stderr);
  assert.equal(ranIds(back), ['A_Chunk3', 'hadd:A', 'hadd:A/L1-1']);
  assert.equal(restoredIds(back), inState(nodes, 'to restore'));
});

test('a tampered cache entry: why and status say it would run (verified as the restore does), and the build runs it', () => {
  assert.is(build(p, FAN).code, 0);
  const cut = join(p.dir, 'Outdir', 'B_Chunk1', 'Sum_1', 'cutflow.txt');
  const text = readFileSync(cut, 'utf8');
  writeFileSync(cut, text.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10))); // the entry is a hard link of it
  assert.is(statSync(cut).size, text.length);
  assert.is(build(p, [...FAN, '-o', 'slowms=3']).code, 0);
  const why = heppy(p, ['why', 'B_Chunk1', ...FAN]);
  assert.is(why.code, 0, why.stderr);
  assert.match(why.stdout, /^B_Chunk1 would run: cache entry damaged: \S+\/cache\/\S+: cache entry damaged \(its content changed\); the build removes it\n  options changed\n$/);
  const nodes = status();
  assert.equal(inState(nodes, 'to run'), ['B_Chunk1', 'hadd:B']);
  assert.match(nodes.find((n) => n.id === 'B_Chunk1')!.why.join('\n'), /its cache entry is damaged \(\S+: cache entry damaged \(its content changed\)\)/);
  const back = build(p, FAN);
  assert.is(back.code, 0, back.stderr);
  assert.equal(ranIds(back), ['B_Chunk1', 'hadd:B']);
  assert.equal(restoredIds(back), inState(nodes, 'to restore'));
  // The build's header verified the entries too: the damaged one counted to run, not to restore.
  const plan = back.events.find((e) => e.type === 'plan') as { toRun: number; toRestore?: number } | undefined;
  assert.equal([(plan?.toRun ?? 0) - (plan?.toRestore ?? 0), plan?.toRestore], [2, inState(nodes, 'to restore').length], JSON.stringify(plan));
});

test('a merge whose record has the key its restored chunks give but no cache entry: "restored first; no cache entry", then merged', () => {
  const out = join(p.dir, 'Outdir');
  assert.is(build(p, FAN).code, 0);
  const key = (JSON.parse(readFileSync(join(out, 'B', 'heppy-status.json'), 'utf8')) as { key: string }).key;
  rmSync(join(p.dir, 'cache', 'outputs', key.slice(0, 2), `${key}.json`));   // hadd:B's entry gone (evicted)
  rmSync(join(out, 'B_Chunk0'), { recursive: true });                        // its chunk: restored from the cache
  const nodes = status();
  const hb = nodes.find((n) => n.id === 'hadd:B')!;
  assert.equal([hb.state, hb.why], ['to run', ['1 chunk restored from cache first; no cache entry of its key']], JSON.stringify(hb));
  assert.is(nodes.find((n) => n.id === 'B_Chunk0')!.state, 'to restore');
  const back = build(p, FAN);
  assert.is(back.code, 0, back.stderr);
  assert.equal([restoredIds(back), ranIds(back)], [['B_Chunk0'], ['hadd:B']]);
});

test.run();
