// heppy's Config: the components, the analyzer sequence, the input tree name, the output directory.
import { UserError } from '../util/result.js';
import { isComponent, type Component } from './component.js';
import { isSequence, Sequence } from './sequence.js';
import type { Analyzer } from './analyzer.js';

export const CONFIG_BRAND = Symbol.for('heppy.Config');

export interface ConfigOptions {
  components: Component[];
  sequence: Sequence | Analyzer<object>[];
  /** Default input tree name (a component's tree_name wins). */
  tree?: string;
  /** Output directory (default 'Outdir'; `heppy build --outdir` wins). */
  outdir?: string;
  services?: Record<string, unknown>;
  /**
   * Integrated luminosity the MC components are normalised to in `heppy yields` and the report
   * (same unit as 1/xSection; `-o lumi=` wins; default: the sum of the data components' intLumi).
   */
  lumi?: number;
  /**
   * Inputs per merge node of a component's merge tree (default 16; `heppy build --merge-fan-in`
   * wins): one changed chunk re-merges ceil(log_fanIn N) nodes. A component of at most this many
   * chunks is merged by one node.
   */
  mergeFanIn?: number;
}

const KNOWN = new Set(['components', 'sequence', 'tree', 'outdir', 'services', 'lumi', 'mergeFanIn']);

export class Config {
  readonly [CONFIG_BRAND] = true;
  components: Component[];
  sequence: Sequence;
  tree: string;
  outdir: string | null;
  services: Record<string, unknown>;
  lumi: number | null;
  mergeFanIn: number | null;

  constructor(opts: ConfigOptions) {
    if (typeof opts !== 'object' || opts === null) throw new UserError('new Config({...}) needs an options object');
    for (const k of Object.keys(opts)) {
      if (!KNOWN.has(k)) throw new UserError(`Config: unknown field '${k}' (known: ${[...KNOWN].join(', ')})`);
    }
    if (!Array.isArray(opts.components)) throw new UserError('Config: components must be an array of components');
    const seen = new Set<string>();
    for (const [i, c] of opts.components.entries()) {
      if (!isComponent(c)) throw new UserError(`Config: components[${i}] is not a Component/DataComponent/MCComponent`);
      if (seen.has(c.name)) throw new UserError(`Config: two components are named ${c.name}`);
      seen.add(c.name);
    }
    this.components = [...opts.components];
    if (opts.sequence === undefined) throw new UserError('Config: sequence is missing');
    this.sequence = isSequence(opts.sequence) ? opts.sequence : new Sequence(...(opts.sequence as Analyzer<object>[]));
    if (opts.tree !== undefined && (typeof opts.tree !== 'string' || opts.tree === '')) throw new UserError('Config: tree must be a non-empty string');
    this.tree = opts.tree ?? 'events';
    this.outdir = opts.outdir ?? null;
    this.services = opts.services ?? {};
    if (opts.lumi !== undefined && !(typeof opts.lumi === 'number' && Number.isFinite(opts.lumi) && opts.lumi > 0)) {
      throw new UserError(`Config: lumi must be a positive number, got ${JSON.stringify(opts.lumi)}`);
    }
    this.lumi = opts.lumi ?? null;
    if (opts.mergeFanIn !== undefined && !(Number.isInteger(opts.mergeFanIn) && opts.mergeFanIn >= 2)) {
      throw new UserError(`Config: mergeFanIn must be an integer >= 2, got ${JSON.stringify(opts.mergeFanIn)}`);
    }
    this.mergeFanIn = opts.mergeFanIn ?? null;
  }

  component(name: string): Component | undefined {
    return this.components.find((c) => c.name === name);
  }
}

export function isConfig(x: unknown): x is Config {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[CONFIG_BRAND] === true;
}
