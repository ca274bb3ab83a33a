// Acceptance (issue 3): the merged outputs of an analysis: tree entries equal the sum over chunks,
// histogram contents equal the sum over chunks, counters and averages are the sums. Input files are
// written with heppy's ROOT writer, chunks run with runChunk (real reader, real looper), the merge
// runs through `heppy hadd`, and everything is read back with heppy's reader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, fill1, fill2, type Event, type Hist, type BookedTree } from '../../src/index.js';
import { runChunk } from '../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../src/chunkdir/spec.js';
import { RootFileWriter } from '../../src/root/write/index.js';
import { openRootFile } from '../../src/root/read/index.js';
import type { Column } from '../../src/root/types.js';
import { repoRoot } from '../util/shared.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-acceptance-'));
const inputs = join(root, 'data');
const outdir = join(root, 'Outdir');
const SIZES = [500, 731, 0, 268, 1];

/** Deterministic events: a few leptons with pt and eta. */
async function writeInput(path: string, n: number, seed: number): Promise<void> {
  const w = RootFileWriter.create(path);
  const t = w.createTree({ name: 'events', branches: [
    { name: 'nLep', type: 'i4' },
    { name: 'lep_pt', type: 'f4', shape: { counter: 'nLep' } },
    { name: 'lep_eta', type: 'f4', shape: { counter: 'nLep' } },
    { name: 'run', type: 'i4' },
  ] });
  let s = seed;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * 6);
    const pt = Array.from({ length: k }, () => 5 + rnd() * 95);
    const eta = Array.from({ length: k }, () => -2.5 + rnd() * 5);
    t.fill({ nLep: k, lep_pt: pt, lep_eta: eta, run: seed * 100000 + i });
  }
  await w.close();
}

class Selector extends Analyzer<{ minLeptons: number }> {
  static branches = ['nLep', 'lep_pt', 'lep_eta', 'run'];
  private hPt!: Hist;
  private hPtEta!: Hist;
  private sel!: BookedTree;
  override beginLoop(): void {
    const c = this.counter('cut_flow');
    c.register('All events'); c.register('>= 2 leptons'); c.register('leading pt > 40');
    this.hPt = this.hist1('lep_pt', 'lepton pt', 40, 0, 100);
    this.hPtEta = this.hist2('pt_eta', 'pt vs eta', 10, 0, 100, 10, -2.5, 2.5, { precision: 'F' });
    this.sel = this.tree('sel', [
      { name: 'run', type: 'i4' },
      { name: 'nLep', type: 'i4' },
      { name: 'lep_pt', type: 'f4', shape: { counter: 'nLep' } },
      { name: 'sumpt', type: 'f8' },
    ]);
  }
  override process(e: Event): boolean {
    const c = this.counter('cut_flow');
    c.inc('All events');
    const pt = e.array('lep_pt'), eta = e.array('lep_eta');
    for (let i = 0; i < pt.length; i++) {
      fill1(this.hPt, Number(pt[i]));
      fill2(this.hPtEta, Number(pt[i]), Number(eta[i]), 0.5);
    }
    if (pt.length < this.params.minLeptons) return false;
    c.inc('>= 2 leptons');
    const lead = Math.max(...Array.from(pt, Number));
    if (lead <= 40) return false;
    c.inc('leading pt > 40');
    this.average('lead_pt').add(lead);
    let sum = 0;
    for (const p of pt) sum += Number(p);
    this.sel.fill({ run: e.scalar('run'), nLep: pt.length, lep_pt: pt, sumpt: sum });
    return true;
  }
}

const asNumbers = (c: Column): number[] => Array.from(c.values as ArrayLike<number>, Number);

