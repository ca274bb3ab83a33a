import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { writeMarker, type ChunkMarker } from '../../../src/chunkdir/marker.js';
import { keepInCache } from '../../../src/engine/restore.js';
import { discard, moveAside, replacedRemoved, takeParked } from '../../../src/engine/restore-park.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-restore-park-'));
const outdir = join(base, 'Outdir');
const cache = OutputCache.open(join(base, 'cache'));
const parked = join(outdir, '.heppy', 'parked');
const trash = join(outdir, '.heppy', 'trash');

function node(dir: string, key: string, text: string, status: 'ok' | 'failed' = 'ok'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'log.txt'), text);
  const m: ChunkMarker = { kind: 'chunk', status, key, attempt: 1, exitCode: 0, eventsProcessed: 1, expectedEvents: 1, userStop: false,
    outputs: [{ path: 'log.txt', size: text.length }] };
  writeMarker(dir, m);
}

test('discard renames into the trash and removes it in the background; false when there is nothing', async () => {
  const d = join(outdir, 'X_Chunk0');
  node(d, 'aaaaaaaa00000000', 'x');
  assert.ok(discard(d, outdir));
  assert.not.ok(existsSync(d));
  await replacedRemoved();
  assert.equal(readdirSync(trash), []);
  assert.not.ok(discard(d, outdir));
});

test('moveAside parks a directory whose key has an entry (one per node), discards one without; takeParked hands a parked name out once', async () => {
  const KA = 'aaaaaaaa00000001', KB = 'bbbbbbbb00000002';
  const d = join(outdir, 'P_Chunk0');
  node(d, KA, 'A');
  assert.ok((await keepInCache(cache, 'P_Chunk0', 'chunk', d, KA)).ok);
  moveAside(cache, d, outdir, 'P_Chunk0');
  assert.not.ok(existsSync(d));
  assert.equal(readdirSync(parked), [`P_Chunk0.${KA}`]);
  assert.is(readFileSync(join(parked, `P_Chunk0.${KA}`, 'log.txt'), 'utf8'), 'A');
  // The other configuration, kept too, moved aside: it replaces the node's earlier parked directory.
  node(d, KB, 'B');
  assert.ok((await keepInCache(cache, 'P_Chunk0', 'chunk', d, KB)).ok);
  moveAside(cache, d, outdir, 'P_Chunk0');
  await replacedRemoved();
  assert.equal(readdirSync(parked), [`P_Chunk0.${KB}`], 'one parked directory per node');
  assert.is(takeParked(outdir, 'P_Chunk0', KA), null);
  assert.is(takeParked(outdir, 'P_Chunk0', KB), join(parked, `P_Chunk0.${KB}`));
  assert.is(takeParked(outdir, 'P_Chunk0', KB), null, 'taken: no longer listed');
  // A failed run's directory, and one whose key the cache does not hold: discarded, not parked.
  node(d, KB, 'failed', 'failed');
  moveAside(cache, d, outdir, 'P_Chunk0');
  node(d, 'cccccccc00000003', 'never kept');
  moveAside(cache, d, outdir, 'P_Chunk0');
  await replacedRemoved();
  assert.not.ok(existsSync(d));
  assert.equal(readdirSync(parked), [`P_Chunk0.${KB}`]);
  assert.equal(readdirSync(trash), []);
  moveAside(cache, d, outdir, 'P_Chunk0'); // no directory: nothing to do
  const reg = JSON.parse(readFileSync(join(base, 'cache', 'outputs.parked.json'), 'utf8')) as { places: Array<{ parked: string }> };
  assert.equal(reg.places.map((p) => p.parked), [parked], 'the Outdir registered with the cache (its eviction sweeps parked directories)');
});

test.run();
