// hadd/tree.ts with injected inputs (TreeInput.object): a tree that holds a TTreeIndex or a
// TBranchRef is refused with the file, the tree and what it holds (ROOT re-sorts the index and
// merges the reference table; a merged tree silently without them would answer lookups wrongly).
// No shared file has either, so the tree of a heppy-written file is given one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeTree, type TreeInput } from '../../../../src/root/hadd/tree.js';
import { Source } from '../../../../src/root/hadd/keys.js';
import { RootError } from '../../../../src/root/errors.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { infoLookup, builtinInfos } from '../../../../src/root/read/infos.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-hadd-tree-'));
const input = join(dir, 'in.root');

test.before(async () => {
  const w = RootFileWriter.create(input, {});
  const t = w.createTree({ name: 'events', branches: [{ name: 'run', type: 'i4' }, { name: 'event', type: 'i4' }] });
  for (let i = 0; i < 100; i++) t.fill({ run: 1 + (i >> 4), event: i });
  await w.close();
});

/** Merges two copies of the input's tree, the second one's decoded tree changed by `change`. */
async function mergeWith(change: (t: Record<string, unknown>) => void): Promise<number> {
  const r = await openRootFile(input);
  const src = new Source(input);
  const out = RootFileWriter.create(join(dir, 'out.root'), {});
  try {
    const plain = (await r.object('events;1')) as Record<string, unknown>;
    const changed = (await r.object('events;1')) as Record<string, unknown>;
    change(changed);
    const inputs: TreeInput[] = [plain, changed].map((t) => ({ path: input, source: src, compress: 101, object: async () => t, appended: null }));
    const lookup = infoLookup([r.js], await builtinInfos(r.js));
    return await mergeTree(out, { dir: '', name: 'events', title: '', className: 'TTree', cycle: 1 }, 'events', inputs, { lookup, recompress: false });
  } finally { await out.close(); src.close(); r.close(); }
}

test('a plain tree merges (control)', async () => {
  assert.is(await mergeWith(() => {}), 200);
});

test('a tree with a TTreeIndex is refused, naming the file, the tree and the index', async () => {
  try {
    await mergeWith((t) => { t.fTreeIndex = { _typename: 'TTreeIndex', fMajorName: 'run', fMinorName: 'event', fN: 100 }; });
    assert.unreachable('merged');
  } catch (e) {
    assert.instance(e, RootError);
    const err = e as RootError;
    assert.is(err.file, input);
    assert.is(err.object, 'events');
    assert.match(err.reason, /has an index \(TTreeIndex on run, event\), which heppy cannot merge/);
  }
});

test('a tree with a TBranchRef is refused', async () => {
  try {
    await mergeWith((t) => { t.fBranchRef = { _typename: 'TBranchRef', fName: 'TRefTable' }; });
    assert.unreachable('merged');
  } catch (e) {
    assert.instance(e, RootError);
    assert.match((e as RootError).reason, /has a TBranchRef/);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
