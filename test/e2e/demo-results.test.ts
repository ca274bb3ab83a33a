// The demo's results are pinned: cut flows, averages, histograms (contents, sumw2, statistics)
// and the candidates tree (every value) of the demo analysis over a small copy of the sample
// data, one chunk per component, must stay exactly what they were when the event loop and the
// reader were sped up (issue 11). A change of these digests is a change of results, never a
// speed-up. Runs in process (runChunk, as a worker does), ≈ 12,000 events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeData, scaledPlan } from '../../examples/make-data.js';
import { LeptonSelector } from '../../examples/analyzers/lepton-selector.js';
import { ZZSelector } from '../../examples/analyzers/zz-selector.js';
import { Analyzer, Config, DataComponent, MCComponent, Sequence } from '../../src/index.js';
import { runChunk } from '../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../src/chunkdir/spec.js';
import { openRootFile } from '../../src/root/read/index.js';
import { hashString, initHash } from '../../src/fingerprint/hash.js';

const work = mkdtempSync(join(tmpdir(), 'heppy-demo-results-'));
const data = join(work, 'data');

function component(name: string, files: string[]): DataComponent | MCComponent {
  if (name.startsWith('data')) return new DataComponent(name, { files, intLumi: 69_000 });
  if (name === 'ZZ') return new MCComponent(name, { files, xSection: 1.256, nGenEvents: 300_000, genWeightBranch: 'EventWeight' });
  return new MCComponent(name, { files, xSection: 0.0133, nGenEvents: 200_000 });
}

/** Text of every stat file and the decoded content of every ROOT object, in a fixed order. */
async function results(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const ana of ['LeptonSelector_1', 'ZZSelector_1']) {
    const d = join(dir, ana);
    for (const f of readdirSync(d).sort()) {
      if (f.endsWith('.txt') || f.endsWith('.json')) parts.push(`${ana}/${f}\n${readFileSync(join(d, f), 'utf8')}`);
    }
  }
  const hf = await openRootFile(join(dir, 'ZZSelector_1', 'histograms.root'));
  try {
    for (const name of ['m4l', 'mZ1', 'mZ2', 'mZ1_mZ2']) {
      const h = await hf.hist(name);
      if (h === null) throw new Error(`${dir}: no histogram ${name}`);
      parts.push(`${name} ${h.kind} ${h.entries} ${h.tsumw} ${h.tsumw2} ${h.tsumwx} ${h.tsumwx2} ${h.tsumwy} ${h.tsumwy2} ${h.tsumwxy}`,
        Array.from(h.contents).join(','), Array.from(h.sumw2).join(','));
    }
  } finally { hf.close(); }
  const tf = await openRootFile(join(dir, 'ZZSelector_1', 'tree.root'));
  try {
    const t = await tf.tree('candidates');
    parts.push(`candidates ${t.entries}`);
    for (const b of ['m4l', 'mZ1', 'mZ2', 'pt4l', 'channel', 'weight', 'iEv', 'nLep', 'lep_pt', 'lep_charge']) {
      const c = await t.column(b);
      parts.push(`${b} ${Array.from(c.values as ArrayLike<number | bigint>, String).join(',')}${c.kind === 'jagged' ? ` / ${Array.from(c.offsets).join(',')}` : ''}`);
    }
  } finally { tf.close(); }
  return parts.join('\n');
}

const cutflow = (dir: string, ana: string): string => readFileSync(join(dir, ana, 'cutflow.txt'), 'utf8');

// Digests of results() recorded with the reader and looper of 84b3198 (before issue 11's work).
const golden: Record<string, string> = {
  data_period_A: 'e88d1e925954b1e4',
  data_period_B: 'f1cf51307d47bdb4',
  ggH_125: '507656880680872c',
  ZZ: '36f99028fba076e4',
};

test('the demo analysis gives exactly the recorded cut flows, averages, histograms and candidates', async () => {
  await initHash();
  const plan = scaledPlan(0.012); // 300 events per data file, 240 per MC file
  await makeData(data, plan, { log: () => undefined });
  const got: Record<string, string> = {};
  for (const { name } of plan) {
    const files = readdirSync(join(data, name)).filter((f) => f.endsWith('.root')).sort().map((f) => join(data, name, f));
    const config = new Config({
      components: [component(name, files)], tree: 'events',
      sequence: new Sequence(
        new Analyzer(LeptonSelector, { minLeptons: 4, muonPt: 5, electronPt: 7, maxEta: 2.5, maxIso: 0.35 }),
        new Analyzer(ZZSelector, { z1Window: [40, 120], z2Window: [12, 120], minM4l: 70 }),
      ),
    });
    const spec: ChunkSpec = { name, component: name, files, tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'golden', attempt: 1 };
    const dir = join(work, 'out', name);
    const r = await runChunk(spec, dir, { loadConfig: async () => config });
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    got[name] = hashString(await results(dir));
    if (name === 'ggH_125') {
      assert.match(cutflow(dir, 'LeptonSelector_1'), /All events\s+2400\b/);
      assert.match(cutflow(dir, 'ZZSelector_1'), /4 leptons\s+\d+/);
    }
  }
  assert.equal(got, golden);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
