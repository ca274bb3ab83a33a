import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCache } from '../../../src/cache/output-cache.js';
import { writeMarker, type ChunkMarker } from '../../../src/chunkdir/marker.js';
import { keepInCache, replacedRemoved, restoreChunk } from '../../../src/engine/restore.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { statOutputs } from '../../../src/chunkdir/results.js';

const base = mkdtempSync(join(tmpdir(), 'heppy-restore-'));
/** What is left in the Outdir's trash (made only when something was thrown away). */
const trashOf = (outdir: string): string[] => (existsSync(join(outdir, '.heppy', 'trash')) ? readdirSync(join(outdir, '.heppy', 'trash')) : []);
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
  if (r.ok) assert.equal(r.value.outputs, (statOutputs(dir, r.value.marker.outputs) as { value: unknown }).value, 'restored by links: the stamps taken');
  await replacedRemoved();
  assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 10\n');
  assert.is(statSync(join(dir, 'Sum_1', 'cutflow.txt')).mtimeMs, keptMtime, 'the kept inode, its mtime');
  assert.not.ok(existsSync(join(dir, 'extra.root')), 'nothing of the replaced directory stays');
  assert.equal(trashOf(outdir), []);
  assert.equal(readdirSync(join(outdir, '.heppy', 'tmp')), []);
  const marker = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as ChunkMarker;
  assert.is(marker.attempt, 2);
  assert.is(marker.key, KEY);
  assert.ok(typeof marker.restoredFrom === 'string');
});

const specFor = (key: string, attempt: number): ChunkSpec => ({ name: 'P_Chunk0', component: 'P', files: ['/data/p.root'], tree: 'events', fineSplit: null,
  maxEvents: null, options: {}, bundle: join(base, 'bundle.mjs'), key, attempt });
const KA = 'aaaaaaaa00000001';
const KB = 'bbbbbbbb00000002';

/** Outdir/P_Chunk0 built for KA, kept, then built for KB, kept: the user's `build`, `build -o`. */
async function twoConfigurations(outdir: string, cache: OutputCache): Promise<string> {
  const dir = join(outdir, 'P_Chunk0');
  chunkDir(dir, KA, 'all 10\n');
  assert.ok((await keepInCache(cache, 'P_Chunk0', 'chunk', dir, KA)).ok);
  rmSync(dir, { recursive: true });
  chunkDir(dir, KB, 'all 99 (other option)\n');
  assert.ok((await keepInCache(cache, 'P_Chunk0', 'chunk', dir, KB)).ok);
  return dir;
}

test('the replaced directory is parked under its key; switching back renames it into place (no link, no copy)', async () => {
  const root = mkdtempSync(join(base, 'park-'));
  const outdir = join(root, 'Outdir');
  const cache = OutputCache.open(join(root, 'cache'));
  const dir = await twoConfigurations(outdir, cache);
  const kbFile = statSync(join(dir, 'Sum_1', 'cutflow.txt')).ino;
  const parked = join(outdir, '.heppy', 'parked');
  // Back to KA: restored by links, the KB directory parked (it has an entry).
  assert.ok((await restoreChunk(cache, outdir, dir, specFor(KA, 3))).ok);
  assert.equal(readdirSync(parked), [`P_Chunk0.${KB}`]);
  assert.is(statSync(join(parked, `P_Chunk0.${KB}`, 'Sum_1', 'cutflow.txt')).ino, kbFile);
  const kaDirIno = statSync(dir).ino;
  const runFileInos = ['chunk.json', 'heppy-status.json'].map((f) => statSync(join(parked, `P_Chunk0.${KB}`, f), { throwIfNoEntry: false })?.ino);
  // To KB again: the parked directory itself comes back; the KA one is parked in its turn.
  const r = await restoreChunk(cache, outdir, dir, specFor(KB, 4));
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  await replacedRemoved();
  assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 99 (other option)\n');
  assert.is(statSync(join(dir, 'Sum_1', 'cutflow.txt')).ino, kbFile);
  assert.equal(readdirSync(parked), [`P_Chunk0.${KA}`]);
  assert.is(statSync(join(parked, `P_Chunk0.${KA}`)).ino, kaDirIno, 'the KA directory itself, renamed');
  const marker = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as ChunkMarker;
  // What the restore reports of its files is what a stat finds (the build records it unstat-ed).
  if (r.ok) assert.equal(r.value.outputs, (statOutputs(dir, marker.outputs) as { value: unknown }).value);
  assert.is(marker.attempt, 4);
  assert.is(marker.key, KB);
  assert.is((JSON.parse(readFileSync(join(dir, 'chunk.json'), 'utf8')) as ChunkSpec).attempt, 4);
  assert.match(readFileSync(join(dir, 'batchScript.sh'), 'utf8'), /attempt='?4'?\n/);
  assert.is(statSync(join(dir, 'batchScript.sh')).mode & 0o777, 0o755);
  // Its marker rewritten in place (no unlink, no truncation to 0); chunk.json likewise when the parked directory had one.
  assert.is(statSync(join(dir, 'heppy-status.json')).ino, runFileInos[1]);
  if (runFileInos[0] !== undefined) assert.is(statSync(join(dir, 'chunk.json')).ino, runFileInos[0]);
  assert.equal(readdirSync(dir).sort(), ['Sum_1', 'batchScript.sh', 'chunk.json', 'heppy-status.json', 'log.txt']);
  assert.equal(trashOf(outdir), []);
});

