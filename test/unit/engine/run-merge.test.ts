// MergeRuns: a run's merge nodes, merged in the build's process from the recorded results of the
// chunks below them, recorded with the merge key; restored from the output cache when it holds
// that key; a dependency without a successful record, or a chunk file that cannot be merged,
// fails the merge with the right kind. mergeFailure's mapping is tested in run.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { decideRetry } from '../../../src/exec/retry-policy.js';
import { mergeFailure } from '../../../src/engine/run-merge.js';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { listOutputs, readMarker, writeMarker, type HaddMarker } from '../../../src/chunkdir/marker.js';
import { resultDigest, statOutputs } from '../../../src/chunkdir/results.js';
import { MergeRuns } from '../../../src/engine/run-merge.js';
import { initHash } from '../../../src/fingerprint/hash.js';
import { CHUNKS, KEYS, ranChunk, rig, specOf, tmpOutdir, type Rig } from './run-rig.js';

const made: string[] = [];
test.before(async () => { await initHash(); });

function start(cache: OutputCache | null = null): Rig & { m: MergeRuns } {
  const r = rig('run-merge', cache);
  made.push(r.outdir);
  return { ...r, m: new MergeRuns(r.s, r.outdir, '0.1.0', 'local', 1) };
}

/** Both chunks run and recorded as confirm() records them. */
function chunksDone(r: Rig, extra: (dir: string, i: number) => void = () => undefined): void {
  CHUNKS.forEach((id, i) => {
    const dir = join(r.outdir, id);
    ranChunk(dir, specOf(r.outdir, id), `chunk: ${id}\n`, 100 + i);
    extra(dir, i);
    const m = readMarker(dir);
    if (m.ok && m.value?.kind === 'chunk') writeMarker(dir, { ...m.value, outputs: listOutputs(dir) });
    const outs = statOutputs(dir, listOutputs(dir));
    assert.ok(outs.ok);
    if (!outs.ok) return;
    r.s.record({ nodeId: id, kind: 'chunk', status: 'ok', key: KEYS[id]!, keyParts: { parts: {}, files: {} }, resultDigest: resultDigest(KEYS[id]!, outs.value),
      outputs: outs.value, attempts: 1, eventsProcessed: 100 + i, finishedAt: Date.now(), durationMs: 1 });
  });
}

test('a merge of two recorded chunks: the merged directory, its hadd marker naming the chunks, the record with the merge key; a changed chunk result changes the key', async () => {
  const r = start();
  chunksDone(r);
  r.m.chunksToRun(0);
  const done = await r.m.run('hadd:X');
  assert.equal(done, { ok: true, value: { eventsProcessed: 0 } });
  const dir = join(r.outdir, 'X');
  assert.is(readFileSync(join(dir, 'result.yaml'), 'utf8'), 'chunk: X_Chunk0\n', 'a text result: the first chunk\'s');
  const marker = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as HaddMarker;
  await r.store.flush();
  const rec = r.store.getTask('hadd:X')!;
  assert.equal([marker.kind, marker.chunks, marker.key], ['hadd', ['X_Chunk0', 'X_Chunk1'], rec.key]);
  assert.equal([rec.kind, rec.status, rec.attempts, rec.key.length, rec.outputs.map((o) => o.path)], ['hadd', 'ok', 1, 16, ['processing.yaml', 'result.yaml', 'heppy-status.json']]);
  assert.is(readFileSync(join(dir, 'processing.yaml'), 'utf8'), 'processing:\n  nfiles: 2\n  ngoodfiles: 2\n');
  assert.ok(r.s.mergeCpuMs.get('hadd:X')! >= 0, 'the CPU of the merge noted');
  // A chunk's result changed (its record's digest): the merge key changes, the merge runs again.
  r.s.record({ ...r.s.recordOf('X_Chunk1')!, resultDigest: 'another result' });
  assert.ok((await r.m.run('hadd:X')).ok);
  await r.store.flush();
  assert.not.equal(r.store.getTask('hadd:X')!.key, rec.key);
  r.m.close();
});

test('a dependency without a successful record fails the merge as infrastructure, naming it; nothing recorded', async () => {
  const r = start();
  const done = await r.m.run('hadd:X');
  assert.equal(done, { ok: false, error: { kind: 'infrastructure', reason: 'hadd:X: chunk X_Chunk0 has no successful record' } });
  await r.store.flush();
  assert.is(r.store.getTask('hadd:X'), undefined);
});

