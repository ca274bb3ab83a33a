// First analyzer of the demo: selects isolated leptons in acceptance and keeps events with at
// least `minLeptons`; the others stop the sequence (process returns false).
import { Analyzer, branch, type Event } from 'heppy';
import { collect, LeptonPool, sortByPt, type Lep } from './leptons.js';

export interface LeptonSelectorParams {
  minLeptons: number;
  muonPt: number;
  electronPt: number;
  maxEta: number;
  maxIso: number;
}

/** Handles on the scalars read at every event (looked up once per batch, not per call). */
const N_MUON = branch('NMuon'), N_ELECTRON = branch('NElectron'), EVENT_WEIGHT = branch('EventWeight');

export class LeptonSelector extends Analyzer<LeptonSelectorParams> {
  private readonly passLevel = `>= ${this.params.minLeptons} leptons`;
  /**
   * The selected leptons, one array and one set of objects reused for every event: `event.leptons`
   * is valid while the event goes through the sequence (copy what must outlive it).
   */
  private readonly pool = new LeptonPool();
  private readonly leptons: Lep[] = [];

  /** Only these branches are read from the input. */
  static branches = ['NMuon', 'NElectron', 'EventWeight',
    ...['Px', 'Py', 'Pz', 'E', 'Charge', 'Iso'].flatMap((v) => [`Muon_${v}`, `Electron_${v}`])];

  override beginLoop(): void {
    const c = this.counter('cutflow');
    c.register('All events');
    c.register(this.passLevel);
    this.average('nLeptons');
  }

  override process(event: Event): boolean {
    // Simulated events carry a generator weight (±1 here); data events count 1. Set first, so that
    // every level of the cut flows (and every histogram) is weighted the same way.
    if (this.component.isMC) event.eventWeight = event.scalar(EVENT_WEIGHT);
    const c = this.counter('cutflow');
    c.inc('All events');
    // Reconstructed leptons per event; with fewer than minLeptons no selection can pass.
    const nReco = event.scalar(N_MUON) + event.scalar(N_ELECTRON);
    this.average('nLeptons').add(nReco);
    if (nReco < this.params.minLeptons) return false;
    const leptons = this.leptons;
    while (leptons.length > 0) leptons.pop(); // a handful: pop() is inlined, `length = 0` a runtime call (~1 % of the demo's main thread)
    this.pool.reset();
    collect(event, 'Muon', this.params.muonPt, this.params, this.pool, leptons);
    collect(event, 'Electron', this.params.electronPt, this.params, this.pool, leptons);
    if (leptons.length < this.params.minLeptons) return false;
    sortByPt(leptons);
    event.leptons = leptons;
    c.inc(this.passLevel);
    return true;
  }
}