test('a parked directory that differs from its entry (an extra file, a file of another inode) is not used: restored by links', async () => {
  for (const change of ['extra', 'inode'] as const) {
    const root = mkdtempSync(join(base, `unfit-${change}-`));
    const outdir = join(root, 'Outdir');
    const cache = OutputCache.open(join(root, 'cache'));
    const dir = await twoConfigurations(outdir, cache);
    assert.ok((await restoreChunk(cache, outdir, dir, specFor(KA, 3))).ok);
    const p = join(outdir, '.heppy', 'parked', `P_Chunk0.${KB}`);
    const cut = join(p, 'Sum_1', 'cutflow.txt');
    if (change === 'extra') writeFileSync(join(p, 'Sum_1', 'stray.txt'), 'not in the entry');
    else {
      const text = readFileSync(cut);
      rmSync(cut);
      writeFileSync(cut, text); // same bytes, a new inode: not the entry's file
    }
    const r = await restoreChunk(cache, outdir, dir, specFor(KB, 4));
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    await replacedRemoved();
    assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 99 (other option)\n');
    assert.not.ok(existsSync(join(dir, 'Sum_1', 'stray.txt')), change);
    assert.equal(readdirSync(join(outdir, '.heppy', 'parked')), [`P_Chunk0.${KA}`], change);
    assert.equal(trashOf(outdir), [], change);
  }
});

test('an entry damaged while its directory is parked is not restored (the parked copy neither)', async () => {
  const root = mkdtempSync(join(base, 'damaged-'));
  const outdir = join(root, 'Outdir');
  const cache = OutputCache.open(join(root, 'cache'));
  const dir = await twoConfigurations(outdir, cache);
  assert.ok((await restoreChunk(cache, outdir, dir, specFor(KA, 3))).ok);
  // Written through the parked hard link: the entry's file changes with it (same size).
  writeFileSync(join(outdir, '.heppy', 'parked', `P_Chunk0.${KB}`, 'Sum_1', 'cutflow.txt'), 'all 98 (other option)\n');
  const r = await restoreChunk(cache, outdir, dir, specFor(KB, 4));
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(r.error.reason, /cache entry damaged \(its content changed\)/);
  await replacedRemoved();
  assert.is(cache.entry(KB), null, 'the damaged entry removed');
  assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 10\n', 'the KA result stays in place');
  assert.equal(readdirSync(join(outdir, '.heppy', 'parked')), []);
});

