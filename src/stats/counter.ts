// heppy's Counter (framework/counter.py): ordered named levels with counts, printed as a cut
// flow with efficiencies relative to the previous and the first level. Each level also keeps the
// sum of the weights and of the squared weights of what passed (the event weight at inc() time,
// from `weight`, which the looper points at the current event): the text stays heppy's, the sums
// go in the JSON sidecar and are added by hadd.
import { padLeft, padRight, pyFixed } from './pyformat.js';

/** The holder of the event whose eventWeight counts (the looper's current event). */
export interface WeightSource { readonly event: { readonly eventWeight?: number } | null }

/** A copy of `a` with room for n values (levels are registered a few times per chunk: no spare room needed). */
function grown(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

export class Counter {
  /** Ordered [level, count] pairs. */
  readonly levels: Array<[string, number]> = [];
  /**
   * Per level: sum of weights and of squared weights of the entries counted. Float64Arrays: doubles
   * from the first entry whatever the weights (number[] held small integers while the weights were
   * 1, and the first fractional weight, the first simulated chunk of a worker, changed their hidden
   * class: every analyzer's process() that inlines inc() was deoptimised and compiled again).
   */
  sumw: Float64Array<ArrayBuffer> = new Float64Array(0);
  sumw2: Float64Array<ArrayBuffer> = new Float64Array(0);
  /**
   * Where an entry's weight comes from at inc() time: the event going through the sequence (the
   * framework points it at the looper's current event); null or no event: 1. A field read, not a
   * callback: a closure made per chunk was a new call target at every inlined inc(), and the
   * analyzers' process() was deoptimised and compiled again at each chunk of a long-lived worker.
   */
  weightFrom: WeightSource | null = null;
  private readonly index = new Map<string, number>();

  constructor(readonly name: string) {}

  /** Adds a level with count 0; a duplicate level is a bug in the analyzer (heppy: ValueError). */
  register(level: string): this {
    if (this.index.has(level)) throw new Error(`Counter ${this.name}: level '${level}' registered twice`);
    this.index.set(level, this.levels.length);
    this.levels.push([level, 0]);
    this.sumw = grown(this.sumw, this.levels.length);
    this.sumw2 = grown(this.sumw2, this.levels.length);
    return this;
  }

  /** Adds n entries of the current weight to a registered level (heppy: ValueError if unknown). */
  inc(level: string, n = 1): void {
    // Analyzers pass the same string objects they registered: an identity scan of the few levels
    // finds them without hashing (a Map lookup per event and level was visible in the demo's profile).
    const levels = this.levels;
    let i = -1;
    for (let k = 0; k < levels.length; k++) if (levels[k]![0] === level) { i = k; break; }
    if (i < 0) i = this.index.get(level) ?? -1;
    if (i < 0) throw new Error(`Counter ${this.name}: level '${level}' is not registered`);
    this.levels[i]![1] += n;
    const from = this.weightFrom;
    const w = from === null ? 1 : from.event?.eventWeight ?? 1;
    this.sumw[i]! += n * w;
    this.sumw2[i]! += n * w * w;
  }

  has(level: string): boolean {
    return this.index.has(level);
  }

  count(level: string): number {
    const i = this.index.get(level);
    if (i === undefined) throw new Error(`Counter ${this.name}: level '${level}' is not registered`);
    return this.levels[i]![1];
  }

  /** heppy's str(counter): header line, then one line per level, each ending in '\n'. */
  toString(): string {
    let out = `Counter ${this.name} :\n`;
    if (this.levels.length === 0) return out; // heppy crashes on max([]); we print the header only
    const width = Math.max(...this.levels.map(([l]) => l.length)) + 5;
    let prev: number | null = null;
    let init = 0;
    for (const [level, count] of this.levels) {
      if (prev === null) { prev = count; init = count; }
      const eff1 = prev === 0 ? -1 : count / prev;
      const eff2 = init === 0 ? -1 : count / init;
      out += `\t ${padRight(level, width)} ${padLeft(countText(count), 9)} \t ${pyFixed(eff1, 2).padStart(4)} \t ${pyFixed(eff2, 4).padStart(6)}\n`;
      prev = count;
    }
    return out;
  }

  /** Contents of `<name>.txt`: str(counter) + '\n', as heppy writes it. */
  fileText(): string {
    return this.toString() + '\n';
  }

  toJSON(): CounterJson {
    return { type: 'Counter', name: this.name, levels: this.levels.map(([l, c]) => [l, c] as [string, number]), sumw: [...this.sumw], sumw2: [...this.sumw2] };
  }

  /** A sidecar without weight sums (older heppy versions) counted unit weights: sumw = sumw2 = count. */
  static fromJSON(j: CounterJson): Counter {
    const c = new Counter(j.name);
    j.levels.forEach(([l, n], i) => {
      c.register(l);
      c.levels[i]![1] = n;
      c.sumw[i] = j.sumw?.[i] ?? n;
      c.sumw2[i] = j.sumw2?.[i] ?? n;
    });
    return c;
  }
}

/** Python's str() of a count: ints as ints; a float count (inc by a weight) as Python prints it. */
function countText(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e16 ? String(n) : n.toFixed(0);
  const s = String(n);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

export interface CounterJson {
  type: 'Counter';
  name: string;
  levels: Array<[string, number]>;
  /** Sum of weights per level (absent in sidecars of older versions: unit weights). */
  sumw?: number[];
  /** Sum of squared weights per level. */
  sumw2?: number[];
}
