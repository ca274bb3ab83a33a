// Analyzer: both heppy's cfg.Analyzer (a declaration in the heppyfile:
// `new Analyzer(ZZSelector, { minLeptons: 4 }, 'tight')`) and heppy's framework Analyzer (the base
// class analyses subclass). The looper instantiates the subclass with no arguments; its runtime
// context (name, params, component, output directory, booking) is handed over through a slot read
// by this constructor, so that subclass field initializers can already use `this.params`.
import type { NumType } from '../root/types.js';
import type { Hist } from '../root/hist.js';
import type { Average } from '../stats/average.js';
import type { Counter } from '../stats/counter.js';
import { UserError } from '../util/result.js';
import type { Component } from './component.js';
import { checkName } from './names.js';

export const ANALYZER_BRAND = Symbol.for('heppy.Analyzer');
const PENDING = Symbol.for('heppy.Analyzer.pendingContext');

/** A branch of a booked tree (the writer's BranchSpec, docs/internals.md). */
export interface BranchSpec {
  name: string;
  type: NumType;
  /** 'scalar' (default), a fixed array, or a variable-length array sized by an i4 counter branch. */
  shape?: 'scalar' | { fixed: number } | { counter: string };
  title?: string;
}

/** A tree booked by an analyzer: fill one row per call. */
export interface BookedTree {
  readonly name: string;
  fill(row: Record<string, number | bigint | boolean | ArrayLike<number> | ArrayLike<bigint>>): void;
  readonly entries: number;
}

export interface HistOptions {
  /** ROOT file in the analyzer's directory (default 'histograms.root'). */
  file?: string;
  /** 'D' (TH1D/TH2D, default) or 'F'. */
  precision?: 'F' | 'D';
  xTitle?: string;
  yTitle?: string;
}

export interface TreeOptions {
  /** ROOT file in the analyzer's directory (default 'tree.root'). */
  file?: string;
  title?: string;
  /** 'ttree' (default) or 'rntuple': the same branches written as an RNTuple (ROOT 6.34+'s format). */
  format?: 'ttree' | 'rntuple';
}

/** What the looper gives each analyzer instance: implemented in src/loop/outputs.ts. */
export interface AnalyzerRuntime {
  name: string;
  params: Record<string, unknown>;
  component: Component;
  dirName: string;
  counter(name: string): Counter;
  average(name: string): Average;
  hist1(name: string, title: string, nbins: number, min: number, max: number, opts?: HistOptions): Hist;
  hist2(name: string, title: string, nx: number, xmin: number, xmax: number, ny: number, ymin: number, ymax: number, opts?: HistOptions): Hist;
  tree(name: string, branches: BranchSpec[], opts?: TreeOptions): BookedTree;
  log(message: string): void;
}

/** The shape of an analyzer subclass (constructed by the looper without arguments). */
export type AnalyzerClass<P extends object = Record<string, unknown>> = (new () => Analyzer<P>) & { branches?: readonly string[] };

/**
 * The arguments after the class in `new Analyzer(Class, params, label?)`: params may be left out
 * only when the class's parameters are all optional. P is inferred from the class alone (NoInfer),
 * so that an object literal is checked against it (excess properties: TS2561 "did you mean").
 */
export type AnalyzerArgs<P extends object> = {} extends P
  ? [params?: NoInfer<P>, label?: string | number]
  : [params: NoInfer<P>, label?: string | number];

/** The setup object passed to beginLoop/endLoop/write (heppy's `setup`): shared between analyzers. */
export interface Setup {
  config: unknown;
  services: Record<string, unknown>;
  [key: string]: unknown;
}

export class Analyzer<P extends object = Record<string, unknown>> {
  /** Instance name `<Class>_<label>`; also the name of its output directory. */
  name: string;
  /** The parameters given in the heppyfile (heppy's cfg_ana). */
  params: P;
  /** Declaration only: the analyzer class and its label. */
  readonly analyzerClass: AnalyzerClass<P> | null;
  label: string;
  /** Whether the label was left to its default (then Sequence may bump it 1 → 2 … like heppy). */
  readonly defaultLabel: boolean;
  private readonly runtime: AnalyzerRuntime | null;