test('merged tree entries and values, histograms, counters and averages equal the sums over chunks', async () => {
  mkdirSync(inputs, { recursive: true });
  const files = SIZES.map((_, i) => join(inputs, `f${i}.root`));
  for (const [i, f] of files.entries()) await writeInput(f, SIZES[i]!, i + 1);
  const comp = new Component('zz', { files });
  const config = new Config({ components: [comp], sequence: new Sequence(new Analyzer(Selector, { minLeptons: 2 })), tree: 'events' });
  const chunkDirs: string[] = [];
  for (const [i, f] of files.entries()) {
    const spec: ChunkSpec = { name: `zz_Chunk${i}`, component: 'zz', files: [f], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/unused.mjs', key: `k${i}`, attempt: 1 };
    const dir = join(outdir, spec.name);
    const r = await runChunk(spec, dir, { loadConfig: async () => config });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    chunkDirs.push(dir);
  }

  const heppy = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), ...args], { cwd: root, encoding: 'utf8' });
  const h = heppy(['hadd', 'Outdir']);
  assert.is(h.status, 0, h.stdout + h.stderr);
  // The empty chunk never reached the average (booked at its first use): nothing to add from it.
  assert.is(h.stdout, 'zz: 5 of 5 chunks merged into Outdir/zz\nwarning: Selector_1/lead_pt.json: not produced by zz_Chunk2 (merged from the other 4)\n');
  const merged = join(outdir, 'zz', 'Selector_1');

  // Trees: entries are the sum, values the concatenation in chunk order.
  const want: Record<string, number[]> = { run: [], nLep: [], lep_pt: [], sumpt: [] };
  let entries = 0;
  for (const d of chunkDirs) {
    const f = await openRootFile(join(d, 'Selector_1', 'tree.root'));
    const t = await f.tree('sel');
    entries += t.entries;
    for (const b of Object.keys(want)) want[b]!.push(...asNumbers(await t.column(b)));
    f.close();
  }
  assert.ok(entries > 100, `only ${entries} selected events`);
  const mf = await openRootFile(join(merged, 'tree.root'));
  const mt = await mf.tree('sel');
  assert.is(mt.entries, entries);
  for (const b of Object.keys(want)) assert.equal(asNumbers(await mt.column(b)), want[b], `branch ${b}`);
  const jag = await mt.column('lep_pt');
  assert.is(jag.kind, 'jagged');
  mf.close();

  // Histograms: bin contents (with under/overflow), sumw2, entries and statistics are the sums.
  for (const name of ['lep_pt', 'pt_eta']) {
    let sum: Hist | null = null;
    for (const d of chunkDirs) {
      const f = await openRootFile(join(d, 'Selector_1', 'histograms.root'));
      const hh = (await f.hist(name))!;
      f.close();
      if (sum === null) sum = hh;
      else {
        for (let i = 0; i < sum.contents.length; i++) { sum.contents[i]! += hh.contents[i]!; sum.sumw2[i]! += hh.sumw2[i]!; }
        sum.entries += hh.entries; sum.tsumw += hh.tsumw; sum.tsumwx += hh.tsumwx;
      }
    }
    const f = await openRootFile(join(merged, 'histograms.root'));
    const m = (await f.hist(name))!;
    f.close();
    assert.is(m.kind, name === 'lep_pt' ? 'TH1D' : 'TH2F');
    assert.equal(Array.from(m.contents), Array.from(sum!.contents), `${name} contents`);
    for (let i = 0; i < m.sumw2.length; i++) assert.ok(Math.abs(m.sumw2[i]! - sum!.sumw2[i]!) < 1e-9, `${name} sumw2[${i}]`);
    assert.is(m.entries, sum!.entries);
    assert.ok(Math.abs(m.tsumw - sum!.tsumw) < 1e-6 && Math.abs(m.tsumwx - sum!.tsumwx) < 1e-6, `${name} statistics`);
  }

  // Counters: every level summed; the All events level is the total input.
  const cut = JSON.parse(readFileSync(join(merged, 'cut_flow.json'), 'utf8')) as { levels: [string, number][] };
  const chunkCuts = chunkDirs.map((d) => (JSON.parse(readFileSync(join(d, 'Selector_1', 'cut_flow.json'), 'utf8')) as { levels: [string, number][] }).levels);
  assert.equal(cut.levels.map(([, n]) => n), [0, 1, 2].map((i) => chunkCuts.reduce((a, l) => a + l[i]![1], 0)));
  assert.is(cut.levels[0]![1], SIZES.reduce((a, b) => a + b, 0));
  assert.is(cut.levels[2]![1], entries);
  const avg = JSON.parse(readFileSync(join(merged, 'lead_pt.json'), 'utf8')) as { sumw: number };
  assert.is(avg.sumw, entries);
  assert.is(readFileSync(join(outdir, 'zz', 'processing.yaml'), 'utf8'), 'processing:\n  nfiles: 5\n  ngoodfiles: 5\n');

  // And heppy check agrees that every chunk is good.
  const c = heppy(['check', 'Outdir']);
  assert.is(c.status, 0, c.stdout);
  assert.is(c.stdout, '5 chunks checked: 5 good, 0 bad\n1 merged component checked: 1 good, 0 bad\n');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
