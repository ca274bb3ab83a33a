// engine/predict-merge.ts over a real output cache: a chunk to restore gets exactly the result digest
// its restore records (the entry's files, linked, keep their sizes and mtimes), a merge over
// restored chunks is "run" when the cache lacks its predicted key and "restore" when it holds it, a
// damaged entry is reported when verifying, and a merge above a chunk that runs waits for it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { resultDigest, statOutputs } from '../../../src/chunkdir/results.js';
import { readMarker, writeMarker } from '../../../src/chunkdir/marker.js';
import { countFates, predictPlan, restoredResult, type PredictInputs } from '../../../src/engine/predict-merge.js';
import { keepInCache } from '../../../src/engine/restore.js';
import { haddKey } from '../../../src/graph/keys.js';
import { CHUNKS, KEYS, planX, ranChunk, specOf, tmpOutdir } from './run-rig.js';

const VERSION = 'test-version';
const base = tmpOutdir('predict');
const outdir = join(base, 'Outdir');
const cache = OutputCache.open(join(base, 'cache'));
test.after(() => rmSync(base, { recursive: true, force: true }));

const inputs = (over: Partial<PredictInputs> = {}): PredictInputs => ({ plan: planX(outdir), cache, heppyVersion: VERSION, verify: true,
  resultOf: () => undefined, recordOf: () => undefined, partsOf: () => undefined, ...over });

test('chunks to restore: the result digest of their restore; the merge of them is run, then restored once its key is cached', async () => {
  const real: string[] = [];
  for (const name of CHUNKS) {
    const dir = join(outdir, name);
    ranChunk(dir, specOf(outdir, name), `${name}\n`);
    const kept = await keepInCache(cache, name, 'chunk', dir, KEYS[name]!);
    assert.ok(kept.ok);
    const outs = statOutputs(dir, readMarker(dir).ok ? (readMarker(dir) as { value: { outputs: Array<{ path: string }> } }).value.outputs : []);
    assert.ok(outs.ok);
    if (outs.ok) real.push(resultDigest(KEYS[name]!, outs.value));
    const e = cache.entry(KEYS[name]!)!;
    assert.is(restoredResult(e, KEYS[name]!, e.files.map((f) => ({ size: f.size, mtimeNs: f.mtimeNs! }))), real.at(-1));
  }
  let fates = await predictPlan(inputs());
  assert.equal(fates.get('X_Chunk0')?.kind, 'restore');
  assert.equal(fates.get('hadd:X'), { kind: 'run', why: ['never merged'] });
  assert.equal(countFates(fates), { upToDate: 0, restore: 2, run: 1 });
  // The merge kept under the key the prediction computes: restored.
  const key = haddKey(VERSION, 'X', [...CHUNKS], (i) => real[i]!);
  const mdir = join(outdir, 'X');
  mkdirSync(mdir, { recursive: true });
  writeFileSync(join(mdir, 'merged.yaml'), 'both\n');
  writeMarker(mdir, { kind: 'hadd', status: 'ok', key, component: 'X', chunks: [...CHUNKS], sources: null, chunksDir: null, outputs: [{ path: 'merged.yaml', size: 5 }] } as never);
  assert.ok((await keepInCache(cache, 'hadd:X', 'hadd', mdir, key)).ok);
  fates = await predictPlan(inputs());
  assert.equal(fates.get('hadd:X')?.kind, 'restore');
  assert.equal(countFates(fates), { upToDate: 0, restore: 3, run: 0 });
  // A build's header (explain: false): the same fates and counts, no reasons, no record or key parts read.
  let asked = 0;
  const quiet = await predictPlan(inputs({ explain: false, recordOf: () => { asked++; return undefined; }, partsOf: () => { asked++; return undefined; } }));
  assert.equal([...quiet].map(([id, f]) => [id, f.kind]), [...fates].map(([id, f]) => [id, f.kind]));
  const hf = quiet.get('hadd:X');
  assert.ok(hf?.kind === 'restore' && hf.why === undefined && hf.key === key);
  assert.is(asked, 0);
});

test('a damaged entry (verified): its chunk runs and the merge waits for it; unverified, it is trusted', async () => {
  appendFileSync(join(outdir, 'X_Chunk1', 'result.yaml'), 'changed\n'); // the entry is a hard link of it
  const fates = await predictPlan(inputs());
  const f = fates.get('X_Chunk1')!;
  assert.is(f.kind, 'damaged');
  if (f.kind === 'damaged') assert.match(f.reason, /cache entry damaged \(its size changed\)/);
  assert.equal(fates.get('hadd:X'), { kind: 'after inputs', why: ['1 chunk to run (1 restored from cache first)'] });
  assert.is((await predictPlan(inputs({ verify: false }))).get('X_Chunk1')?.kind, 'restore');
  assert.is((await predictPlan(inputs({ cache: null }))).get('X_Chunk0')?.kind, 'run');
});

test.run();
