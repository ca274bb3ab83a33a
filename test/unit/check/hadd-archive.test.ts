import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNKS_ARCHIVE, archiveChunks, mergedGoodChunks } from '../../../src/check/hadd-archive.js';
import type { HaddReport } from '../../../src/check/hadd-outdir.js';
import type { ChunkVerdict } from '../../../src/check/chunk-check.js';

test('mergedGoodChunks: the good chunks of merged and up-to-date components only', () => {
  const src = mkdtempSync(join(tmpdir(), 'heppy-archive-'));
  try {
    for (const d of ['a_Chunk0', 'a_Chunk1', 'b_Chunk0', 'c_Chunk0', 'd_Chunk0']) mkdirSync(join(src, d));
    const bad = { dir: join(src, 'a_Chunk1') } as ChunkVerdict;
    const report = {
      src, dest: src, skipped: [], stale: [],
      components: [
        { component: 'a', status: 'merged', nchunks: 2, bad: [bad], summary: {} },
        { component: 'b', status: 'up-to-date', nchunks: 1, bad: [], dir: join(src, 'b'), ngood: 1 },
        { component: 'c', status: 'merge-failed', nchunks: 1, bad: [], error: { reason: 'x' } },
        { component: 'd', status: 'no-good-chunk', nchunks: 1, bad: [] },
      ],
    } as unknown as HaddReport;
    assert.equal(mergedGoodChunks(report), [join(src, 'a_Chunk0'), join(src, 'b_Chunk0')]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});

test('archiveChunks: moves each chunk into <src>/Chunks, replacing one of the same name; nothing given, nothing made', () => {
  const src = mkdtempSync(join(tmpdir(), 'heppy-archive-'));
  try {
    assert.equal(archiveChunks(src, []), []);
    assert.not.ok(existsSync(join(src, CHUNKS_ARCHIVE)));
    for (const d of ['a_Chunk0', 'a_Chunk1']) { mkdirSync(join(src, d)); writeFileSync(join(src, d, 'log.txt'), `new ${d}`); }
    mkdirSync(join(src, 'Chunks', 'a_Chunk0'), { recursive: true });
    writeFileSync(join(src, 'Chunks', 'a_Chunk0', 'log.txt'), 'old');
    const moved = archiveChunks(src, [join(src, 'a_Chunk0'), join(src, 'a_Chunk1')]);
    assert.equal(moved, [join(src, 'Chunks', 'a_Chunk0'), join(src, 'Chunks', 'a_Chunk1')]);
    assert.is(readFileSync(join(src, 'Chunks', 'a_Chunk0', 'log.txt'), 'utf8'), 'new a_Chunk0');
    assert.not.ok(existsSync(join(src, 'a_Chunk0')));
    assert.equal(readdirSync(join(src, '.heppy', 'trash')), []);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});

test.run();
