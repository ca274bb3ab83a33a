// One branch that cannot be read is that branch's error: the file still inspects, every other
// branch has its reference values, and an analysis asking for the broken branch gets a RootError
// naming the file, the tree, the branch and the basket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile, type Json } from '../../../../src/root/read/summary.js';
import { RootError } from '../../../../src/root/errors.js';
import { repoRoot, sharedRootDir } from '../../../util/shared.js';

type Obj = { [k: string]: Json };
const shared = sharedRootDir();
const dir = mkdtempSync(join(tmpdir(), 'heppy-branch-errors-'));

if (shared !== null) {
  const src = join(shared, 'uproot-Zmumu.root');
  const broken = join(dir, 'zmumu-broken-E1.root');

  test('a corrupt basket of one branch: that branch reports the error, the rest of the file reads', async () => {
    copyFileSync(src, broken);
    const f0 = await openRootFile(src);
    const t0 = await f0.tree('events');
    const ref = t0.plan('E1').baskets[0]!;
    f0.close();
    // Overwrite the middle of E1's first (zlib) basket body: it can no longer be inflated.
    const bytes = readFileSync(broken);
    bytes.fill(0x5a, ref.seek + 100, ref.seek + Math.min(ref.bytes, 400));
    writeFileSync(broken, bytes);

    const want = JSON.parse(readFileSync(join(shared, 'summaries', 'uproot-Zmumu.json'), 'utf8')) as Obj;
    const f = await openRootFile(broken);
    let got: Obj;
    try { got = await summarizeFile(f); } finally { f.close(); }
    const gb = ((got.trees as Obj)['events;1'] as Obj).branches as Obj;
    const wb = ((want.trees as Obj)['events;1'] as Obj).branches as Obj;
    const e1 = gb.E1 as Obj;
    assert.is(e1.kind, 'error');
    assert.match(String(e1.error), /basket 0/);
    for (const [name, w] of Object.entries(wb)) {
      if (name === 'E1') continue;
      const g = gb[name] as Obj, wo = w as Obj;
      assert.is(g.count, wo.count, `${name} count`);
      if (typeof wo.sum === 'number') assert.ok(Math.abs(Number(g.sum) - wo.sum) <= 1e-9 * Math.abs(wo.sum), `${name} sum`);
    }
    const f2 = await openRootFile(broken);
    try {
      const t = await f2.tree('events');
      assert.is((await t.column('E2')).values.length, 2304, 'another branch reads in an analysis');
      try { await t.column('E1'); assert.unreachable('E1 must fail'); } catch (e) {
        assert.ok(e instanceof RootError);
        assert.match((e as RootError).message, /zmumu-broken-E1\.root: events\/E1: basket 0/);
      }
    } finally { f2.close(); }
  });

  test('heppy root inspect shows the broken branch with its reason and exits 0', () => {
    const p = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'root', 'inspect', broken], { encoding: 'utf8' });
    assert.is(p.status, 0, p.stderr);
    assert.match(p.stdout, /E1\s+double\s+error/);
    assert.match(p.stdout, /branches that cannot be read:\n {2}events;1\/E1: basket 0/);
    assert.match(p.stdout, /E2\s+double\s+scalar\s+2304/);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
