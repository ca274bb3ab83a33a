import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHUNK_SPEC_FILE, BATCH_SCRIPT, MARKER_FILE, RUN_FILES, batchPaths, chunkName, compareChunkNames, ensureBatchPaths, jobLogPath,
  mergeNodeDir, outdirOf, parkedRoot, parseChunkName, planFile, tmpRoot, trashRoot,
} from '../../../src/chunkdir/layout.js';

test("chunk names: '<component>_Chunk<N>' exactly, heppy's -f leftovers are not chunks", () => {
  assert.is(chunkName('DYJets_M50', 12), 'DYJets_M50_Chunk12');
  assert.equal(parseChunkName('DYJets_M50_Chunk12'), { component: 'DYJets_M50', index: 12 });
  assert.equal(parseChunkName('a_Chunk3_Chunk0'), { component: 'a_Chunk3', index: 0 }, 'the last _Chunk<N> counts');
  assert.is(parseChunkName('X_Chunk0_1'), null);
  assert.is(parseChunkName('_Chunk0'), null);
  assert.is(parseChunkName('Data'), null);
});

test('chunks sort by component, then numerically (Chunk2 before Chunk10); others by name', () => {
  const names = ['b_Chunk10', 'a_Chunk10', 'b_Chunk2', 'a_Chunk2', 'zz', 'a', 'a_Chunk0'];
  assert.equal([...names].sort(compareChunkNames), ['a', 'a_Chunk0', 'a_Chunk2', 'a_Chunk10', 'b_Chunk2', 'b_Chunk10', 'zz']);
});

test("heppy's own files live under Outdir/.heppy; the run files are never outputs", () => {
  const out = '/data/Out';
  assert.equal([tmpRoot(out), trashRoot(out), parkedRoot(out), planFile(out)],
    ['/data/Out/.heppy/tmp', '/data/Out/.heppy/trash', '/data/Out/.heppy/parked', '/data/Out/.heppy/plan.json']);
  assert.is(mergeNodeDir('ttbar', 2, 5), '.heppy/merge/ttbar/L2-5');
  assert.is(outdirOf('/data/Out/ttbar_Chunk3'), '/data/Out');
  assert.equal([MARKER_FILE, CHUNK_SPEC_FILE, BATCH_SCRIPT], ['heppy-status.json', 'chunk.json', 'batchScript.sh']);
  assert.equal([...RUN_FILES].sort(), ['batchScript.sh', 'chunk.json']);
  assert.not.ok(RUN_FILES.has(MARKER_FILE));
});

test('batch paths: created on demand under .heppy/batch, one job output file per chunk attempt', () => {
  const root = mkdtempSync(join(tmpdir(), 'heppy-layout-'));
  try {
    const out = join(root, 'Out');
    const p = batchPaths(out);
    assert.is(p.root, join(out, '.heppy', 'batch'));
    assert.not.ok(existsSync(p.root), 'naming the paths creates nothing');
    const made = ensureBatchPaths(out);
    assert.equal(made, p);
    for (const d of [p.logs, p.started, p.rounds]) assert.ok(statSync(d).isDirectory(), d);
    assert.is(jobLogPath(out, 'ttbar_Chunk3', 2), join(out, '.heppy', 'batch', 'logs', 'ttbar_Chunk3.2.out'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
