// Which code a chunk's key covers (DESIGN §4): the code of the modules its analyzers come from, not
// the whole heppyfile, so that adding a component or changing one's splitFactor does not re-run
// the others. Sound first: when it cannot be told what code a chunk runs, the whole bundle's digest.
// - An analyzer class exported (by identity) by a local module M: M's code digest (M bundled alone,
//   minified: its code and all it imports; load-bundle.ts), plus the class's own static values (a
//   heppyfile may set them). Defined in the heppyfile, or made at run time: the whole bundle's.
// - Analyzer parameters or static values that are not plain data (functions, class instances):
//   the whole bundle's (their code is nowhere else in the key).
// - A component whose fields are not plain data (or whose class is not heppy's): its chunks get the
//   whole bundle's.
// Known limit: module state set by the heppyfile through a function of M (not a static property) is
// not seen; DESIGN §4 keeps the values that shape the config (files, splitFactor…) in the key.
import { hashString } from '../fingerprint/hash.js';
import { canonical } from '../graph/canonical.js';
import { Component, DataComponent, MCComponent } from './component.js';
import { isAnalyzer } from './analyzer.js';
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
 * The analyzers' code parts, or null when any analyzer's code cannot be told apart from the
 * heppyfile's (then the whole bundle's digest is the code part).
 */
function analyzerParts(sequence: unknown, mod: Record<string, unknown>, bundle: Bundle): Record<string, string> | null {
  if (!Array.isArray(sequence)) return null;
  const parts: Record<string, string> = {};
  const statics = new Map<string, string[]>();
  for (const a of sequence) {
    if (!isAnalyzer(a) || typeof a.analyzerClass !== 'function' || !plainData(a.params)) return null;
    const cls = a.analyzerClass;
    const st = staticValues(cls);
    if (st === null) return null;
    // The module with the smallest code among those exporting it (a re-export's closure holds the definition too).
    const ms = modulesOf(cls, mod, bundle.modules).filter((m) => bundle.moduleDigests[m] !== undefined);
    if (ms.length === 0) return null;
    const m = ms.length === 1 ? ms[0]! : ms.sort((x, y) => (bundle.moduleBytes[x] ?? 0) - (bundle.moduleBytes[y] ?? 0) || (x < y ? -1 : 1))[0]!;
    parts[`code:${m}`] = bundle.moduleDigests[m]!;
    const l = statics.get(m) ?? [];
    l.push(`${cls.name}=${st}`);
    statics.set(m, l);
  }
  for (const [m, l] of statics) parts[`code:${m}`] = hashString(`${parts[`code:${m}`]}|${l.sort().join('|')}`);
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