test('a parked directory whose files keep their recorded stamps is used without the entry being stat-ed: its content is the recorded one', async () => {
  const root = mkdtempSync(join(base, 'stamps-'));
  const outdir = join(root, 'Outdir');
  const cache = OutputCache.open(join(root, 'cache'));
  const dir = await twoConfigurations(outdir, cache);
  assert.ok((await restoreChunk(cache, outdir, dir, specFor(KA, 3))).ok);
  // The entry's own link to the file replaced by another inode (same size): the parked file is
  // still the inode the entry recorded, unchanged since (its mtime), so it holds the recorded bytes.
  const i = cache.entry(KB)!.files.findIndex((f) => f.path === 'Sum_1/cutflow.txt');
  const stored = cache.storedFile(KB, i)!;
  rmSync(stored);
  writeFileSync(stored, 'all 97 (other option)\n');
  const r = await restoreChunk(cache, outdir, dir, specFor(KB, 4));
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  await replacedRemoved();
  assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 99 (other option)\n', 'the recorded content, not the changed entry file');
  // A restore by links (the parked directory gone) checks the entry itself and finds the damage.
  rmSync(join(outdir, '.heppy', 'parked'), { recursive: true });
  rmSync(dir, { recursive: true });
  const fresh = OutputCache.open(join(root, 'cache'));
  const again = await restoreChunk(fresh, join(root, 'Outdir2'), join(root, 'Outdir2', 'P_Chunk0'), specFor(KB, 5));
  assert.not.ok(again.ok);
  if (!again.ok) assert.match(again.error.reason, /cache entry damaged/);
});

test('cache stats count the parked directories; prune removes those whose entry is gone, with the entries it evicts', async () => {
  const root = mkdtempSync(join(base, 'evict-'));
  const outdir = join(root, 'Outdir');
  const cache = OutputCache.open(join(root, 'cache'));
  const dir = await twoConfigurations(outdir, cache);
  assert.ok((await restoreChunk(cache, outdir, dir, specFor(KA, 3))).ok);
  await replacedRemoved();
  const parked = join(outdir, '.heppy', 'parked');
  assert.equal(readdirSync(parked), [`P_Chunk0.${KB}`]);
  const entryBytes = cache.entry(KA)!.bytes + cache.entry(KB)!.bytes;
  // Links of the KB entry: no space of their own but the marker's (the run files are not kept).
  const markerBytes = statSync(join(parked, `P_Chunk0.${KB}`, 'heppy-status.json')).size;
  assert.equal(readdirSync(join(parked, `P_Chunk0.${KB}`)).sort(), ['Sum_1', 'heppy-status.json', 'log.txt']);
  const bytes = entryBytes;
  assert.equal(cache.stats(), { entries: 2, bytes, objects: 4, maxBytes: cache.maxBytes, parked: 1, parkedBytes: markerBytes });
  // The KB entry gone by other means (heppy clean): its objects stay until a prune finds no entry naming them.
  cache.remove(KB);
  assert.equal(cache.stats(), { entries: 1, bytes, objects: 4, maxBytes: cache.maxBytes, parked: 1, parkedBytes: markerBytes });
  // A prune within the limit still removes the parked directory that can no longer be used (the
  // KB entry's objects, named by no entry, is younger than an hour: it may be a keep's in progress).
  assert.equal(cache.prune(), { removed: 0, freedBytes: markerBytes, parkedRemoved: 1 });
  assert.equal(cache.stats().bytes, bytes);
  assert.equal(readdirSync(parked), []);
  assert.equal(trashOf(outdir), []);
  // Back to KB (run and kept again), then KA restored: KB parked again; prune to 0 removes both entries and it.
  rmSync(dir, { recursive: true });
  chunkDir(dir, KB, 'all 99 (other option)\n');
  assert.ok((await keepInCache(cache, 'P_Chunk0', 'chunk', dir, KB)).ok);
  const fresh = OutputCache.open(join(root, 'cache'));
  assert.ok((await restoreChunk(fresh, outdir, dir, specFor(KA, 4))).ok);
  await replacedRemoved();
  assert.equal(readdirSync(parked), [`P_Chunk0.${KB}`]);
  const pr = fresh.prune(0);
  assert.is(pr.removed, 2);
  assert.is(pr.parkedRemoved, 1);
  assert.equal(readdirSync(parked), []);
  assert.equal(fresh.stats(), { entries: 0, bytes: 0, objects: 0, maxBytes: fresh.maxBytes, parked: 0, parkedBytes: 0 });
  assert.is(readFileSync(join(dir, 'Sum_1', 'cutflow.txt'), 'utf8'), 'all 10\n', 'the node directory in place stays');
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
