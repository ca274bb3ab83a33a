// chunkdir/marker.ts: the listing of a result's files (what its marker lists and the build records),
// the marker written last in a fresh directory, and reading it back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOutputStats, listOutputs, readMarker, writeFreshMarker, type ChunkMarker } from '../../../src/chunkdir/marker.js';
import { MARKER_FILE } from '../../../src/chunkdir/layout.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-marker-'));

function result(name: string): string {
  const d = join(base, name);
  mkdirSync(join(d, 'Count_1', 'sub'), { recursive: true });
  writeFileSync(join(d, 'log.txt'), 'number of events processed: 10\n');
  writeFileSync(join(d, 'chunk.json'), '{}');
  writeFileSync(join(d, 'Count_1', 'n.txt'), 'Counter n :\n');
  writeFileSync(join(d, 'Count_1', 'log.txt'), '');
  writeFileSync(join(d, 'Count_1', 'sub', 'deep.bin'), Buffer.alloc(300));
  // A file an analyzer wrote with the marker's name, below the top: an output like any other.
  writeFileSync(join(d, 'Count_1', MARKER_FILE), 'x');
  writeFileSync(join(d, MARKER_FILE), '{}');
  return d;
}

test('listOutputStats: every file below the directory, relative with /, sorted, sizes and mtimes as stat-ed; the top marker left out', () => {
  const d = result('r1');
  const got = listOutputStats(d);
  assert.equal(got.map((f) => [f.path, f.size]), [
    ['Count_1/heppy-status.json', 1],
    ['Count_1/log.txt', 0],
    ['Count_1/n.txt', 12],
    ['Count_1/sub/deep.bin', 300],
    ['chunk.json', 2],
    ['log.txt', 31],
  ]);
  for (const f of got) assert.is(f.mtimeMs, statSync(join(d, f.path)).mtimeMs, f.path);
  assert.equal(listOutputs(d), got.map(({ path, size }) => ({ path, size })));
  // A directory given with a trailing slash lists the same.
  assert.equal(listOutputStats(`${d}/`).map((f) => f.path), got.map((f) => f.path));
});

test('writeFreshMarker: the marker as readMarker reads it back, its size and mtime as a stat finds them', () => {
  const d = join(base, 'r2');
  mkdirSync(d);
  writeFileSync(join(d, 'log.txt'), 'ok\n');
  const m: ChunkMarker = { kind: 'chunk', status: 'ok', key: 'abcdef0123456789', attempt: 2, exitCode: 0, eventsProcessed: 10, expectedEvents: 10,
    userStop: false, outputs: listOutputs(d) };
  const st = writeFreshMarker(d, m);
  const disk = statSync(join(d, MARKER_FILE));
  assert.equal(st, { size: disk.size, mtimeMs: disk.mtimeMs });
  const back = readMarker(d);
  assert.ok(back.ok);
  if (back.ok) {
    assert.is(back.value?.kind, 'chunk');
    assert.is(back.value?.key, 'abcdef0123456789');
    assert.equal(back.value?.kind === 'chunk' ? back.value.outputs : null, [{ path: 'log.txt', size: 3 }]);
  }
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
