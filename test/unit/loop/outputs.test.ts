// Booked outputs land in the analyzer's directory as ROOT files that read back with the same values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, fill1, fill2, type BookedTree, type Event, type Hist } from '../../../src/index.js';
import { runChunk } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { openRootFile } from '../../../src/root/read/index.js';
import { MemorySource } from './memory-source.js';

class Booker extends Analyzer<{ nbins: number }> {
  private h!: Hist;
  private h2!: Hist;
  private t!: BookedTree;
  override beginLoop(): void {
    this.h = this.hist1('x', 'x;x;n', this.params.nbins, 0, 10);
    this.h2 = this.hist2('xy', 'xy', 5, 0, 10, 2, 0, 2, { precision: 'F', file: 'more.root' });
    this.t = this.tree('sel', [{ name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'v', type: 'f4', shape: { counter: 'n' } }]);
  }
  override process(e: Event): void {
    const x = e.scalar('x');
    const v = e.array('v');
    fill1(this.h, x, 2);
    fill2(this.h2, x, v.length);
    this.t.fill({ x, n: v.length, v });
  }
}

class DoubleBook extends Analyzer {
  override beginLoop(): void {
    this.hist1('a', 'a', 1, 0, 1);
    this.tree('a', [{ name: 'q', type: 'i4' }], { file: 'histograms.root' });
  }
}

const root = mkdtempSync(join(tmpdir(), 'heppy-outputs-'));
const spec = (name: string): ChunkSpec => ({ name, component: 'c', files: ['/in.root'], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'k', attempt: 1 });
const input = { x: [0.5, 1.5, 1.7, 9.9, 12], v: [[1], [], [2, 3], [4], [5]] };

test('histograms and trees are written with the writer and read back equal', async () => {
  const config = new Config({ components: [new Component('c', { files: ['/in.root'] })], sequence: new Sequence(new Analyzer(Booker, { nbins: 10 })) });
  const dir = join(root, 'ok');
  const r = await runChunk(spec('ok'), dir, { loadConfig: async () => config, openSource: async () => new MemorySource([input]) });
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  assert.equal(readdirSync(join(dir, 'Booker_1')).sort(), ['histograms.root', 'log.txt', 'more.root', 'tree.root']);
  const f = await openRootFile(join(dir, 'Booker_1', 'histograms.root'));
  const h = await f.hist('x');
  assert.ok(h);
  assert.is(h!.kind, 'TH1D');
  assert.equal(Array.from(h!.contents), [0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 2, 2]);
  assert.is(h!.entries, 5);
  f.close();
  const g = await openRootFile(join(dir, 'Booker_1', 'more.root'));
  const h2 = await g.hist('xy');
  assert.is(h2!.kind, 'TH2F');
  assert.is(h2!.contents.reduce((a, b) => a + b, 0), 5);
  g.close();
  const t = await openRootFile(join(dir, 'Booker_1', 'tree.root'));
  const tree = await t.tree('sel');
  assert.is(tree.entries, 5);
  const v = await tree.column('v');
  assert.is(v.kind, 'jagged');
  assert.equal(Array.from(v.values as Float32Array), [1, 2, 3, 4, 5]);
  if (v.kind === 'jagged') assert.equal(Array.from(v.offsets), [0, 1, 1, 3, 4, 5]);
  const marker = r.ok ? r.value.marker : null;
  assert.ok(marker?.outputs.some((o) => o.path === 'Booker_1/tree.root' && o.size > 0));
  t.close();
});

test('booking two objects with one name in one file fails the chunk', async () => {
  const config = new Config({ components: [new Component('c', { files: ['/in.root'] })], sequence: new Sequence(new Analyzer(DoubleBook)) });
  const r = await runChunk(spec('dup'), join(root, 'dup'), { loadConfig: async () => config, openSource: async () => new MemorySource([input]) });
  assert.ok(!r.ok);
  // An analysis failure of the analyzer that booked twice (its message names the object and file).
  if (!r.ok) assert.ok(r.error.failure.kind === 'analysis' && r.error.failure.analyzer === 'DoubleBook_1', JSON.stringify(r.error.failure));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
