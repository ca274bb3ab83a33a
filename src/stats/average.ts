// heppy's Average (statistics/average.py): a weighted mean with its uncertainty.
import { fmtSpaceF, fmtF, padRight } from './pyformat.js';

export class Average {
  /**
   * sumw, sumwx, sumwx2 in a Float64Array: doubles from the start whatever the weights (fields first
   * set to 0 held small integers, and the first fractional sum changed the hidden class of every
   * Average: each analyzer's process() that inlines add() was deoptimised and compiled again).
   */
  private readonly s = new Float64Array(3);

  constructor(readonly name: string) {}

  get sumw(): number { return this.s[0]!; }
  set sumw(v: number) { this.s[0] = v; }
  get sumwx(): number { return this.s[1]!; }
  set sumwx(v: number) { this.s[1] = v; }
  get sumwx2(): number { return this.s[2]!; }
  set sumwx2(v: number) { this.s[2] = v; }

  add(x: number, w = 1): void {
    const s = this.s;
    s[0] += w;
    s[1] += w * x;
    s[2] += w * x * x;
  }

  /** [mean, uncertainty], or null before the first add (heppy: 'undefined'). */
  average(): [number, number] | null {
    if (this.sumw === 0) return null;
    const mean = this.sumwx / this.sumw;
    const unc = Math.sqrt(Math.abs(this.sumwx2 / this.sumw - mean * mean)) / Math.sqrt(this.sumw);
    return [mean, unc];
  }

  /** heppy's str(average). */
  toString(): string {
    const a = this.average();
    const head = `Average ${padRight(this.name, 15)}: `;
    if (a === null) return head + 'undefined (call Average.add)';
    return `${head}${fmtSpaceF(a[0], 8, 4)} +- ${fmtF(a[1], 8, 4)}`;
  }

  /** Contents of `<name>.txt`: str(average) + '\n'. */
  fileText(): string {
    return this.toString() + '\n';
  }

  toJSON(): AverageJson {
    return { type: 'Average', name: this.name, sumw: this.sumw, sumwx: this.sumwx, sumwx2: this.sumwx2 };
  }

  static fromJSON(j: AverageJson): Average {
    const a = new Average(j.name);
    a.sumw = j.sumw; a.sumwx = j.sumwx; a.sumwx2 = j.sumwx2;
    return a;
  }
}

export interface AverageJson {
  type: 'Average';
  name: string;
  sumw: number;
  sumwx: number;
  sumwx2: number;
}
