// hadd/tree-match.ts: the inputs of a tree merge opened and matched. A heppy-written tree's branches
// in order, its entries; an identical input matched branch by branch; a branch missing, extra or of
// another type refused naming the file and branch; an index refused; basket lists counted and checked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basketLists, match, openTree, refuseDropped, type Opened, type TreeInput } from '../../../../src/root/hadd/tree-match.js';
import { Source } from '../../../../src/root/hadd/keys.js';
import { RootError } from '../../../../src/root/errors.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-tree-match-'));
const input = join(dir, 'in.root');

test.before(async () => {
  const w = RootFileWriter.create(input, {});
  // Small baskets: 1000 rows of 4-byte numbers make several baskets per branch.
  const t = w.createTree({ name: 'events', basketBytes: 1024, branches: [{ name: 'run', type: 'i4' }, { name: 'pt', type: 'f8' }] });
  for (let i = 0; i < 1000; i++) t.fill({ run: 1 + (i >> 8), pt: i / 4 });
  await w.close();
});

/** The input's tree, opened afresh (each call decodes its own copy, to be changed by `change`). */
async function opened(change: (t: Record<string, unknown>) => void = () => undefined): Promise<Opened> {
  const r = await openRootFile(input);
  const t = (await r.object('events;1')) as Record<string, unknown>;
  r.close();
  change(t);
  const inp: TreeInput = { path: input, source: new Source(input), compress: 101, object: async () => t, appended: null };
  return openTree(inp, 'events');
}

const refusal = (f: () => unknown): RootError => {
  try { f(); } catch (e) { if (e instanceof RootError) return e; throw e; }
  throw new Error('not refused');
};
const branchArr = (t: Record<string, unknown>): Record<string, unknown>[] => (t.fBranches as { arr: Record<string, unknown>[] }).arr;

test('openTree: the branches in order and the entries', async () => {
  const o = await opened();
  assert.equal(o.order.map((n) => n.path), ['run', 'pt']);
  assert.is(o.entries, 1000);
  assert.equal([...o.nodes.keys()], ['run', 'pt']);
});

test('openTree: a tree whose entries are not a count is corrupt', async () => {
  const e = await opened((t) => { t.fEntries = -1; }).then(() => null, (x: unknown) => x);
  assert.ok(e instanceof RootError);
  assert.match((e as RootError).reason, /TTree metadata is corrupt/);
});

test('match: an identical input gives its own branches in the first input\'s order', async () => {
  const a = await opened(), b = await opened();
  assert.equal(match(a, b, 'events').map((n) => n.path), ['run', 'pt']);
  assert.ok(match(a, b, 'events')[0]!.b === b.nodes.get('run')!.b, 'the second input\'s branch object');
});

test('match: a branch missing, one not in the first input, one of another type: refused naming it', async () => {
  const a = await opened();
  const missing = await opened((t) => { branchArr(t).splice(1, 1); });
  assert.equal([refusal(() => match(a, missing, 'events')).object, refusal(() => match(a, missing, 'events')).reason],
    ['events/pt', `branch is missing (it is in ${input})`]);
  const extra = await opened((t) => { branchArr(t)[1]!.fName = 'eta'; });
  assert.match(refusal(() => match(a, extra, 'events')).reason, /branch is not in .*matched by name/);
  const other = await opened((t) => {
    const leaf = (branchArr(t)[0]!.fLeaves as { arr: Record<string, unknown>[] }).arr[0]!;
    leaf._typename = 'TLeafF';
  });
  const e = refusal(() => match(a, other, 'events'));
  assert.is(e.object, 'events/run');
  assert.match(e.reason, /^branch differs: .*TLeafF.*, in .*: .*TLeafI/);
});

test('refuseDropped: a tree with an index or a TBranchRef is refused; a plain one is not', async () => {
  refuseDropped(await opened(), 'events');
  const idx = await opened((t) => { t.fTreeIndex = { _typename: 'TTreeIndex', fMajorName: 'run', fMinorName: 'event' }; });
  assert.match(refusal(() => refuseDropped(idx, 'events')).reason, /has an index \(TTreeIndex on run, event\)/);
  const ref = await opened((t) => { t.fBranchRef = { _typename: 'TBranchRef' }; });
  assert.match(refusal(() => refuseDropped(ref, 'events')).reason, /has a TBranchRef/);
});

test('basketLists: each branch\'s baskets cover its entries in order; out of order or short, refused naming the branch', async () => {
  const o = await opened();
  const [lists] = basketLists([o], [o.order], 'events');
  assert.is(lists!.length, 2);
  for (const l of lists!) {
    assert.ok(l.n > 1, `${l.n} baskets`);
    assert.is(l.start[0], 0);
    assert.is(l.stop[l.n - 1], 1000);
  }
  // Basket 1 made to start past where it stops: its entries out of order.
  const back = await opened((t) => { const e = branchArr(t)[0]!.fBasketEntry as number[]; e[1] = e[2]! + 5; });
  const e = refusal(() => basketLists([back], [back.order], 'events'));
  assert.is(e.object, 'events/run');
  assert.match(e.reason, /^basket 1 covers entries (\d+)-(\d+), expected to start at \1$/);
  const short = await opened((t) => { branchArr(t)[1]!.fEntries = 999; });
  assert.is(refusal(() => basketLists([short], [short.order], 'events')).reason, 'branch has 999 entries, the tree 1000: cannot be concatenated');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
