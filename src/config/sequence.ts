// heppy's Sequence: the ordered list of analyzer declarations. Names are made unique like heppy's
// registry (a default label is bumped 1 → 2 …); two explicit labels that collide are an error.
import { UserError } from '../util/result.js';
import { isAnalyzer, type Analyzer } from './analyzer.js';

export const SEQUENCE_BRAND = Symbol.for('heppy.Sequence');

type Item = Analyzer<object> | readonly Item[];

export class Sequence extends Array<Analyzer<object>> {
  readonly [SEQUENCE_BRAND] = true;

  // Array subclasses are also built by map/filter with a length argument: keep that path working.
  static override get [Symbol.species](): ArrayConstructor { return Array; }

  constructor(...items: Item[]) {
    super();
    for (const it of items) this.addItem(it);
    uniquify(this);
  }

  private addItem(it: unknown): void {
    if (Array.isArray(it)) { for (const x of it) this.addItem(x); return; }
    if (!isAnalyzer(it) || it.analyzerClass === null) {
      throw new UserError(`Sequence: every element must be new Analyzer(Class, params), got ${describe(it)}`);
    }
    this.push(it);
  }
}

export function isSequence(x: unknown): x is Sequence {
  return Array.isArray(x) && (x as unknown as Record<symbol, unknown>)[SEQUENCE_BRAND] === true;
}

function uniquify(seq: Analyzer<object>[]): void {
  const taken = new Set<string>();
  for (const a of seq) if (!a.defaultLabel) {
    if (taken.has(a.name)) throw new UserError(`Sequence: two analyzers are named ${a.name}; give them different labels`);
    taken.add(a.name);
  }
  for (const a of seq) if (a.defaultLabel) {
    let n = Number(a.label);
    while (taken.has(a.name)) a.setLabel(++n);
    taken.add(a.name);
  }
}

function describe(x: unknown): string {
  if (typeof x === 'function') return `the class ${x.name} (wrap it: new Analyzer(${x.name}, {...}))`;
  if (x === null) return 'null';
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;
}
