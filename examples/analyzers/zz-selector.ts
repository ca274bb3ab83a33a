// Second analyzer of the demo: H→ZZ*→4ℓ candidates. Z1 = the opposite-sign same-flavour (OSSF)
// pair closest to the Z mass, Z2 = the highest-pt OSSF pair of the remaining leptons; mass windows
// on both; m4l histogram, Z1/Z2 masses, and a small tree of the selected events.
import { Analyzer, fill1, fill2, type BookedTree, type Event, type Hist } from 'heppy';
import { invariantMass, pairMass, transverseMomentum, type Lep } from './leptons.js';

export interface ZZSelectorParams {
  z1Window: [number, number];
  z2Window: [number, number];
  minM4l: number;
}

const MZ = 91.1876;

/** Which final state: 0 = 4μ, 1 = 4e, 2 = 2e2μ. */
function channel(ls: readonly Lep[]): number {
  let nmu = 0;
  for (const l of ls) if (l.flavour === 13) nmu++;
  return nmu === 4 ? 0 : nmu === 0 ? 1 : 2;
}

export class ZZSelector extends Analyzer<ZZSelectorParams> {
  /**
   * No input branch of its own: it works on the leptons LeptonSelector attached to the event. An
   * analyzer without this list makes the loop read every numeric branch of the tree (here four more
   * columns decompressed per file that nothing uses).
   */
  static branches: readonly string[] = [];
  private m4l!: Hist;
  private mz1!: Hist;
  private mz2!: Hist;
  private mz1mz2!: Hist;
  private candidates!: BookedTree;
  private readonly m4lLevel = `m4l > ${this.params.minM4l}`;
  /**
   * The candidate's four leptons and the candidates tree's row, reused for every event: fill()
   * copies the values at once, so no array or row object is made per candidate.
   */
  private readonly four: Lep[] = [];
  private readonly row = { m4l: 0.5, mZ1: 0.5, mZ2: 0.5, pt4l: 0.5, channel: 0, weight: 0.5, iEv: 0, nLep: 4, lep_pt: new Float32Array(4), lep_charge: new Int8Array(4) };

  override beginLoop(): void {
    const c = this.counter('cutflow');
    for (const level of ['4 leptons', 'two OSSF pairs', 'Z1 mass window', 'Z2 mass window', this.m4lLevel]) c.register(level);
    this.average('m4l'); // booked here so that every chunk writes it, even one without candidates
    this.m4l = this.hist1('m4l', 'four-lepton mass;m_{4l} [GeV];events / 2 GeV', 150, 70, 370);
    this.mz1 = this.hist1('mZ1', 'Z1 mass;m_{Z1} [GeV];events / GeV', 80, 40, 120);
    this.mz2 = this.hist1('mZ2', 'Z2 mass;m_{Z2} [GeV];events / GeV', 108, 12, 120);
    this.mz1mz2 = this.hist2('mZ1_mZ2', 'Z2 vs Z1 mass', 40, 40, 120, 54, 12, 120, { precision: 'F' });
    this.candidates = this.tree('candidates', [
      { name: 'm4l', type: 'f8' }, { name: 'mZ1', type: 'f8' }, { name: 'mZ2', type: 'f8' }, { name: 'pt4l', type: 'f8' },
      { name: 'channel', type: 'i4' }, { name: 'weight', type: 'f8' }, { name: 'iEv', type: 'i8' },
      { name: 'nLep', type: 'i4' }, { name: 'lep_pt', type: 'f4', shape: { counter: 'nLep' } },
      { name: 'lep_charge', type: 'i1', shape: { counter: 'nLep' } },
    ], { title: 'selected H->ZZ->4l candidates' });
  }

  override process(event: Event): boolean {
    const ls = event.leptons as Lep[];
    const c = this.counter('cutflow');
    c.inc('4 leptons');
    // Z1: OSSF pair closest to the Z mass (indices in locals: no array per pair found)
    let b0 = -1, b1 = -1, bestD = Infinity;
    for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
      const a = ls[i]!, b = ls[j]!;
      if (a.flavour !== b.flavour || a.charge + b.charge !== 0) continue;
      const d = Math.abs(pairMass(a, b) - MZ);
      if (d < bestD) { bestD = d; b0 = i; b1 = j; }
    }
    if (b0 < 0) return false;
    // Z2: highest scalar-pt OSSF pair among the others (leptons are pt-ordered)
    let z0 = -1, z1 = -1, z2pt = -1;
    for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
      if (i === b0 || i === b1 || j === b0 || j === b1) continue;
      const a = ls[i]!, b = ls[j]!;
      if (a.flavour !== b.flavour || a.charge + b.charge !== 0) continue;
      if (a.pt + b.pt > z2pt) { z2pt = a.pt + b.pt; z0 = i; z1 = j; }
    }
    if (z0 < 0) return false;
    c.inc('two OSSF pairs');
    const four = this.four;
    four[0] = ls[b0]!; four[1] = ls[b1]!; four[2] = ls[z0]!; four[3] = ls[z1]!;
    const mZ1 = pairMass(four[0]!, four[1]!), mZ2 = pairMass(four[2]!, four[3]!);
    if (mZ1 < this.params.z1Window[0] || mZ1 > this.params.z1Window[1]) return false;
    c.inc('Z1 mass window');
    if (mZ2 < this.params.z2Window[0] || mZ2 > this.params.z2Window[1]) return false;
    c.inc('Z2 mass window');
    const m4l = invariantMass(four);
    if (m4l < this.params.minM4l) return false;
    c.inc(this.m4lLevel);
    // The event weight only: heppy normalises MC to the luminosity (yields, report) from the
    // component's xSection and nGenEvents (or its sum of generator weights).
    const w = event.eventWeight;
    fill1(this.m4l, m4l, w);
    fill1(this.mz1, mZ1, w);
    fill1(this.mz2, mZ2, w);
    fill2(this.mz1mz2, mZ1, mZ2, w);
    this.average('m4l').add(m4l, w);
    const row = this.row;
    row.m4l = m4l; row.mZ1 = mZ1; row.mZ2 = mZ2; row.pt4l = transverseMomentum(four); row.channel = channel(four);
    row.weight = w; row.iEv = event.iEv;
    for (let k = 0; k < 4; k++) { row.lep_pt[k] = four[k]!.pt; row.lep_charge[k] = four[k]!.charge; }
    this.candidates.fill(row);
    return true;
  }
}
