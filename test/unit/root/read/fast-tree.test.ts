// RootFileReader.tree decodes the TTree object natively (fast-decode.ts, with the infos jsroot
// decoded for the file) instead of through jsroot's generic streamers: on every tree of the shared
// files and of a file heppy writes, the reader's branch plans (types, shapes, baskets with their
// seeks, sizes and entry ranges) equal those made from jsroot's decoding of the same key, and the
// native path is the one taken (no silent fallback on these files).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRootFile, treeDecodes } from '../../../../src/root/read/file.js';
import { leafBranches, planBranches } from '../../../../src/root/read/branches.js';
import type { JsBranch, JsTree } from '../../../../src/root/read/jsroot.js';
import { RootFileWriter } from '../../../../src/root/write/index.js';
import { sharedRootDir } from '../../../util/shared.js';

const shared = sharedRootDir();
const tmp = mkdtempSync(join(tmpdir(), 'heppy-fast-tree-'));

/** Trees compared, trees whose native decoding fell back to jsroot. */
async function compare(path: string): Promise<{ trees: number; fellBack: number }> {
  const r = await openRootFile(path);
  const out = { trees: 0, fellBack: 0 };
  try {
    for (const k of r.keys()) {
      if (!['TTree', 'TNtuple', 'TNtupleD'].includes(k.className)) continue;
      const before = treeDecodes.jsroot;
      let t;
      try { t = await r.tree(`${k.path};${k.cycle}`); } catch { continue; } // a tree the reader refuses either way
      if (treeDecodes.jsroot > before) out.fellBack++;
      const js = (await r.object(`${k.path};${k.cycle}`)) as JsTree;
      const plans = leafBranches(js.fBranches.arr as JsBranch[]).flatMap((b) => planBranches(b, r.js));
      assert.is(t.entries, Number(js.fEntries), `${path} ${k.path}: entries`);
      assert.equal([...(t as unknown as { plans: Map<string, unknown> }).plans.values()],
        [...new Map(plans.map((p) => [p.info.name, p] as const)).values()], `${path} ${k.path}: branch plans`);
      out.trees++;
    }
  } finally { r.close(); }
  return out;
}

test('a tree heppy writes: same plans as jsroot\'s decoding, decoded natively', async () => {
  const p = join(tmp, 'w.root');
  const w = RootFileWriter.create(p);
  const t = w.createTree({ name: 'events', branches: [{ name: 'x', type: 'f8' }, { name: 'n', type: 'i4' }, { name: 'pt', type: 'f4', shape: { counter: 'n' } }] });
  for (let i = 0; i < 1000; i++) t.fill({ x: i, n: i % 3, pt: Float32Array.from({ length: i % 3 }, (_, j) => j) });
  await w.close();
  const r = await compare(p);
  assert.equal(r, { trees: 1, fellBack: 0 });
  const f = await openRootFile(p);
  const col = await (await f.tree('events')).column('x');
  assert.is((col.values as Float64Array).reduce((a, b) => a + b, 0), 499500);
  f.close();
});

if (shared !== null) {
  test('every tree of the shared files: same plans as jsroot\'s decoding', async () => {
    let trees = 0, fellBack = 0;
    for (const name of readdirSync(shared).filter((n) => n.endsWith('.root')).sort()) {
      let r;
      try { r = await compare(join(shared, name)); } catch (e) {
        if ((e as { name?: string }).name === 'Assertion') throw e;
        continue; // a file the reader cannot open at all (tested elsewhere)
      }
      trees += r.trees;
      fellBack += r.fellBack;
    }
    assert.ok(trees >= 20, `${trees} trees compared`);
    // Native for nearly all: a fallback is allowed (STL members, Double32 ranges) but must stay the exception.
    assert.ok(fellBack <= trees / 4, `${fellBack} of ${trees} trees fell back to jsroot`);
    console.log(`fast-tree: ${trees} trees of the shared files compared, ${fellBack} decoded by jsroot`);
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
