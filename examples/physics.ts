// Small kinematics toolkit for the sample-data generator: a seeded PRNG, four-vectors, two-body
// decays and boosts. Deterministic: the same seed gives the same events on every machine.

/** xoshiro128** (128-bit state in four 32-bit words); uniform() gives floats in [0, 1). */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  constructor(seed: number) {
    // splitmix32 to spread the seed over the state
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next() | 1;
  }
  /** xoshiro128** step. */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }
  uniform(a = 0, b = 1): number { return a + (b - a) * (this.u32() / 4294967296); }
  gauss(mean = 0, sigma = 1): number {
    const u = 1 - this.uniform();
    return mean + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  exp(mean: number): number { return -mean * Math.log(1 - this.uniform()); }
  /** Relativistic Breit-Wigner by rejection in [lo, hi]. */
  breitWigner(m: number, w: number, lo: number, hi: number): number {
    for (;;) {
      const x = m + (w / 2) * Math.tan(Math.PI * (this.uniform() - 0.5));
      if (x > lo && x < hi) return x;
    }
  }
  poisson(mean: number): number {
    const l = Math.exp(-mean);
    let k = 0, p = 1;
    for (;;) { p *= this.uniform(); if (p <= l) return k; k++; }
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

export interface P4 { px: number; py: number; pz: number; e: number }

export const mass = (p: P4): number => Math.sqrt(Math.max(0, p.e * p.e - p.px * p.px - p.py * p.py - p.pz * p.pz));
export const pt = (p: P4): number => Math.hypot(p.px, p.py);
export const eta = (p: P4): number => { const ptv = pt(p); return ptv === 0 ? (p.pz >= 0 ? 1e9 : -1e9) : Math.asinh(p.pz / ptv); };
export const add = (a: P4, b: P4): P4 => ({ px: a.px + b.px, py: a.py + b.py, pz: a.pz + b.pz, e: a.e + b.e });

/** A particle of mass m with transverse momentum pt, rapidity y, azimuth phi. */
export function fromPtYPhi(m: number, ptv: number, y: number, phi: number): P4 {
  const mt = Math.sqrt(m * m + ptv * ptv);
  return { px: ptv * Math.cos(phi), py: ptv * Math.sin(phi), pz: mt * Math.sinh(y), e: mt * Math.cosh(y) };
}

/** Boosts `p` from the rest frame of `parent` into the frame where `parent` has its momentum. */
export function boost(p: P4, parent: P4): P4 {
  const bx = parent.px / parent.e, by = parent.py / parent.e, bz = parent.pz / parent.e;
  const b2 = bx * bx + by * by + bz * bz;
  if (b2 === 0) return { ...p };
  const g = 1 / Math.sqrt(1 - b2);
  const bp = bx * p.px + by * p.py + bz * p.pz;
  const g2 = (g - 1) / b2;
  return { px: p.px + g2 * bp * bx + g * bx * p.e, py: p.py + g2 * bp * by + g * by * p.e, pz: p.pz + g2 * bp * bz + g * bz * p.e, e: g * (p.e + bp) };
}

/** Isotropic two-body decay of `parent` (mass M) into massless daughters, in the lab frame. */
export function decay2(rng: Rng, parent: P4): [P4, P4] {
  const m = mass(parent);
  const cos = rng.uniform(-1, 1), sin = Math.sqrt(1 - cos * cos), phi = rng.uniform(0, 2 * Math.PI);
  const q = m / 2;
  const a = { px: q * sin * Math.cos(phi), py: q * sin * Math.sin(phi), pz: q * cos, e: q };
  const b = { px: -a.px, py: -a.py, pz: -a.pz, e: q };
  return [boost(a, parent), boost(b, parent)];
}

/** Isotropic decay of `parent` into two daughters of masses m1, m2. */
export function decay2m(rng: Rng, parent: P4, m1: number, m2: number): [P4, P4] {
  const M = mass(parent);
  const p = Math.sqrt(Math.max(0, (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2))) / (2 * M);
  const cos = rng.uniform(-1, 1), sin = Math.sqrt(1 - cos * cos), phi = rng.uniform(0, 2 * Math.PI);
  const dir = { x: sin * Math.cos(phi), y: sin * Math.sin(phi), z: cos };
  const a = { px: p * dir.x, py: p * dir.y, pz: p * dir.z, e: Math.sqrt(p * p + m1 * m1) };
  const b = { px: -a.px, py: -a.py, pz: -a.pz, e: Math.sqrt(p * p + m2 * m2) };
  return [boost(a, parent), boost(b, parent)];
}
