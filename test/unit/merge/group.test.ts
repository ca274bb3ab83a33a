import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupChunkDirs } from '../../../src/merge/group.js';

test("groupChunkDirs: chunk directories by component (sorted), in chunk order; leftovers skipped; files and dot entries ignored", () => {
  const src = mkdtempSync(join(tmpdir(), 'heppy-group-'));
  try {
    for (const d of ['ttbar_Chunk10', 'ttbar_Chunk2', 'ttbar_Chunk0', 'DY_Chunk1', 'DY_Chunk0', 'ttbar_Chunk0_1', '.ttbar_Chunk3', 'ttbar', 'WJets']) mkdirSync(join(src, d));
    writeFileSync(join(src, 'QCD_Chunk0'), 'a file, not a directory');
    const g = groupChunkDirs(src);
    assert.equal(g.groups.map((x) => x.component), ['DY', 'ttbar']);
    assert.equal(g.groups[1]!.chunks, [0, 2, 10].map((i) => ({ index: i, dir: join(src, `ttbar_Chunk${i}`) })));
    assert.equal(g.groups[0]!.chunks.map((c) => c.index), [0, 1]);
    assert.equal(g.skipped, ['ttbar_Chunk0_1']);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});

test('groupChunkDirs: an empty directory has no groups; a missing one throws', () => {
  const src = mkdtempSync(join(tmpdir(), 'heppy-group-'));
  try {
    assert.equal(groupChunkDirs(src), { groups: [], skipped: [] });
    assert.throws(() => groupChunkDirs(join(src, 'absent')), /ENOENT/);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});

test.run();
