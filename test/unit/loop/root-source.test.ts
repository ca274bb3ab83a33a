// The looper over real ROOT files (written with heppy's writer): several files are one sequence,
// declared branches only, and damaged or mismatching inputs fail the chunk naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, type Event } from '../../../src/index.js';
import { runChunk } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { RootFileWriter } from '../../../src/root/write/index.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-rootsrc-'));
const seen: Array<[number, number, number]> = [];

class Sum extends Analyzer {
  static branches = ['id', 'v'];
  override beginLoop(): void { this.counter('c').register('values'); }
  override process(e: Event): void {
    const v = e.array('v');
    seen.push([e.iEv, e.scalar('id'), v.length]);
    this.counter('c').inc('values', v.length);
  }
}
class NeedsW extends Analyzer { static branches = ['w']; }

async function writeFile(path: string, first: number, n: number): Promise<void> {
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 'events', branches: [{ name: 'id', type: 'i4' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } }], basketBytes: 1024 });
  for (let i = first; i < first + n; i++) t.fill({ id: i, n: i % 3, v: Array.from({ length: i % 3 }, (_, k) => i + k / 10) });
  await w.close();
}

const a = join(root, 'a.root'), b = join(root, 'b.root'), bad = join(root, 'bad.root');

function spec(name: string, files: string[], over: Partial<ChunkSpec> = {}): ChunkSpec {
  return { name, component: 'c', files, tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'k', attempt: 1, ...over };
}

async function run(s: ChunkSpec, cls: typeof Sum | typeof NeedsW = Sum) {
  const cfg = new Config({ components: [new Component('c', { files: s.files })], sequence: new Sequence(new Analyzer(cls)) });
  return runChunk(s, join(root, 'out', s.name), { loadConfig: async () => cfg });
}

test('setup: two files of 400 and 300 entries', async () => {
  await writeFile(a, 0, 400);
  await writeFile(b, 400, 300);
  await writeFile(bad, 0, 400);
  truncateSync(bad, Math.floor(statSync(bad).size / 2));
});

test('two files are one sequence; -N caps the concatenation', async () => {
  seen.length = 0;
  const r = await run(spec('two', [a, b], { maxEvents: 650 }));
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  assert.is(seen.length, 650);
  assert.ok(seen.every(([iEv, id, n]) => iEv === id && n === id % 3));
  const expected = seen.reduce((s, [, , n]) => s + n, 0);
  const txt = readFileSync(join(root, 'out', 'two', 'Sum_1', 'c.txt'), 'utf8');
  assert.ok(txt.includes(` ${expected} \t 1.00`), txt);
  if (r.ok) assert.equal([r.value.marker.eventsProcessed, r.value.marker.expectedEvents], [650, 650]);
});

test('fine split of one file: heppy windows', async () => {
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    seen.length = 0;
    const r = await run(spec(`fine${i}`, [b], { fineSplit: [i, 3] }));
    assert.ok(r.ok);
    counts.push(seen.length);
    assert.is(seen[0]![0], i * 100);
  }
  assert.equal(counts, [100, 100, 100]);
});

test('a truncated input fails the chunk, naming the file', async () => {
  const r = await run(spec('trunc', [a, bad]));
  assert.ok(!r.ok);
  if (!r.ok) assert.ok(r.error.failure.kind === 'input' && r.error.failure.file === bad, JSON.stringify(r.error));
  const m = JSON.parse(readFileSync(join(root, 'out', 'trunc', 'heppy-status.json'), 'utf8')) as { status: string; failure: { kind: string; file: string } };
  assert.is(m.status, 'failed');
  assert.equal([m.failure.kind, m.failure.file], ['input', bad]);
});

test('a tree missing from an input fails the chunk as a schema failure naming file, tree and the trees it has', async () => {
  const r = await run(spec('notree', [a, b], { tree: 'Events' }));
  assert.ok(!r.ok);
  if (!r.ok) {
    const f = r.error.failure;
    assert.ok(f.kind === 'schema' && f.file === a && f.tree === 'Events' && f.branch === undefined, JSON.stringify(f));
  }
});

test('a declared branch missing from the tree fails the chunk', async () => {
  const r = await run(spec('nobranch', [a]), NeedsW);
  assert.ok(!r.ok);
  if (!r.ok) assert.equal(r.error.failure, { kind: 'schema', file: a, tree: 'events', branch: 'w', reason: 'branch not found' });
  if (!r.ok) assert.equal([r.error.file, r.error.object], [a, 'nobranch: events/w']);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
