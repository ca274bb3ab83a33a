// Count, exact sum, min and max of numeric values, as the reference summaries give them:
// 64-bit integers summed as BigInt, floats with Neumaier compensation (close to math.fsum),
// NaN anywhere makes sum/min/max NaN (numpy's rule).
import type { NumArray } from '../types.js';

export interface Stats { count: number; sum: number | bigint; min: number | bigint | null; max: number | bigint | null }

export class StatsAcc {
  count = 0;
  private isBig: boolean;
  private isFloat: boolean;
  private s = 0; private c = 0; private bs = 0n;
  private mn: number | bigint | null = null; private mx: number | bigint | null = null;
  private nan = false;

  constructor(kind: 'int' | 'big' | 'float') {
    this.isBig = kind === 'big';
    this.isFloat = kind === 'float';
  }

  add(values: NumArray): void {
    this.count += values.length;
    if (values.length === 0) return;
    if (this.isBig) {
      const v = values as BigInt64Array | BigUint64Array;
      let s = 0n, mn = v[0]!, mx = v[0]!;
      for (let i = 0; i < v.length; i++) { const x = v[i]!; s += x; if (x < mn) mn = x; if (x > mx) mx = x; }
      this.bs += s;
      if (this.mn === null || mn < (this.mn as bigint)) this.mn = mn;
      if (this.mx === null || mx > (this.mx as bigint)) this.mx = mx;
      return;
    }
    const v = values as Float64Array;
    let mn = Infinity, mx = -Infinity;
    if (this.isFloat) {
      let s = this.s, c = this.c;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (x !== x) { this.nan = true; continue; }
        const t = s + x;
        c += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
        s = t;
        if (x < mn) mn = x; if (x > mx) mx = x;
      }
      this.s = s; this.c = c;
    } else {
      let s = 0;
      for (let i = 0; i < v.length; i++) { const x = v[i]!; s += x; if (x < mn) mn = x; if (x > mx) mx = x; }
      this.s += s;
    }
    if (mn !== Infinity && (this.mn === null || mn < (this.mn as number))) this.mn = mn;
    if (mx !== -Infinity && (this.mx === null || mx > (this.mx as number))) this.mx = mx;
  }

  result(): Stats {
    if (this.isBig) return { count: this.count, sum: this.bs, min: this.mn, max: this.mx };
    if (this.nan) return { count: this.count, sum: NaN, min: NaN, max: NaN };
    return { count: this.count, sum: this.s + this.c, min: this.mn, max: this.mx };
  }
}