test('a chunk file that is not a ROOT file fails the merge as an input failure naming the file; the failure is recorded', async () => {
  const r = start();
  chunksDone(r, (dir, i) => writeFileSync(join(dir, 'tree.root'), i === 1 ? 'not a ROOT file at all, but long enough to be read as one' : ''));
  const done = await r.m.run('hadd:X');
  assert.ok(!done.ok && done.error.kind === 'input', JSON.stringify(done));
  if (done.ok || done.error.kind !== 'input') return;
  assert.match(done.error.file, /X_Chunk[01]\/tree\.root$/);
  await r.store.flush();
  const rec = r.store.getTask('hadd:X')!;
  assert.equal([rec.status, rec.failure?.kind, rec.outputs.length], ['failed', 'input', 0]);
  r.m.close();
});

test('a merge whose key the output cache holds is restored, not merged again: recorded with restoredFrom, noted for its done event', async () => {
  const base = tmpOutdir('run-merge-cache');
  made.push(base);
  const cache = OutputCache.open(join(base, 'cache'));
  const first = start(cache);
  chunksDone(first);
  assert.ok((await first.m.run('hadd:X')).ok);
  await first.store.flush();
  const key = first.store.getTask('hadd:X')!.key;
  assert.ok(cache.entry(key) !== null, 'the merge was kept');
  first.m.close();
  // The same chunk results in a second Outdir whose merged directory was removed.
  const second = start(cache);
  chunksDone(second);
  // The chunk records must match the first run's for the key to: copy them over.
  for (const id of CHUNKS) second.s.record({ ...first.store.getTask(id)!, nodeId: id });
  assert.ok((await second.m.run('hadd:X')).ok);
  await second.store.flush();
  const rec = second.store.getTask('hadd:X')!;
  assert.equal([rec.key, typeof rec.restoredFrom, second.s.restoredAt.has('hadd:X')], [key, 'string', true]);
  assert.is(readFileSync(join(second.outdir, 'X', 'result.yaml'), 'utf8'), 'chunk: X_Chunk0\n');
  assert.not.ok(second.s.mergeCpuMs.has('hadd:X'), 'nothing merged');
  second.m.close();
});

test('slots: at least one merge at a time', () => {
  const r = rig('run-merge');
  made.push(r.outdir);
  assert.is(new MergeRuns(r.s, r.outdir, '0.1.0', 'local', undefined).slots, 1);
  assert.is(new MergeRuns(r.s, r.outdir, '0.1.0', 'local', 0).slots, 1);
  assert.is(new MergeRuns(r.s, r.outdir, '0.1.0', 'slurm', 3).slots, 3);
});

test.after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
test('a merge that meets a full disk (a real tmpfs) fails as resource/disk, as a chunk does, and is not retried', async () => {
  const r = start();
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', r.outdir], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.log(`SKIP: full disk: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
    return;
  }
  try {
    chunksDone(r);
    // Fill what is left of the disk: the merge's first write then fails with ENOSPC.
    let filled = 0;
    try {
      for (;;) { writeFileSync(join(r.outdir, `fill${filled}`), Buffer.alloc(4096, 1)); filled++; }
    } catch (err) {
      assert.is((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    r.m.chunksToRun(0);
    const done = await r.m.run('hadd:X');
    assert.not.ok(done.ok);
    if (done.ok) return;
    assert.equal({ kind: done.error.kind, resource: done.error.kind === 'resource' ? done.error.resource : null }, { kind: 'resource', resource: 'disk' }, done.error.reason);
    assert.match(done.error.reason, new RegExp(`^${join(r.outdir, 'X')}: X: merge failed: ENOSPC`));
    assert.equal(decideRetry(done.error, 1, { retries: 3, retryAll: false, backoffBaseMs: 0, backoffMaxMs: 0 }), { retry: false, why: 'no-more-resources' });
    await r.store.flush();
    const rec = r.store.getTask('hadd:X')!;
    assert.equal([rec.status, rec.failure?.kind], ['failed', 'resource']);
    assert.not.ok(existsSync(join(r.outdir, 'X')), 'no merged directory');
    const tmp = join(r.outdir, '.heppy', 'tmp');
    assert.equal(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no tmp dir of the merge is left');
  } finally {
    spawnSync('umount', [r.outdir]);
  }
});

test('mergeFailure: the errno a merge carries (across its thread) classes it; ENOSPC and EDQUOT are resource/disk', () => {
  for (const errno of ['ENOSPC', 'EDQUOT']) {
    assert.equal(mergeFailure({ file: '/o/X', object: 'X', reason: `merge failed: ${errno}: write`, errno }, '/o/X'),
      { kind: 'resource', resource: 'disk', reason: `/o/X: X: merge failed: ${errno}: write` });
  }
  assert.is(mergeFailure({ file: '/o/X_Chunk1/t.root', reason: 'ENOENT: missing', errno: 'ENOENT' }, '/o/X').kind, 'input', 'another errno keeps its default');
  assert.is(structuredClone({ file: '/o/X', reason: 'r', errno: 'ENOSPC' }).errno, 'ENOSPC');
});

test.run();