  constructor();
  /** A declaration: the parameters' type is the class's (a misspelt or missing parameter is a type error). */
  constructor(cls: AnalyzerClass<P>, ...args: AnalyzerArgs<P>);
  constructor(cls?: AnalyzerClass<P>, params?: P, label?: string | number) {
    if (cls === undefined) {
      const g = globalThis as unknown as Record<symbol, AnalyzerRuntime | null | undefined>;
      const rt = g[PENDING];
      if (!rt) throw new Error('an Analyzer subclass is instantiated by the looper; in a heppyfile write new Analyzer(MyAnalyzer, params)');
      g[PENDING] = null;
      this.runtime = rt;
      this.name = rt.name;
      this.params = rt.params as P;
      this.analyzerClass = null;
      this.label = '';
      this.defaultLabel = false;
      return;
    }
    if (typeof cls !== 'function' || !isAnalyzerSubclass(cls)) {
      throw new UserError(`new Analyzer(X, …): X must be a class that extends Analyzer, got ${typeof cls === 'function' ? cls.name || 'an anonymous function' : typeof cls}`);
    }
    if (!cls.name) throw new UserError('new Analyzer(X, …): the analyzer class must have a name');
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      throw new UserError(`new Analyzer(${cls.name}, params): params must be an object`);
    }
    this.runtime = null;
    this.analyzerClass = cls;
    this.params = (params ?? {}) as P;
    this.defaultLabel = label === undefined;
    this.label = String(label ?? '1');
    this.name = checkName('analyzer', `${cls.name}_${this.label}`);
  }

  /** Re-labels a declaration (heppy: setting instance_label renames). */
  setLabel(label: string | number): void {
    this.label = String(label);
    this.name = checkName('analyzer', `${this.analyzerClass?.name ?? ''}_${this.label}`);
  }

  // ---- lifecycle, overridden by analyses ----
  beginLoop(_setup: Setup): void | Promise<void> {}
  /** Return false to stop the sequence for this event (the event still counts as processed). */
  process(_event: import('../loop/event.js').Event): boolean | void {}
  endLoop(_setup: Setup): void | Promise<void> {}
  /** Called after endLoop; the framework writes counters, averages, histograms and trees itself. */
  write(_setup: Setup): void | Promise<void> {}

  // ---- framework services for analyses ----
  private rt(): AnalyzerRuntime {
    if (this.runtime === null) throw new Error(`${this.name}: booking is only possible while the analyzer runs (in beginLoop/process/endLoop)`);
    return this.runtime;
  }
  /** The chunk's component (heppy's cfg_comp). */
  get component(): Component { return this.rt().component; }
  /** The analyzer's output directory. */
  get dirName(): string { return this.rt().dirName; }
  /**
   * A cut-flow counter written as `<name>.txt` + `<name>.json`, summed by hadd. Book counters,
   * averages, histograms and trees in beginLoop: hadd needs the same files in every chunk.
   */
  counter(name: string): Counter { return this.rt().counter(name); }
  /** A weighted average written as `<name>.txt` + `<name>.json`, summed by hadd. */
  average(name: string): Average { return this.rt().average(name); }
  /** A TH1D (or TH1F with precision 'F'), written into `<file>` in the analyzer's directory. */
  hist1(name: string, title: string, nbins: number, min: number, max: number, opts?: HistOptions): Hist {
    return this.rt().hist1(name, title, nbins, min, max, opts);
  }
  hist2(name: string, title: string, nx: number, xmin: number, xmax: number, ny: number, ymin: number, ymax: number, opts?: HistOptions): Hist {
    return this.rt().hist2(name, title, nx, xmin, xmax, ny, ymin, ymax, opts);
  }
  /** A TTree with numeric branches, written into `<file>` (default tree.root); `{format: 'rntuple'}` writes an RNTuple. */
  tree(name: string, branches: BranchSpec[], opts?: TreeOptions): BookedTree { return this.rt().tree(name, branches, opts); }
  /** A line in the analyzer's own log.txt. */
  log(message: string): void { this.rt().log(message); }
}

// The brand lives on the prototype so that subclasses are recognised before any instance exists.
Object.defineProperty(Analyzer.prototype, ANALYZER_BRAND, { value: true });

export function isAnalyzer(x: unknown): x is Analyzer<object> {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[ANALYZER_BRAND] === true;
}

function isAnalyzerSubclass(cls: Function): boolean {
  return typeof cls.prototype === 'object' && cls.prototype !== null && (cls.prototype as Record<symbol, unknown>)[ANALYZER_BRAND] === true;
}

/** Used by the looper: instantiate an analyzer class with its runtime context. */
export function instantiateAnalyzer(cls: AnalyzerClass<object>, runtime: AnalyzerRuntime): Analyzer<object> {
  const g = globalThis as unknown as Record<symbol, AnalyzerRuntime | null>;
  g[PENDING] = runtime;
  try {
    return new cls();
  } finally {
    g[PENDING] = null;
  }
}
