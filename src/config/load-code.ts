// Which code a chunk's key covers (DESIGN §4): the code of the modules its analyzers come from, not
// the whole heppyfile, so that adding a component or changing one's splitFactor does not re-run
// the others. Sound first: when it cannot be told what code a chunk runs, the whole bundle's digest.
// - An analyzer class exported (by identity) by a local module M: M's code digest (M bundled alone,
//   minified: its code and all it imports; load-bundle.ts), plus the class's own static values (a
//   heppyfile may set them). Defined in the heppyfile, or made at run time: the whole bundle's.
// - Analyzer parameters or static values that are not plain data (functions, class instances):
//   the whole bundle's (their code is nowhere else in the key). Likewise when code outside the
//   analyzers' modules imports a module inside them other than an analyzer module, or an analyzer
//   module exports anything but analyzer classes and constants (a call could change their state).
// - A component whose fields are not plain data (or whose class is not heppy's): its chunks get the
//   whole bundle's.
// Known limits: a heppyfile that patches an analyzer's prototype, or calls one of its static
// methods that changes module state, is not seen.
import { hashString } from '../fingerprint/hash.js';
import { canonical } from '../graph/canonical.js';
import { Component, DataComponent, MCComponent } from './component.js';
import { Analyzer, isAnalyzer } from './analyzer.js';
import { MODULE_EXPORT, type Bundle } from './load-bundle.js';
import type { ValidConfig } from './validate.js';

/** The code parts of chunk keys: `code:<module>` per analyzer module, or `code` (the whole bundle). */
export interface CodeParts {
  /** The parts of every chunk's key (one `code` entry when the analyzers' code cannot be told apart). */
  parts: Record<string, string>;
  /** Components whose config carries code: their chunks' code part is the whole bundle's. */
  wholeFor: ReadonlySet<string>;
  /** The parts for those: `{ code: <whole bundle digest> }`. */
  whole: Record<string, string>;
}

const PLAIN_PROTOS = new Set<unknown>([Object.prototype, null, Array.prototype, Date.prototype, RegExp.prototype, Map.prototype, Set.prototype]);
const HEPPY_COMPONENTS = new Set<unknown>([Component.prototype, DataComponent.prototype, MCComponent.prototype]);

/** Data whose meaning is all in its canonical encoding (no functions, no instances of other classes). */
export function plainData(v: unknown, seen = new Set<object>()): boolean {
  if (typeof v === 'function') return false;
  if (typeof v !== 'object' || v === null) return true;
  if (seen.has(v)) return true;
  seen.add(v);
  if (ArrayBuffer.isView(v)) return true;
  if (!PLAIN_PROTOS.has(Object.getPrototypeOf(v))) return false;
  const values = v instanceof Map ? [...v.keys(), ...v.values()] : v instanceof Set ? [...v] : Object.values(v);
  return values.every((x) => plainData(x, seen));
}

/** A component of heppy's own classes whose fields are plain data. */
function plainComponent(raw: object): boolean {
  return HEPPY_COMPONENTS.has(Object.getPrototypeOf(raw)) && Object.values(raw).every((x) => plainData(x));
}

/** A class's own static values (a heppyfile may set `Sel.cut = 3`), `null` when they are not plain data. */
function staticValues(cls: object): string | null {
  const rec: Record<string, unknown> = {};
  for (const k of Object.getOwnPropertyNames(cls)) {
    if (k === 'length' || k === 'name' || k === 'prototype') continue;
    const d = Object.getOwnPropertyDescriptor(cls, k)!;
    if (d.get || d.set) return null;
    rec[k] = d.value;
  }
  return plainData(rec) ? canonical(rec) : null;
}

/** Every local module whose namespace exports `cls` (by identity). */
function modulesOf(cls: unknown, mod: Record<string, unknown>, modules: readonly string[]): string[] {
  const out: string[] = [];
  modules.forEach((m, i) => {
    const ns = mod[`${MODULE_EXPORT}${i}`] as Record<string, unknown> | undefined;
    if (ns && Object.values(ns).includes(cls)) out.push(m);
  });
  return out;
}

/**
 * The static values of every analyzer class a module exports, or null when it exports anything
 * through which other code could change what its analyzers do: a function that is not an analyzer
 * class, an object, a static value that is not plain data.
 */
function exportedStatics(ns: Record<string, unknown>): string | null {
  const out: string[] = [];
  for (const [k, v] of Object.entries(ns)) {
    if (typeof v === 'function') {
      if (!(v.prototype instanceof Analyzer)) return null;
      const st = staticValues(v);
      if (st === null) return null;
      out.push(`${k}:${v.name}=${st}`);
    } else if (typeof v === 'object' && v !== null) return null;
    else out.push(`${k}=${canonical(v)}`);
  }
  return out.sort().join('|');
}

/** The local modules `from` reaches through its imports (itself included). */
function closureOf(from: Iterable<string>, imports: Record<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    for (const x of imports[m] ?? []) stack.push(x);
  }
  return seen;
}

/**
 * The analyzers' code parts, or null when any analyzer's code cannot be told apart from the
 * heppyfile's (then the whole bundle's digest is the code part).
 */
function analyzerParts(sequence: unknown, mod: Record<string, unknown>, bundle: Bundle): Record<string, string> | null {
  if (!Array.isArray(sequence)) return null;
  const chosen = new Set<string>();
  for (const a of sequence) {
    if (!isAnalyzer(a) || typeof a.analyzerClass !== 'function' || !plainData(a.params)) return null;
    // The module with the smallest code among those exporting it (a re-export's closure holds the definition too).
    const ms = modulesOf(a.analyzerClass, mod, bundle.modules).filter((m) => bundle.moduleDigests[m] !== undefined);
    if (ms.length === 0) return null;
    chosen.add(ms.sort((x, y) => (bundle.moduleBytes[x] ?? 0) - (bundle.moduleBytes[y] ?? 0) || (x < y ? -1 : 1))[0]!);
  }
  // Code outside the analyzers' modules (the heppyfile, a module of file lists) may enter them only
  // through an analyzer module that exports nothing but analyzer classes and constants: a call
  // into a helper they share could change what they do, unseen by their digests.
  const inside = closureOf(chosen, bundle.imports);
  for (const [from, to] of Object.entries(bundle.imports)) {
    if (inside.has(from)) continue;
    for (const m of to) if (inside.has(m) && !chosen.has(m)) return null;
  }
  const parts: Record<string, string> = {};
  for (const m of chosen) {
    const st = exportedStatics(mod[`${MODULE_EXPORT}${bundle.modules.indexOf(m)}`] as Record<string, unknown>);
    if (st === null) return null;
    parts[`code:${m}`] = hashString(`${bundle.moduleDigests[m]!}|${st}`);
  }
  return parts;
}

/** The code parts of the chunks' keys of `config`, from the imported bundle `mod`. */
export function codeParts(bundle: Bundle, mod: Record<string, unknown>, config: ValidConfig): CodeParts {
  const whole = { code: bundle.codeDigest };
  const parts = analyzerParts(config.sequence, mod, bundle) ?? whole;
  const wholeFor = new Set<string>();
  if (parts !== whole) for (const c of config.components) if (!plainComponent(c.raw)) wholeFor.add(c.name);
  return { parts, wholeFor, whole };
}
