// check/verify-digests.ts: a node directory's result files against the digests its output-cache
// entry recorded (the cache dir given through the memo, as plan.json would name it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { verifyDigests } from '../../../src/check/verify-digests.js';
import { keepInCache } from '../../../src/engine/restore.js';
import { KEYS, ranChunk, specOf, tmpOutdir } from '../engine/run-rig.js';

const base = tmpOutdir('verify');
const outdir = join(base, 'Outdir');
const cacheDir = join(base, 'cache');
test.after(() => rmSync(base, { recursive: true, force: true }));

test('intact: no problem; a same-size edit: a digest problem naming the file; no entry: not verified', async () => {
  const dir = join(outdir, 'X_Chunk0');
  ranChunk(dir, specOf(outdir, 'X_Chunk0'), 'abc\n');
  assert.ok((await keepInCache(OutputCache.open(cacheDir), 'X_Chunk0', 'chunk', dir, KEYS.X_Chunk0!)).ok);
  const memo = (): Map<string, string | null> => new Map([[outdir, cacheDir]]);
  assert.equal(await verifyDigests(dir, outdir, memo()), { problems: [] });
  const f = join(dir, 'result.yaml');
  writeFileSync(f, readFileSync(f, 'utf8').replace('abc', 'abd'));
  assert.equal(await verifyDigests(dir, outdir, memo()), { problems: [{ code: 'digest', file: f,
    message: `result.yaml: its content differs from the digest recorded when it was built (cache entry ${KEYS.X_Chunk0})` }] });
  const other = join(outdir, 'X_Chunk1');
  ranChunk(other, specOf(outdir, 'X_Chunk1'), 'x\n');
  assert.equal(await verifyDigests(other, outdir, memo()), { problems: null });
  assert.equal(await verifyDigests(dir, outdir, new Map([[outdir, null]])), { problems: null });
});

test.run();
