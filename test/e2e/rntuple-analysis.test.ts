// An analysis over RNTuple inputs, end to end through `heppy build`: over the CMS DoubleMuParked
// RNTuple (nMuon through a projected cardinality field, Muon_pt through a projected RVec) the
// counts and sums equal the reference summary; over the same events in a TTree and in an RNTuple
// written by heppy the cut flows and histograms are identical; an RNTuple booked as an output
// ({format: 'rntuple'}) is merged by the component's hadd and reads back with every event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, sharedRootDir } from '../util/shared.js';
import { openRootFile } from '../../src/root/read/index.js';
import { RootFileWriter } from '../../src/root/write/index.js';
import { RNTupleReader } from '../../src/root/rntuple/reader.js';
import { RNTupleWriter } from '../../src/root/rntuple/writer.js';
import { readStat } from '../../src/stats/sidecar.js';
import { Average } from '../../src/stats/average.js';

const MU = 'Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root';

const heppyfile = `import { Analyzer, Config, Component, Sequence, fill1, type Event } from 'heppy';

class Muons extends Analyzer {
  static branches = ['nMuon', 'Muon_pt'];
  h: ReturnType<Analyzer['hist1']> | null = null;
  t: ReturnType<Analyzer['tree']> | null = null;
  override beginLoop(): void {
    for (const l of ['all', 'one muon', 'two muons', 'leading pt > 20']) this.counter('cutflow').register(l);
    this.h = this.hist1('h_pt', 'muon pt', 50, 0, 100);
    this.t = this.tree('sel', [{ name: 'nMuon', type: 'i4' }, { name: 'Muon_pt', type: 'f4', shape: { counter: 'nMuon' } }], { format: 'rntuple', file: 'sel.root' });
  }
  override process(e: Event): boolean {
    const n = e.scalar('nMuon');
    const pt = e.array('Muon_pt') as Float32Array;
    if (pt.length !== n) throw new Error('nMuon ' + n + ' but ' + pt.length + ' muon pts');
    const c = this.counter('cutflow');
    c.inc('all');
    this.average('nmuon').add(n, 1);
    for (let i = 0; i < pt.length; i++) { this.average('pt').add(pt[i]!, 1); fill1(this.h!, pt[i]!); }
    if (n < 1) return false;
    c.inc('one muon');
    if (n < 2) return false;
    c.inc('two muons');
    if (Math.max(...pt) <= 20) return false;
    c.inc('leading pt > 20');
    this.t!.fill({ nMuon: n, Muon_pt: pt });
    return true;
  }
}

const comp = (name: string, files: string, split: number) => Object.assign(new Component(name, { files }), { splitFactor: split });
export default new Config({
  components: [comp('mu', 'data/mu/*.root', 3), comp('tt', 'data/tt/*.root', 2), comp('rn', 'data/rn/*.root', 2)],
  sequence: new Sequence(new Analyzer(Muons, {})),
  tree: 'Events',
});
`;

