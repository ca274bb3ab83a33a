// The heppyfile printed in README.md runs as written: it is cut out of the README, built next to a
// small copy of the demo data, and its merged cut flow and histogram are checked against the data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../util/shared.js';
import { makeData, scaledPlan } from '../../examples/make-data.js';
import { openRootFile } from '../../src/root/read/index.js';

const work = mkdtempSync(join(tmpdir(), 'heppy-readme-'));

function heppy(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: work, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Counts in the data itself: events, and events with at least `min` muons, over a component's files. */
async function truth(dir: string, files: number, min: number): Promise<{ all: number; pass: number }> {
  let all = 0, pass = 0;
  for (let i = 0; i < files; i++) {
    const f = await openRootFile(join(dir, `${dir.split('/').pop()}_${i}.root`));
    const col = await (await f.tree('events')).column('NMuon');
    for (const v of col.values as Int32Array) { all++; if (v >= min) pass++; }
    f.close();
  }
  return { all, pass };
}

test('README heppyfile builds and its cut flow matches the data', async () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = readme.match(/## The heppyfile[\s\S]*?```ts\n([\s\S]*?)```/);
  assert.ok(m, 'README has a ts block under "The heppyfile"');
  writeFileSync(join(work, 'heppyfile.ts'), m![1]!);
  const plan = scaledPlan(0.004).filter((p) => p.name === 'data_period_A' || p.name === 'ggH_125');
  await makeData(join(work, 'data'), plan, { log: () => undefined });

  const r = heppy('build', '-j', '2');
  assert.is(r.code, 0, r.out);
  const ggH = await truth(join(work, 'data', 'ggH_125'), 10, 2);
  const cut = readFileSync(join(work, 'Outdir', 'ggH_125', 'MuonPt_1', 'cutflow.txt'), 'utf8');
  assert.match(cut, new RegExp(`all\\s+${ggH.all} `));
  assert.match(cut, new RegExp(`>= 2 muons\\s+${ggH.pass} `));
  const f = await openRootFile(join(work, 'Outdir', 'ggH_125', 'MuonPt_1', 'histograms.root'));
  const h = await f.hist('pt');
  f.close();
  assert.is(h!.entries, ggH.pass);
  // -o changes the key of every chunk: all 20 + 5 chunks and every merge run again (20 chunks at the
  // default fan-in of 16: two first-level merges and the final one; 5 chunks: one merge)
  const again = heppy('build', '-j', '2', '-o', 'minMuons=3');
  assert.is(again.code, 0, again.out);
  assert.match(again.out, /29 run, 0 up to date, 0 failed/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
