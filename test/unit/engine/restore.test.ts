import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { writeMarker, type ChunkMarker } from '../../../src/chunkdir/marker.js';
import { keepInCache, replacedRemoved, restoreChunk } from '../../../src/engine/restore.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-restore-'));
const KEY = 'feedbeef01234567';

function chunkDir(dir: string, key: string, text: string): void {
  mkdirSync(join(dir, 'Sum_1'), { recursive: true });
  writeFileSync(join(dir, 'Sum_1', 'cutflow.txt'), text);
  writeFileSync(join(dir, 'log.txt'), 'log\n');
  const m: ChunkMarker = { kind: 'chunk', status: 'ok', key, attempt: 1, exitCode: 0, eventsProcessed: 10, expectedEvents: 10, userStop: false,
    outputs: [{ path: 'Sum_1/cutflow.txt', size: text.length }, { path: 'log.txt', size: 4 }] };
  writeMarker(dir, m);
}

test('a restore replaces the directory of the other configuration; the replaced one is removed in the background, the trash left empty', async () => {
  const outdir = join(base, 'Outdir');
  const dir = join(outdir, 'A_Chunk0');
  const cache = OutputCache.open(join(base, 'cache'));
  chunkDir(dir, KEY, 'all 10\n');
  const kept = await keepInCache(cache, 'A_Chunk0', 'chunk', dir, KEY);
  assert.ok(kept.ok);
  const keptMtime = statSync(join(dir, 'Sum_1', 'cutflow.txt')).mtimeMs;
  // The other configuration's result in its place (a separate run: new inodes).
  rmSync(dir, { recursive: true });
  chunkDir(dir, '7777777777777777', 'all 99 (other option)\n');
  writeFileSync(join(dir, 'extra.root'), 'only in the other configuration');
  const spec: ChunkSpec = { name: 'A_Chunk0', component: 'A', files: ['/data/a.root'], tree: 'events', fineSplit: null, maxEvents: null,
    options: {}, bundle: join(base, 'bundle.mjs'), key: KEY, attempt: 2 };
  const r = await restoreChunk(cache, outdir, dir, spec);
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  await replacedRemoved();
  assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 10\n');
  assert.is(statSync(join(dir, 'Sum_1', 'cutflow.txt')).mtimeMs, keptMtime, 'the kept inode, its mtime');
  assert.not.ok(existsSync(join(dir, 'extra.root')), 'nothing of the replaced directory stays');
  assert.equal(readdirSync(join(outdir, '.heppy', 'trash')), []);
  assert.equal(readdirSync(join(outdir, '.heppy', 'tmp')), []);
  const marker = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as ChunkMarker;
  assert.is(marker.attempt, 2);
  assert.is(marker.key, KEY);
  assert.ok(typeof marker.restoredFrom === 'string');
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
