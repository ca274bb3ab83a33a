// Event models of the demo's sample data: H→ZZ*→4ℓ at 125 GeV, the qq→ZZ→4ℓ continuum, and for
// "data" a mixture with Z→ℓℓ+fakes and tt̄→2ℓ. Leptons are smeared, must be in acceptance and pass
// an efficiency; fake leptons are soft and not isolated. Good enough for a cut flow to mean something.
import { add, decay2, decay2m, eta, fromPtYPhi, pt, type P4, Rng } from './physics.js';

export interface Lepton { p: P4; charge: number; iso: number }
export interface GenEvent { muons: Lepton[]; electrons: Lepton[]; metx: number; mety: number; weight: number }

export type Process = 'H4l' | 'ZZ4l' | 'Zll' | 'ttbar';

const MZ = 91.1876, GZ = 2.4952;

function smear(rng: Rng, p: P4, res: number): P4 {
  const f = 1 + rng.gauss(0, res);
  return { px: p.px * f, py: p.py * f, pz: p.pz * f, e: p.e * f };
}

function addLepton(rng: Rng, ev: GenEvent, p: P4, flavour: 'mu' | 'e', charge: number, fake: boolean): void {
  const s = smear(rng, p, flavour === 'mu' ? 0.012 : 0.02);
  if (Math.abs(eta(s)) > (flavour === 'mu' ? 2.4 : 2.5) || pt(s) < (flavour === 'mu' ? 5 : 7)) return;
  if (rng.uniform() > (flavour === 'mu' ? 0.96 : 0.92)) return;
  const l = { p: s, charge, iso: fake ? rng.exp(0.6) : rng.exp(0.05) };
  (flavour === 'mu' ? ev.muons : ev.electrons).push(l);
}

/** A Z (or γ*) of mass m, momentum p, into a same-flavour opposite-sign pair. */
function zToLeptons(rng: Rng, ev: GenEvent, z: P4): void {
  const flavour = rng.uniform() < 0.5 ? 'mu' : 'e';
  const [a, b] = decay2(rng, z);
  addLepton(rng, ev, a, flavour, 1, false);
  addLepton(rng, ev, b, flavour, -1, false);
}

function fakes(rng: Rng, ev: GenEvent, mean: number): void {
  for (let k = rng.poisson(mean); k > 0; k--) {
    const p = fromPtYPhi(0, 5 + rng.exp(8), rng.gauss(0, 1.6), rng.uniform(0, 2 * Math.PI));
    addLepton(rng, ev, p, rng.uniform() < 0.5 ? 'mu' : 'e', rng.uniform() < 0.5 ? 1 : -1, true);
  }
}

function diboson(rng: Rng, ev: GenEvent, m4l: number, m1: number, m2: number, ptMean: number): void {
  const parent = fromPtYPhi(m4l, rng.exp(ptMean), rng.gauss(0, 1.6), rng.uniform(0, 2 * Math.PI));
  const [z1, z2] = decay2m(rng, parent, m1, m2);
  zToLeptons(rng, ev, z1);
  zToLeptons(rng, ev, z2);
}

function higgs(rng: Rng, ev: GenEvent): void {
  const mh = rng.gauss(125, 0.01);
  const m1 = rng.breitWigner(MZ, GZ, 40, mh - 12.5);
  // the off-shell Z*: phase space pushes it towards its upper limit
  const m2 = 12 + (mh - m1 - 12) * Math.sqrt(rng.uniform());
  diboson(rng, ev, mh, m1, m2, 15);
}

function zz(rng: Rng, ev: GenEvent): void {
  if (rng.uniform() < 0.8) {
    const m4l = 2 * MZ + 2 + rng.exp(90);
    let m1: number, m2: number;
    do { m1 = rng.breitWigner(MZ, GZ, 60, 120); m2 = rng.breitWigner(MZ, GZ, 60, 120); } while (m1 + m2 >= m4l);
    diboson(rng, ev, m4l, m1, m2, 20);
  } else {
    const m4l = 100 + rng.exp(50);
    const m1 = rng.breitWigner(MZ, GZ, 40, Math.min(120, m4l - 13));
    const m2 = 12 + (m4l - m1 - 12) * rng.uniform();
    diboson(rng, ev, m4l, m1, m2, 20);
  }
}

function drellYan(rng: Rng, ev: GenEvent): void {
  const m = rng.breitWigner(MZ, GZ, 50, 130);
  zToLeptons(rng, ev, fromPtYPhi(m, rng.exp(12), rng.gauss(0, 2), rng.uniform(0, 2 * Math.PI)));
  fakes(rng, ev, 0.45);
}

function ttbar(rng: Rng, ev: GenEvent): void {
  for (let i = 0; i < 2; i++) {
    const p = fromPtYPhi(0, 10 + rng.exp(35), rng.gauss(0, 1.2), rng.uniform(0, 2 * Math.PI));
    addLepton(rng, ev, p, rng.uniform() < 0.5 ? 'mu' : 'e', i === 0 ? 1 : -1, false);
    const nu = rng.exp(40);
    const phi = rng.uniform(0, 2 * Math.PI);
    ev.metx += nu * Math.cos(phi); ev.mety += nu * Math.sin(phi);
  }
  fakes(rng, ev, 0.6);
}

export function generate(rng: Rng, proc: Process): GenEvent {
  const ev: GenEvent = { muons: [], electrons: [], metx: rng.gauss(0, 12), mety: rng.gauss(0, 12), weight: 1 };
  switch (proc) {
    case 'H4l': higgs(rng, ev); ev.weight = rng.uniform() < 0.02 ? -1 : 1; break;
    case 'ZZ4l': zz(rng, ev); ev.weight = rng.uniform() < 0.05 ? -1 : 1; break;
    case 'Zll': drellYan(rng, ev); break;
    case 'ttbar': ttbar(rng, ev); break;
  }
  let sum: P4 = { px: 0, py: 0, pz: 0, e: 0 };
  for (const l of [...ev.muons, ...ev.electrons]) sum = add(sum, l.p);
  ev.metx -= sum.px * 0.02; ev.mety -= sum.py * 0.02; // a little mismeasurement
  return ev;
}

/** Which process an event of a component comes from. Data is a mixture. */
export function pickProcess(rng: Rng, component: string): Process {
  if (component.startsWith('ggH')) return 'H4l';
  if (component === 'ZZ') return 'ZZ4l';
  const u = rng.uniform();
  return u < 0.86 ? 'Zll' : u < 0.95 ? 'ttbar' : u < 0.995 ? 'ZZ4l' : 'H4l';
}
