import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { compareChunkNames, discoverChunkDirs, parseChunkName } from '../../../src/check/discover.js';
import { makeChunk } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-disc-'));
const out = join(root, 'Outdir');

test('chunk names: exactly <comp>_Chunk<N>', () => {
  assert.equal(parseChunkName('ggH_125_Chunk12'), { component: 'ggH_125', index: 12 });
  assert.is(parseChunkName('ggH_125_Chunk0_1'), null);
  assert.is(parseChunkName('ggH_125'), null);
  assert.equal(['a_Chunk10', 'a_Chunk2', 'B_Chunk0', 'a_Chunk1'].sort(compareChunkNames), ['B_Chunk0', 'a_Chunk1', 'a_Chunk2', 'a_Chunk10']);
});

test('an Outdir: chunks and unsplit components, not merged dirs, dot dirs or strangers', () => {
  makeChunk(out, 'ZZ_Chunk10');
  makeChunk(out, 'ZZ_Chunk2');
  makeChunk(out, 'data_period_A');                                   // unsplit: has chunk.json
  makeChunk(out, 'old_Chunk0', { spec: false, marker: null });       // made by heppy
  mkdirSync(join(out, 'ZZ'));
  writeFileSync(join(out, 'ZZ', 'heppy-status.json'), JSON.stringify({ status: 'ok', kind: 'hadd', key: 'k', chunks: [] }));
  mkdirSync(join(out, '.heppy', 'tmp', 'ZZ_Chunk3.1.x'), { recursive: true });
  mkdirSync(join(out, 'notes'));
  writeFileSync(join(out, 'README'), 'x');
  const d = discoverChunkDirs([out]);
  assert.equal(d.chunks.map((c) => basename(c)), ['ZZ_Chunk2', 'ZZ_Chunk10', 'data_period_A', 'old_Chunk0']);
  assert.equal(d.missing, []);
});

test('chunk dirs given directly, duplicates once, missing ones reported', () => {
  const d = discoverChunkDirs([join(out, 'ZZ_Chunk2'), out, join(root, 'nope')]);
  assert.is(d.chunks.length, 4);
  assert.equal(d.missing, [join(root, 'nope')]);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
