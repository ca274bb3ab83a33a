// heppy's component model (framework/config.py): Component, DataComponent, MCComponent.
// Attributes mirror heppy's names (tree_name, dataset_entries, isData…) because they are printed
// in log.txt exactly as heppy's CFG.__str__ prints them.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { UserError } from '../util/result.js';
import { checkName } from './names.js';
import { isUrl } from '../io/url.js';
import { configBaseDir } from './options.js';
import { segmentRegExp } from '../util/glob.js';

export const COMPONENT_BRAND = Symbol.for('heppy.Component');

export interface ComponentOptions {
  /** A glob (expanded and sorted, relative to the heppyfile's directory) or a list of paths. */
  files: string | readonly string[];
  tree_name?: string;
  triggers?: string | readonly string[];
  splitFactor?: number;
  fineSplitFactor?: number;
  /**
   * A branch holding each event's generator weight: it becomes the event's initial eventWeight,
   * and its sum over the processed events replaces nGenEvents in the normalisation of yields.
   */
  genWeightBranch?: string;
  [extra: string]: unknown;
}

export class Component {
  [attr: string]: unknown;
  name: string;
  files: string[];
  tree_name: string | null = null;
  triggers: string[] = [];
  dataset_entries = 0;
  isData = false;
  isMC = false;
  isEmbed = false;
  declare splitFactor?: number;
  declare fineSplitFactor?: number;
  declare genWeightBranch?: string;

  constructor(name: string, opts: ComponentOptions) {
    this.name = checkName('component', name);
    if (typeof opts !== 'object' || opts === null) throw new UserError(`component ${name}: the second argument must be an options object with 'files'`);
    if (opts.files === undefined) throw new UserError(`component ${name}: 'files' is missing (a glob or a list of paths)`);
    this.files = expandFiles(name, opts.files);
    for (const [k, v] of Object.entries(opts)) {
      if (k === 'files' || v === undefined) continue;
      if (k === 'name') throw new UserError(`component ${name}: 'name' is the first argument, not an option`);
      if (k === 'triggers') { this.triggers = typeof v === 'string' ? [v] : [...(v as string[])]; continue; }
      this[k] = v;
    }
    if (this.genWeightBranch !== undefined && (typeof this.genWeightBranch !== 'string' || this.genWeightBranch === '')) {
      throw new UserError(`component ${name}: genWeightBranch must be the name of a branch, got ${JSON.stringify(this.genWeightBranch)}`);
    }
    checkFactor(name, 'splitFactor', this.splitFactor);
    checkFactor(name, 'fineSplitFactor', this.fineSplitFactor);
  }

  /** A shallow copy with some attributes replaced (heppy's clone(**kw)); the class is kept. */
  clone(overrides: Record<string, unknown> = {}): this {
    const c = Object.create(Object.getPrototypeOf(this) as object) as this;
    for (const k of Object.keys(this)) c[k] = Array.isArray(this[k]) ? [...(this[k] as unknown[])] : this[k];
    Object.assign(c, overrides);
    return c;
  }
}

// On the prototype: clones (Object.create) and subclasses are recognised too.
Object.defineProperty(Component.prototype, COMPONENT_BRAND, { value: true });

export interface DataComponentOptions extends ComponentOptions {
  intLumi?: number | null;
  json?: string | null;
}

export class DataComponent extends Component {
  intLumi: number | null = null;
  json: string | null = null;

  constructor(name: string, opts: DataComponentOptions) {
    super(name, opts);
    this.isData = true;
    if (opts.intLumi !== undefined) this.intLumi = opts.intLumi;
    if (opts.json !== undefined) this.json = opts.json;
  }
}

export interface MCComponentOptions extends ComponentOptions {
  xSection?: number;
  nGenEvents?: number | null;
  effCorrFactor?: number;
  intLumi?: number;
  addWeight?: number;
}

export class MCComponent extends Component {
  xSection = 1;
  nGenEvents: number | null = null;
  effCorrFactor = 1;
  intLumi = 1;
  addWeight = 1;

  constructor(name: string, opts: MCComponentOptions) {
    super(name, opts);
    this.isMC = true;
    for (const k of ['xSection', 'nGenEvents', 'effCorrFactor', 'intLumi', 'addWeight'] as const) {
      if (opts[k] !== undefined) (this as Record<string, unknown>)[k] = opts[k];
    }
  }

  /** heppy's getWeight(): addWeight·xSection·intLumi / (nGenEvents / effCorrFactor). */
  getWeight(intLumi: number | null = null): number {
    const lumi = intLumi ?? this.intLumi;
    if (this.nGenEvents === null || this.nGenEvents === 0) throw new Error(`MCComponent ${this.name}: getWeight() needs nGenEvents`);
    return (this.addWeight * this.xSection * lumi) / (this.nGenEvents * (1 / this.effCorrFactor));
  }
}

export function isComponent(x: unknown): x is Component {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[COMPONENT_BRAND] === true;
}

function checkFactor(comp: string, field: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`component ${comp}: ${field} must be a whole number >= 1, got ${JSON.stringify(v)}`);
}

function expandFiles(comp: string, files: string | readonly string[]): string[] {
  const base = configBaseDir();
  // A remote glob needs the network: it is kept as it is and expanded when the heppyfile is loaded.
  if (typeof files === 'string' && isUrl(files)) return [files];
  if (typeof files === 'string') return hasMagic(files) ? glob(resolve(base, files)) : [resolve(base, files)];
  if (!Array.isArray(files)) throw new UserError(`component ${comp}: 'files' must be a glob string or an array of paths`);
  return files.map((f) => {
    if (typeof f !== 'string' || f === '') throw new UserError(`component ${comp}: every entry of 'files' must be a non-empty path`);
    return isAbsolute(f) || isUrl(f) ? f : resolve(base, f);
  });
}

export const hasMagic = (s: string): boolean => /[*?[]/.test(s);

/** Minimal glob (`*`, `?`, `[...]`, `**`) over an absolute pattern; sorted like Python's sorted(). */
export function glob(pattern: string): string[] {
  const parts = pattern.split(sep);
  const root = parts[0] === '' ? sep : parts[0]!;
  const out: string[] = [];
  walk(root, parts.slice(1), out);
  return [...new Set(out)].sort();
}

function walk(dir: string, rest: string[], out: string[]): void {
  if (rest.length === 0) { out.push(dir); return; }
  const [head, ...tail] = rest as [string, ...string[]];
  if (head === '') { walk(dir, tail, out); return; }
  if (!hasMagic(head)) {
    const p = join(dir, head);
    if (tail.length === 0) { if (exists(p)) out.push(p); } else walk(p, tail, out);
    return;
  }
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return; }
  if (head === '**') {
    walk(dir, tail, out);
    for (const e of entries) if (!e.startsWith('.') && isDir(join(dir, e))) walk(join(dir, e), rest, out);
    return;
  }
  const re = segmentRegExp(head);
  // `dir` is absolute and normalised, an entry has no separator and is never . or ..: a string
  // concatenation is join() without its normalisation pass (10,000 files per component here).
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const hidden = head.startsWith('.');
  for (const e of entries) {
    if (!hidden && e.charCodeAt(0) === 46 /* . */) continue;
    if (!re.test(e)) continue;
    if (tail.length === 0) out.push(prefix + e); else if (isDir(prefix + e)) walk(prefix + e, tail, out);
  }
}

function exists(p: string): boolean {
  try { statSync(p); return true; } catch { return false; }
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}
