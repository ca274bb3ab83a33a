// Lepton helpers of the demo analysis: building selected leptons from the event's columns and
// the invariant mass of a set of four-vectors.
import { branch, type Event } from 'heppy';

export interface Lep {
  px: number; py: number; pz: number; e: number;
  pt: number; eta: number;
  charge: number;
  /** 13 for muons, 11 for electrons. */
  flavour: 11 | 13;
}

export interface LeptonCuts { muonPt: number; electronPt: number; maxEta: number; maxIso: number }

/**
 * The branches of one flavour, as handles made once: each finds its column once per batch instead
 * of a name lookup at every event (and a name built per call, `${prefix}_Px`, was a new string
 * to hash at every lookup).
 */
const flavourBranches = (p: string, flavour: 11 | 13) => ({
  px: branch(`${p}_Px`), py: branch(`${p}_Py`), pz: branch(`${p}_Pz`), e: branch(`${p}_E`), q: branch(`${p}_Charge`), iso: branch(`${p}_Iso`), flavour,
});
const BRANCHES = { Muon: flavourBranches('Muon', 13), Electron: flavourBranches('Electron', 11) } as const;

/**
 * Lepton objects reused from one event to the next: an analysis of a million events otherwise
 * makes a million short-lived objects, each with six boxed doubles (the largest share of the demo's
 * garbage). A lepton taken from the pool is valid until the pool is reset, at the next event.
 */
export class LeptonPool {
  private readonly items: Lep[] = [];
  private used = 0;

  /** Every lepton free again (at the start of an event). */
  reset(): void { this.used = 0; }

  /** A lepton to overwrite (a new one while the pool is smaller than the event's count). */
  take(): Lep {
    // NaN, not 0: the fields hold doubles from the start (a field first holding a small integer changes representation later).
    if (this.used === this.items.length) this.items.push({ px: NaN, py: NaN, pz: NaN, e: NaN, pt: NaN, eta: NaN, charge: 0, flavour: 13 });
    return this.items[this.used++]!;
  }
}

/** Selected leptons of one flavour (pt, |eta| and isolation cuts), taken from `pool` and appended to `out`. */
export function collect(event: Event, prefix: 'Muon' | 'Electron', minPt: number, cuts: LeptonCuts, pool: LeptonPool, out: Lep[]): void {
  const b = BRANCHES[prefix];
  // range(): this event's slice of each column without allocating a view per branch
  const rx = event.range(b.px), n = rx.end - rx.start;
  if (n === 0) return;
  const px = rx.values, o = rx.start;
  const py = event.range(b.py).values, pz = event.range(b.pz).values, e = event.range(b.e).values;
  const q = event.range(b.q).values, iso = event.range(b.iso).values;
  const flavour = b.flavour;
  for (let i = o; i < o + n; i++) {
    const x = Number(px[i]), y = Number(py[i]), z = Number(pz[i]);
    const pt = Math.sqrt(x * x + y * y); // Math.hypot is several times slower
    if (pt < minPt || Number(iso[i]) > cuts.maxIso) continue;
    const eta = Math.asinh(z / pt);
    if (Math.abs(eta) > cuts.maxEta) continue;
    const l = pool.take();
    l.px = x; l.py = y; l.pz = z; l.e = Number(e[i]); l.pt = pt; l.eta = eta; l.charge = Number(q[i]); l.flavour = flavour;
    out.push(l);
  }
}

/** Invariant mass of two leptons (the hot path of the pair search: no array allocation). */
export function pairMass(a: Lep, b: Lep): number {
  const e = a.e + b.e, x = a.px + b.px, y = a.py + b.py, z = a.pz + b.pz;
  return Math.sqrt(Math.max(0, e * e - x * x - y * y - z * z));
}

/**
 * Sorts leptons by decreasing pt, in place; equal pts keep their order (as Array.prototype.sort,
 * which is stable). An insertion sort: a handful of leptons, and no work array or boxed
 * comparator result per event (V8's sort allocated ~650 bytes per call: a quarter of the demo's
 * garbage).
 */
export function sortByPt(ls: Lep[]): void {
  for (let i = 1; i < ls.length; i++) {
    const x = ls[i]!;
    let j = i - 1;
    while (j >= 0 && ls[j]!.pt < x.pt) { ls[j + 1] = ls[j]!; j--; }
    ls[j + 1] = x;
  }
}

/** Invariant mass of a set of leptons (an array: no rest-parameter array per call). */
export function invariantMass(ls: readonly Lep[]): number {
  let e = 0, x = 0, y = 0, z = 0;
  for (const l of ls) { e += l.e; x += l.px; y += l.py; z += l.pz; }
  return Math.sqrt(Math.max(0, e * e - x * x - y * y - z * z));
}

export function transverseMomentum(ls: readonly Lep[]): number {
  let x = 0, y = 0;
  for (const l of ls) { x += l.px; y += l.py; }
  return Math.sqrt(x * x + y * y);
}
