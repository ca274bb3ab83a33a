// heppy's Average (statistics/average.py): a weighted mean with its uncertainty.
import { fmtSpaceF, fmtF, padRight } from './pyformat.js';

export class Average {
  sumw = 0;
  sumwx = 0;
  sumwx2 = 0;

  constructor(readonly name: string) {}

  add(x: number, w = 1): void {
    this.sumw += w;
    this.sumwx += w * x;
    this.sumwx2 += w * x * x;
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