const shared = sharedRootDir();
if (shared !== null) {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-rntuple-e2e-'));
  const out = join(dir, 'Out');

  test('setup: the RNTuple file, and the same events in a TTree and in a heppy RNTuple', async () => {
    for (const d of ['mu', 'tt', 'rn']) mkdirSync(join(dir, 'data', d), { recursive: true });
    copyFileSync(join(shared, 'rntuple', MU), join(dir, 'data', 'mu', 'mu.root'));
    const f = await openRootFile(join(shared, 'rntuple', MU));
    const r = await RNTupleReader.open(f, 'Events');
    const n = await r.column('nMuon'), pt = await r.column('Muon_pt');
    f.close();
    if (pt.kind !== 'jagged') throw new Error('Muon_pt is not jagged');
    const branches = [{ name: 'nMuon', type: 'i4' as const }, { name: 'Muon_pt', type: 'f4' as const, shape: { counter: 'nMuon' } }];
    // Two files of each, 600 + 400 events.
    for (const [i, lo, hi] of [[0, 0, 600], [1, 600, 1000]] as const) {
      const wt = RootFileWriter.create(join(dir, 'data', 'tt', `t${i}.root`));
      const t = wt.createTree({ name: 'Events', branches });
      const wr = RootFileWriter.create(join(dir, 'data', 'rn', `r${i}.root`));
      const nt = new RNTupleWriter(wr, { name: 'Events', branches, clusterBytes: 2000 });
      for (let e = lo; e < hi; e++) {
        const row = { nMuon: n.values[e] as number, Muon_pt: pt.values.subarray(pt.offsets[e]!, pt.offsets[e + 1]!) as Float32Array };
        t.fill(row); nt.fill(row);
      }
      await wt.close(); await wr.close();
    }
    writeFileSync(join(dir, 'heppyfile.ts'), heppyfile);
  });

  test('heppy build over the three components: every chunk and merge succeeds', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'heppy.js'), 'build', '-j', '2', '--outdir', out], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  });

  const avg = (comp: string, name: string): Average => {
    const s = readStat(join(out, comp, 'Muons_1', `${name}.json`));
    if (!s.ok || !(s.value instanceof Average)) throw new Error(`${comp}: no average ${name}`);
    return s.value;
  };

  test('DoubleMuParked RNTuple: nMuon and Muon_pt counts and sums equal the summary', () => {
    const nm = avg('mu', 'nmuon'), pt = avg('mu', 'pt');
    assert.is(nm.sumw, 1000);
    assert.is(nm.sumwx, 2372);
    assert.is(pt.sumw, 2372);
    assert.ok(Math.abs(pt.sumwx - 44958.01849317551) < 1e-7, String(pt.sumwx));
    const cut = readFileSync(join(out, 'mu', 'Muons_1', 'cutflow.txt'), 'utf8');
    assert.match(cut, /all\s+1000/);
  });

  test('the same events as a TTree and as heppy\'s RNTuple: identical cut flows, histograms and averages', async () => {
    const text = (c: string) => readFileSync(join(out, c, 'Muons_1', 'cutflow.txt'), 'utf8');
    assert.is(text('tt'), text('mu'));
    assert.is(text('rn'), text('mu'));
    const hist = async (c: string) => {
      const f = await openRootFile(join(out, c, 'Muons_1', 'histograms.root'));
      try { const h = (await f.hist('h_pt'))!; return { contents: Array.from(h.contents), entries: h.entries }; } finally { f.close(); }
    };
    const hm = await hist('mu');
    assert.is(hm.entries, 2372);
    assert.equal(await hist('tt'), hm);
    assert.equal(await hist('rn'), hm);
    for (const c of ['tt', 'rn']) {
      assert.is(avg(c, 'pt').sumw, 2372);
      assert.ok(Math.abs(avg(c, 'pt').sumwx - avg('mu', 'pt').sumwx) < 1e-7);
    }
  });

  test('the RNTuple output of the chunks is merged by hadd: every selected event, in order', async () => {
    const cut = readFileSync(join(out, 'mu', 'Muons_1', 'cutflow.txt'), 'utf8');
    const sel = Number(/leading pt > 20\s+(\d+)/.exec(cut)![1]);
    assert.ok(sel > 100, cut);
    const f = await openRootFile(join(out, 'mu', 'Muons_1', 'sel.root'));
    try {
      assert.equal(f.keys().map((k) => `${k.path}:${k.className}`), ['sel:ROOT::RNTuple']);
      const r = await RNTupleReader.open(f, 'sel');
      assert.is(r.entries, sel);
      const n = await r.column('nMuon'), pt = await r.column('Muon_pt');
      if (pt.kind !== 'jagged') throw new Error('not jagged');
      for (let i = 0; i < r.entries; i++) {
        assert.is(pt.offsets[i + 1]! - pt.offsets[i]!, n.values[i] as number);
        assert.ok(Math.max(...pt.values.subarray(pt.offsets[i]!, pt.offsets[i + 1]!) as Float32Array) > 20);
      }
    } finally { f.close(); }
  });

  test.after(() => rmSync(dir, { recursive: true, force: true }));
}

test.run();
