// hadd/tree.ts with injected inputs (TreeInput.object): a tree that holds a TTreeIndex or a
// TBranchRef is refused with the file, the tree and what it holds (ROOT re-sorts the index and
// merges the reference table; a merged tree silently without them would answer lookups wrongly).
// No shared file has either, so the tree of a heppy-written file is given one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdtempSync, openSync, closeSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { mergeRootFiles } from '../../../../src/root/hadd/index.js';
import { basketsOf } from '../../../../src/root/read/branches.js';
import type { JsBranch } from '../../../../src/root/read/jsroot.js';
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

// The baskets of each input are copied on the thread pool while the next input is decoded: a basket
// whose key disagrees with its branch, in a middle input, stops the merge with that input, its
// tree and branch named, once no copy is in flight; nothing of the output is left.
test('a damaged basket key in the second of three inputs fails the merge, naming it; no output left', async () => {
  const big = join(dir, 'big.root');
  const w = RootFileWriter.create(big, {});
  const t = w.createTree({ name: 'events', branches: [{ name: 'run', type: 'i4' }, { name: 'x', type: 'f8' }] });
  for (let i = 0; i < 200_000; i++) t.fill({ run: i >> 10, x: i * 0.5 });
  await w.close();
  const ins = [1, 2, 3].map((i) => join(dir, `m${i}.root`));
  for (const p of ins) copyFileSync(big, p);
  // The 5th basket of branch x in the second input: its key's byte count changed.
  const r = await openRootFile(ins[1]!);
  const tree = (await r.object('events;1')) as { fBranches: { arr: JsBranch[] } };
  const refs = basketsOf(tree.fBranches.arr.find((b) => b.fName === 'x')!);
  r.close();
  assert.ok(refs.length > 5, `${refs.length} baskets`);
  const fd = openSync(ins[1]!, 'r+');
  const b = Buffer.alloc(4); b.writeInt32BE(refs[4]!.bytes + 8);
  writeSync(fd, b, 0, 4, refs[4]!.seek);
  closeSync(fd);
  const out = join(dir, 'merged.root');
  const m = await mergeRootFiles(out, ins);
  assert.not.ok(m.ok, 'merged');
  if (!m.ok) {
    assert.is(m.error.file, ins[1]);
    assert.is(m.error.object, 'events/x');
    assert.match(m.error.reason, new RegExp(`basket 4 at ${refs[4]!.seek}: key says ${refs[4]!.bytes + 8} bytes, branch says ${refs[4]!.bytes}`));
  }
  assert.not.ok(existsSync(out));
  assert.equal(readdirSync(dir).filter((f) => f.includes('heppy-tmp')), []);
  // The undamaged inputs merge (control): 600,000 entries.
  const ok = await mergeRootFiles(out, [ins[0]!, ins[2]!, big]);
  assert.ok(ok.ok && ok.value.entries === 600_000, JSON.stringify(ok));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
