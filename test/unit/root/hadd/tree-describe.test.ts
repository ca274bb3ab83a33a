// hadd/tree-describe.ts: the merged TTree's description. Cluster ranges of a concatenation (each
// input's shifted, closed at its last entry, empty inputs skipped); the first input's tree and
// branches rewritten with the merged counts, basket lists and leaf ranges over every input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterRanges, describeTree } from '../../../../src/root/hadd/tree-describe.js';
import { openTree, type Opened } from '../../../../src/root/hadd/tree-match.js';
import { MergedBaskets } from '../../../../src/root/hadd/basket-runs.js';
import { Source } from '../../../../src/root/hadd/keys.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-tree-describe-'));
const input = join(dir, 'in.root');

test.before(async () => {
  const w = RootFileWriter.create(input, {});
  const t = w.createTree({ name: 'events', branches: [{ name: 'n', type: 'i4' }, { name: 'x', type: 'f8', shape: { counter: 'n' } }] });
  for (let i = 0; i < 10; i++) t.fill({ n: i % 4, x: Float64Array.from({ length: i % 4 }, (_, k) => k) });
  await w.close();
});

const fake = (entries: number, tree: Record<string, unknown>): Opened => ({ entries, tree } as unknown as Opened);

test('clusterRanges: ranges shifted by the entries before, each input closed at its last entry, empty ones skipped', () => {
  const c = clusterRanges([
    fake(250, { fNClusterRange: 0, fAutoFlush: 100 }),
    fake(0, { fNClusterRange: 1, fClusterRangeEnd: [7], fClusterSize: [3] }),
    fake(300, { fNClusterRange: 1, fClusterRangeEnd: [99], fClusterSize: [50], fAutoFlush: 200 }),
    fake(40, { fNClusterRange: 1, fClusterRangeEnd: [39], fClusterSize: [20], fAutoFlush: -5 }),
  ]);
  assert.equal(c.ends, [249, 349, 549, 589]);
  assert.equal(c.sizes, [100, 50, 200, 20]);
  // No autoflush: the input's whole range is one cluster of its entries.
  assert.equal(clusterRanges([fake(17, {})]), { ends: [16], sizes: [17] });
});

async function opened(change: (t: Record<string, unknown>) => void = () => undefined): Promise<Opened> {
  const r = await openRootFile(input);
  const t = (await r.object('events;1')) as Record<string, unknown>;
  r.close();
  change(t);
  return openTree({ path: input, source: new Source(input), compress: 101, object: async () => t, appended: null }, 'events');
}

test('describeTree: the first input\'s tree with the merged entries, bytes, basket lists and leaf ranges', async () => {
  const a = await opened();
  // The second input's counter reached 9: the merged counter's range covers it.
  const b = await opened((t) => {
    const n = (t.fBranches as { arr: Record<string, unknown>[] }).arr[0]!;
    (n.fLeaves as { arr: Record<string, unknown>[] }).arr[0]!.fMaximum = 9;
  });
  const out = a.order.map((_, j) => {
    const m = new MergedBaskets(2);
    m.put(0, 1000 + j, 40, 100);
    m.put(1, 2000 + j, 60, 150);
    m.n = 2;
    m.entries = 20;
    return m;
  });
  const t = describeTree([a, b], [a.order, b.order], out, 20);
  assert.ok(t === a.tree, 'the first input\'s tree, rewritten');
  assert.equal([t.fEntries, t.fTotBytes, t.fZipBytes], [20, 500, 200]);
  const [n, x] = a.order.map((o) => o.b as unknown as Record<string, unknown>);
  assert.equal([n!.fEntries, n!.fWriteBasket, n!.fTotBytes, n!.fZipBytes], [20, 2, 250, 100]);
  assert.equal([...(x!.fBasketSeek as Float64Array).slice(0, 2)], [1001, 2001]);
  assert.equal([...(x!.fBasketBytes as Int32Array).slice(0, 2)], [40, 60]);
  assert.is((x!.fBasketEntry as Float64Array)[2], 20, 'the slot after the last basket holds the entry count');
  assert.is(((n!.fLeaves as { arr: Record<string, unknown>[] }).arr[0]!).fMaximum, 9);
  if ('fClusterRangeEnd' in t) assert.equal(t.fClusterRangeEnd, clusterRanges([a, b]).ends);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
