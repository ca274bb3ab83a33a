// ROOT hadd's glued compression flags become heppy's spelled-out options (only for root merge),
// and the CLI applies them: -f505 recompresses every basket to zstd, -n 2 merges in steps with
// the same result.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { normalizeHaddFlags, splitTrailingInputs } from '../../../../src/cli/root/hadd-flags.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile, type Json } from '../../../../src/root/read/summary.js';
import { repoRoot, sharedRootDir } from '../../../util/shared.js';

type Obj = { [k: string]: Json };

test('hadd flags are rewritten for root merge only', () => {
  assert.equal(normalizeHaddFlags(['root', 'merge', '-fk', 'o.root', 'a.root']), ['root', 'merge', '-f', 'o.root', 'a.root']);
  assert.equal(normalizeHaddFlags(['root', 'merge', '-fk404', 'o.root']), ['root', 'merge', '-f', '--compression', '404', 'o.root']);
  assert.equal(normalizeHaddFlags(['root', 'merge', '-ff', 'o.root']), ['root', 'merge', '-f', '--compression', 'first', '--recompress', 'o.root']);
  assert.equal(normalizeHaddFlags(['root', 'merge', '-f505', '-k', 'o.root']), ['root', 'merge', '-f', '--compression', '505', '--recompress', '-k', 'o.root']);
  assert.equal(normalizeHaddFlags(['root', 'inspect', '-f505']), ['root', 'inspect', '-f505']);
});

test('-j alone is one job per core, -j<N> is -j N, -j N stays; only for root merge', () => {
  const cores = String(availableParallelism());
  assert.equal(normalizeHaddFlags(['root', 'merge', '-j', 'o.root', 'a.root']), ['root', 'merge', '-j', cores, 'o.root', 'a.root']);
  assert.equal(normalizeHaddFlags(['root', 'merge', 'o.root', 'a.root', '-j']), ['root', 'merge', 'o.root', 'a.root', '-j', cores]);
  assert.equal(normalizeHaddFlags(['root', 'merge', '-j', '3', 'o.root']), ['root', 'merge', '-j', '3', 'o.root']);
  assert.equal(normalizeHaddFlags(['root', 'merge', '-j12', 'o.root']), ['root', 'merge', '-j', '12', 'o.root']);
  assert.equal(normalizeHaddFlags(['build', '-j']), ['build', '-j']);
  // Only the exact glued spellings: anything else is left for the parser to judge.
  assert.equal(normalizeHaddFlags(['root', 'merge', '-fkx', '-f5a', '-jx']), ['root', 'merge', '-fkx', '-f5a', '-jx']);
});

const shared = sharedRootDir();
if (shared !== null) {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-hadd-flags-'));
  const run = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'root', 'merge', ...args], { encoding: 'utf8' });
  const summary = async (p: string): Promise<Obj> => { const f = await openRootFile(p); try { return await summarizeFile(f); } finally { f.close(); } };
  const a = join(shared, 'uproot-HZZ-zlib.root'), b = join(shared, 'uproot-HZZ-lz4.root'), c = join(shared, 'uproot-HZZ.root');

  test('-f505: baskets of zlib and lz4 inputs recompressed to zstd, values unchanged', async () => {
    const out = join(dir, 'z.root');
    const p = run('-f505', out, a, b);
    assert.is(p.status, 0, p.stderr);
    const s = await summary(out);
    assert.is((s.header as Obj).fCompress, 505);
    const br = ((s.trees as Obj)['events;1'] as Obj).branches as Obj;
    for (const [name, v] of Object.entries(br)) {
      const comp = (v as Obj).basket_compression as Obj;
      assert.equal(Object.keys(comp).filter((k) => k !== 'none'), ['zstd'], `${name}: ${JSON.stringify(comp)}`);
    }
    const one = ((await summary(a)).trees as Obj)['events;1'] as Obj;
    assert.is(((br.Muon_Px as Obj).count as number), 2 * (((one.branches as Obj).Muon_Px as Obj).count as number));
  });

  test('-n 2 over three inputs: the same trees as one merge, no step files left', async () => {
    const steps = join(dir, 'steps.root'), once = join(dir, 'once.root');
    let p = run('-f', '-n', '2', steps, a, b, c);
    assert.is(p.status, 0, p.stderr);
    assert.match(p.stdout, /merged 3 file\(s\): 1 tree\(s\) with 7263 entries/);
    p = run(once, a, b, c);
    assert.is(p.status, 0, p.stderr);
    const x = (await summary(steps)).trees as Obj, y = (await summary(once)).trees as Obj;
    for (const [bn, v] of Object.entries(((y['events;1'] as Obj).branches as Obj))) {
      const w = ((x['events;1'] as Obj).branches as Obj)[bn] as Obj;
      assert.equal([w.count, w.sum, w.min, w.max], [(v as Obj).count, (v as Obj).sum, (v as Obj).min, (v as Obj).max], bn);
    }
    assert.is(spawnSync('sh', ['-c', `ls -a ${dir} | grep -c heppy-step`], { encoding: 'utf8' }).stdout.trim(), '0');
    p = run('-f', '-n', '1', steps, a);
    assert.is(p.status, 2);
    assert.match(p.stderr, /-n: expected a whole number of files ≥ 2/);
  });
  test.after(() => rmSync(dir, { recursive: true, force: true }));
}

test('splitTrailingInputs: only the plain run of input files after the first is split off', () => {
  const m = ['root', 'merge'];
  assert.equal(splitTrailingInputs([...m, '-f', 'out', 'a', 'b', 'c']), { parse: [...m, '-f', 'out', 'a'], rest: ['b', 'c'] });
  assert.equal(splitTrailingInputs([...m, 'out', 'a', 'b', '-j', '2', 'c', 'd']), { parse: [...m, 'out', 'a', 'b', '-j', '2'], rest: ['c', 'd'] });
  assert.equal(splitTrailingInputs([...m, 'out', 'a', 'b', '-k']), { parse: [...m, 'out', 'a', 'b', '-k'], rest: [] });
  assert.equal(splitTrailingInputs([...m, '-n', '5', 'out', 'a']), { parse: [...m, '-n', '5', 'out', 'a'], rest: [] });
  assert.equal(splitTrailingInputs([...m, 'out', '--', 'a', 'b', 'c']).rest, []);
  assert.equal(splitTrailingInputs(['root', 'inspect', 'a', 'b', 'c']).rest, []);
});

test.run();
