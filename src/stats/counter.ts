// heppy's Counter (framework/counter.py): ordered named levels with counts, printed as a cut
// flow with efficiencies relative to the previous and the first level.
import { padLeft, padRight, pyFixed } from './pyformat.js';

export class Counter {
  /** Ordered [level, count] pairs. */
  readonly levels: Array<[string, number]> = [];
  private readonly index = new Map<string, number>();

  constructor(readonly name: string) {}

  /** Adds a level with count 0; a duplicate level is a bug in the analyzer (heppy: ValueError). */
  register(level: string): this {
    if (this.index.has(level)) throw new Error(`Counter ${this.name}: level '${level}' registered twice`);
    this.index.set(level, this.levels.length);
    this.levels.push([level, 0]);
    return this;
  }

  /** Adds n to a registered level (heppy raises ValueError for an unknown level). */
  inc(level: string, n = 1): void {
    const i = this.index.get(level);
    if (i === undefined) throw new Error(`Counter ${this.name}: level '${level}' is not registered`);
    this.levels[i]![1] += n;
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
    return { type: 'Counter', name: this.name, levels: this.levels.map(([l, c]) => [l, c] as [string, number]) };
  }

  static fromJSON(j: CounterJson): Counter {
    const c = new Counter(j.name);
    for (const [l, n] of j.levels) { c.register(l); c.inc(l, n); }
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
}
