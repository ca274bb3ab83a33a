import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMerged } from '../../../src/check/merged-check.js';
import { headerProbe } from '../../../src/check/root-probe.js';
import { discoverChunkDirs } from '../../../src/check/discover.js';
import { mergeComponent } from '../../../src/merge/merge-component.js';
import { makeChunk } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-merged-'));
const probe = headerProbe;
const past = (p: string): void => utimesSync(p, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

async function setup(name: string, n: number, merge: number[]): Promise<string> {
  const out = join(root, name);
  const dirs = Array.from({ length: n }, (_, i) => makeChunk(out, `C_Chunk${i}`, { files: { 'S/notes.yaml': `i: ${i}\n` } }));
  for (const d of dirs) past(join(d, 'heppy-status.json'));
  const r = await mergeComponent(out, 'C', merge.map((i) => dirs[i]!), { nfiles: n });
  assert.ok(r.ok);
  return out;
}

test('a complete, current merge is good; discovery finds it', async () => {
  const out = await setup('a', 2, [0, 1]);
  const v = await checkMerged(join(out, 'C'), { probe });
  assert.ok(v.good, JSON.stringify(v.problems));
  assert.equal(v.chunks, ['C_Chunk0', 'C_Chunk1']);
  assert.equal(discoverChunkDirs([out]).merged, [join(out, 'C')]);
});

test('a partial merge names the chunks left out', async () => {
  const out = await setup('b', 3, [0, 2]);
  const v = await checkMerged(join(out, 'C'), { probe });
  assert.equal(v.problems.map((p) => p.message), ['only 2 of 3 chunks merged (not: C_Chunk1)']);
});

test('a chunk re-run after the merge makes it out of date', async () => {
  const out = await setup('c', 2, [0, 1]);
  makeChunk(out, 'C_Chunk1', { files: { 'S/notes.yaml': 'i: 1\n' } }); // a new marker, written now
  const v = await checkMerged(join(out, 'C'), { probe });
  assert.equal(v.problems.map((p) => p.message), ['out of date: C_Chunk1 changed or vanished after the merge']);
});

test('a damaged output of the merge is bad', async () => {
  const out = await setup('d', 2, [0, 1]);
  truncateSync(join(out, 'C', 'S', 'notes.yaml'), 2);
  writeFileSync(join(out, 'C', 'extra.txt'), 'not recorded, not checked');
  const v = await checkMerged(join(out, 'C'), { probe });
  assert.equal(v.problems.map((p) => p.message), ['output S/notes.yaml has 2 bytes, 5 were written']);
});

test('merged into another directory: its chunks are found where they were', async () => {
  const out = join(root, 'e');
  const dest = join(root, 'e-dest');
  const dirs = [0, 1].map((i) => makeChunk(out, `C_Chunk${i}`, { files: { 'S/notes.yaml': `i: ${i}\n` } }));
  assert.ok((await mergeComponent(out, 'C', dirs, { dest })).ok);
  const v = await checkMerged(join(dest, 'C'), { probe });
  assert.ok(v.good, JSON.stringify(v.problems));
  assert.is(v.chunksDir, out);
  makeChunk(out, 'C_Chunk2');
  assert.equal((await checkMerged(join(dest, 'C'), { probe })).problems.map((p) => p.message), ['only 2 of 3 chunks merged (not: C_Chunk2)']);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
