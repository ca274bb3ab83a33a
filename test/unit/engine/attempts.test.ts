// attempts: a chunk's last attempt is the larger of its marker's and its chunk.json's (a batch job
// writes chunk.json before it runs, the marker when it ends); the next one also continues the
// store's record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMarker } from '../../../src/chunkdir/marker.js';
import { writeChunkSpec, type ChunkSpec } from '../../../src/chunkdir/spec.js';
import { heldIn, lastAttemptIn, nextAttemptOf } from '../../../src/engine/attempts.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-attempts-'));
const spec = (attempt: number): ChunkSpec => ({ name: 'A_Chunk0', component: 'A', files: ['/a.root'], tree: 'events', fineSplit: null, maxEvents: null,
  options: {}, bundle: '/b.mjs', key: 'k', attempt });
const marker = (dir: string, attempt: number): void => writeMarker(dir, { kind: 'chunk', status: 'failed', key: 'k', attempt, exitCode: 1,
  eventsProcessed: null, expectedEvents: 10, userStop: false, outputs: [] });

test('no directory, an empty one: attempt 0; the next is one more than the record', () => {
  assert.is(lastAttemptIn(join(root, 'none')), 0);
  mkdirSync(join(root, 'empty'));
  assert.is(lastAttemptIn(join(root, 'empty')), 0);
  assert.is(nextAttemptOf(join(root, 'none'), undefined), 1);
  assert.is(nextAttemptOf(join(root, 'none'), 4), 5);
});

test('the larger of the marker\'s and chunk.json\'s attempt, and of the record', () => {
  const dir = join(root, 'A_Chunk0');
  mkdirSync(dir);
  marker(dir, 3);
  assert.is(lastAttemptIn(dir), 3);
  writeChunkSpec(dir, spec(5)); // attempt 5 submitted, never ended
  assert.is(lastAttemptIn(dir), 5);
  assert.is(nextAttemptOf(dir, 2), 6);
  assert.is(nextAttemptOf(dir, 9), 10);
  marker(dir, 7);
  assert.is(lastAttemptIn(dir), 7);
});

test('an unreadable marker or chunk.json counts as none', () => {
  const dir = join(root, 'B_Chunk0');
  mkdirSync(dir);
  writeFileSync(join(dir, 'heppy-status.json'), '{ not json');
  writeFileSync(join(dir, 'chunk.json'), '[]');
  assert.is(lastAttemptIn(dir), 0);
  assert.is(nextAttemptOf(dir, 2), 3);
});

test('heldIn: the last attempt and the ok marker\'s key from one read (a restore parks the directory under that key)', () => {
  assert.equal(heldIn(join(root, 'none')), { attempt: 0, okKey: null });
  const dir = join(root, 'C_Chunk0');
  mkdirSync(dir);
  marker(dir, 2);
  assert.equal(heldIn(dir), { attempt: 2, okKey: null }, 'a failed marker: nothing to park');
  writeMarker(dir, { kind: 'chunk', status: 'ok', key: 'k-other', attempt: 4, exitCode: 0, eventsProcessed: 10, expectedEvents: 10, userStop: false, outputs: [] });
  assert.equal(heldIn(dir), { attempt: 4, okKey: 'k-other' });
  writeChunkSpec(dir, spec(6));
  assert.equal(heldIn(dir), { attempt: 6, okKey: 'k-other' }, 'chunk.json of a later attempt: its number, the marker\'s key');
  writeFileSync(join(dir, 'heppy-status.json'), '{ not json');
  assert.equal(heldIn(dir), { attempt: 6, okKey: null });
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
