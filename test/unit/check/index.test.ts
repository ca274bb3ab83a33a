import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkChunks, headerProbe } from '../../../src/check/index.js';
import { makeChunk } from './fixtures.js';

test('checkChunks: one verdict per directory, in the order given, whatever the concurrency', async () => {
  const root = mkdtempSync(join(tmpdir(), 'heppy-check-index-'));
  try {
    const dirs = [
      makeChunk(root, 'z_Chunk2', { events: 30 }),
      makeChunk(root, 'z_Chunk0', { log: null, marker: null }),
      makeChunk(root, 'z_Chunk1', { events: 10 }),
      makeChunk(root, 'a_Chunk0', { marker: { status: 'failed', exitCode: 1, reason: 'boom' } }),
    ];
    for (const concurrency of [1, 2, 8]) {
      const v = await checkChunks(dirs, { probe: headerProbe, concurrency });
      assert.equal(v.map((x) => x.dir), dirs, `concurrency ${concurrency}`);
      assert.equal(v.map((x) => x.good), [true, false, true, false]);
      assert.equal(v.map((x) => [x.eventsProcessed, x.problems.map((p) => p.code)]), [[30, []], [null, ['no-log', 'no-marker']], [10, []], [100, ['failed']]]);
    }
    assert.equal(await checkChunks([], { probe: headerProbe }), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
