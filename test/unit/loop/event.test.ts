import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, branch, Branch, type Event } from '../../../src/index.js';
import { Event as EventClass, columnSlots } from '../../../src/loop/event.js';
import { runChunk } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import type { Column } from '../../../src/root/types.js';
import { MemorySource, type MemFile } from './memory-source.js';

const setup = { config: null, services: {} };
const nums = (a: unknown): number[] => Array.from(a as ArrayLike<number>);
const flat = (v: number[]): Column => ({ kind: 'flat', type: 'f8', values: Float64Array.from(v) });
const jagged = (rows: number[][]): Column => {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.length));
  return { kind: 'jagged', type: 'f4', values: Float32Array.from(rows.flat()), offsets };
};

test('a Branch handle reads what the name reads, in every batch it meets (the slot found again when the batch changes)', () => {
  const n = branch('n'), mu = branch('mu'), fixed = branch('p3');
  assert.ok(n instanceof Branch);
  assert.is(n.name, 'n');
  const batches = [
    columnSlots({ n: flat([2, 0]), mu: jagged([[1.5, 2.5], []]), p3: { kind: 'fixed', type: 'f8', size: 3, values: Float64Array.from([1, 2, 3, 4, 5, 6]) } }),
    // another batch, columns in another order (another slot for each name)
    columnSlots({ p3: { kind: 'fixed', type: 'f8', size: 3, values: Float64Array.from([7, 8, 9]) }, mu: jagged([[9]]), n: flat([1]) }),
  ];
  const got: unknown[] = [];
  for (const [b, rows] of [[0, 2], [1, 1], [0, 2]] as const) {
    for (let r = 0; r < rows; r++) {
      const e = new EventClass(r, batches[b]!, r, setup);
      assert.is(e.scalar(n), e.scalar('n'));
      const byHandle = e.range(mu), lo = byHandle.start, hi = byHandle.end;
      const byName = e.range('mu');
      assert.equal([lo, hi], [byName.start, byName.end]);
      assert.equal(nums(e.array(fixed)), nums(e.array('p3')));
      assert.equal(e.get(mu), e.get('mu'));
      assert.ok(e.has(n));
      got.push([e.scalar(n), nums(e.array(mu)), nums(e.array(fixed))]);
    }
  }
  assert.equal(got, [
    [2, [1.5, 2.5], [1, 2, 3]], [0, [], [4, 5, 6]],
    [1, [9], [7, 8, 9]],
    [2, [1.5, 2.5], [1, 2, 3]], [0, [], [4, 5, 6]],
  ]);
});

test('a handle on a branch that was not read, or of the wrong kind, fails naming the branch', () => {
  const e = new EventClass(0, columnSlots({ n: flat([1]), mu: jagged([[1]]) }), 0, setup);
  assert.throws(() => e.scalar(branch('nope')), /branch 'nope' was not read/);
  assert.throws(() => e.range(branch('nope')), /branch 'nope' was not read/);
  assert.not.ok(e.has(branch('nope')));
  assert.throws(() => e.scalar(branch('mu')), /branch mu is an array \(jagged\); use event.array\('mu'\)/);
  assert.throws(() => e.range(branch('n')), /branch n is a scalar; use event.scalar\('n'\)/);
  assert.throws(() => branch(''), /non-empty string/);
});

// One handle per module, shared by two analyzers and by both files of a chunk (batches of 3 events).
const X = branch('x'), MU = branch('mu');
const sums: number[] = [];
class SumX extends Analyzer {
  static branches = ['x', 'mu'];
  override beginLoop(): void { this.counter('n').register('x').register('mu'); }
  override process(e: Event): void { this.counter('n').inc('x', e.scalar(X)); this.counter('n').inc('mu', e.range(MU).end - e.range(MU).start); }
}
class SumAgain extends Analyzer {
  static branches = ['x'];
  override process(e: Event): void { sums.push(e.scalar(X) + e.scalar('x')); }
}

test('handles in analyzers: the same counts as names over several batches and files', async () => {
  const root = mkdtempSync(join(tmpdir(), 'heppy-event-'));
  try {
    const file = (k: number): MemFile => ({ x: Array.from({ length: 7 }, (_, i) => 10 * k + i), mu: Array.from({ length: 7 }, (_, i) => Array.from({ length: i % 3 }, () => 1)) });
    const files = [file(0), file(1)];
    const spec: ChunkSpec = { name: 'c0', component: 'c', files: ['/in/a.root', '/in/b.root'], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/none.mjs', key: 'k1', attempt: 1 };
    const config = new Config({ components: [new Component('c', { files: spec.files })], sequence: new Sequence(new Analyzer(SumX), new Analyzer(SumAgain)) });
    const r = await runChunk(spec, join(root, 'c0'), { loadConfig: async () => config, openSource: async () => new MemorySource(files) });
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    const xs = files.flatMap((f) => f.x as number[]);
    assert.equal(sums, xs.map((x) => 2 * x));
    const cut = readFileSync(join(root, 'c0', 'SumX_1', 'n.txt'), 'utf8');
    assert.match(cut, new RegExp(`\\bx\\s+${xs.reduce((a, b) => a + b, 0)}\\b`));
    assert.match(cut, new RegExp(`\\bmu\\s+${2 * (0 + 1 + 2 + 0 + 1 + 2 + 0)}\\b`));
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test.run();
