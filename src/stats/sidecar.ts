// Counters and averages on disk: heppy's `<name>.txt` plus a `<name>.json` sidecar holding the
// state (heppy's .pck). hadd sums sidecars and re-renders the text: text is never parsed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result, assertNever } from '../util/result.js';
import { Average, type AverageJson } from './average.js';
import { Counter, type CounterJson } from './counter.js';

export type Stat = Counter | Average;
export type StatJson = CounterJson | AverageJson;

/**
 * The chunk-level counter of generator weights (`genweights.txt` + `.json` at the top of a chunk
 * directory, one level; its sumw is Σ of the component's genWeightBranch), summed by hadd.
 */
export const GEN_WEIGHTS = 'genweights';

/** File base name of a counter/average: heppy replaces '*' with 'STAR'. */
export function statFileBase(name: string): string {
  return name.replace(/\*/g, 'STAR');
}

/** Writes `<dir>/<name>.txt` and `<dir>/<name>.json`; returns the two paths. */
export function writeStat(dir: string, stat: Stat): string[] {
  const base = join(dir, statFileBase(stat.name));
  writeFileSync(base + '.txt', stat.fileText());
  writeFileSync(base + '.json', JSON.stringify(stat.toJSON()) + '\n');
  return [base + '.txt', base + '.json'];
}

/** Checks a parsed sidecar's shape. */
function asStatJson(v: unknown): StatJson | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string') return null;
  if (o.type === 'Counter') {
    if (!Array.isArray(o.levels)) return null;
    for (const l of o.levels) {
      if (!Array.isArray(l) || l.length !== 2 || typeof l[0] !== 'string' || typeof l[1] !== 'number') return null;
    }
    for (const k of ['sumw', 'sumw2'] as const) {
      const v = o[k];
      if (v !== undefined && (!Array.isArray(v) || v.length !== o.levels.length || v.some((x) => typeof x !== 'number'))) return null;
    }
    return o as unknown as CounterJson;
  }
  if (o.type === 'Average') {
    if (typeof o.sumw !== 'number' || typeof o.sumwx !== 'number' || typeof o.sumwx2 !== 'number') return null;
    return o as unknown as AverageJson;
  }
  return null;
}

/** True when a .json file is one of our sidecars (hadd uses this to pick files to sum). */
export function isStatSidecar(path: string): boolean {
  try {
    return asStatJson(JSON.parse(readFileSync(path, 'utf8'))) !== null;
  } catch {
    return false;
  }
}

export function readStat(path: string): Result<Stat> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail({ file: path, reason: `cannot read counter/average sidecar: ${(e as Error).message}` });
  }
  const j = asStatJson(parsed);
  if (j === null) return fail({ file: path, reason: 'not a counter/average sidecar (needs type Counter or Average)' });
  switch (j.type) {
    case 'Counter': return ok(Counter.fromJSON(j));
    case 'Average': return ok(Average.fromJSON(j));
    default: return assertNever(j, 'sidecar');
  }
}

/**
 * heppy's Counter += : positional; a level name that differs at the same position is an error;
 * levels only in `b` are appended. Mutates and returns `a`.
 */
export function addCounter(a: Counter, b: Counter): Result<Counter> {
  for (let i = 0; i < b.levels.length; i++) {
    const [level, count] = b.levels[i]!;
    if (i >= a.levels.length) {
      a.register(level);
    } else if (a.levels[i]![0] !== level) {
      return fail({ object: a.name, reason: `cannot add these counters: level ${i} is '${a.levels[i]![0]}' in one and '${level}' in the other` });
    }
    a.levels[i]![1] += count;
    a.sumw[i]! += b.sumw[i]!;
    a.sumw2[i]! += b.sumw2[i]!;
  }
  return ok(a);
}

/** heppy's Average += : sums sumw, sumwx, sumwx2. Mutates and returns `a`. */
export function addAverage(a: Average, b: Average): Average {
  a.sumw += b.sumw;
  a.sumwx += b.sumwx;
  a.sumwx2 += b.sumwx2;
  return a;
}

/** Sums the sidecars at `paths` (same stat in each chunk, chunk order). */
export function sumStatFiles(paths: string[]): Result<Stat> {
  if (paths.length === 0) return fail({ reason: 'no sidecar to sum' });
  const first = readStat(paths[0]!);
  if (!first.ok) return first;
  const acc = first.value;
  for (const p of paths.slice(1)) {
    const r = readStat(p);
    if (!r.ok) return r;
    const next = r.value;
    if (acc instanceof Counter && next instanceof Counter) {
      const s = addCounter(acc, next);
      if (!s.ok) return fail({ ...s.error, file: p });
    } else if (acc instanceof Average && next instanceof Average) {
      addAverage(acc, next);
    } else {
      return fail({ file: p, object: next.name, reason: `cannot add a ${next.constructor.name} to a ${acc.constructor.name}` });
    }
  }
  return ok(acc);
}

/** Sums the sidecars at `paths` and writes the result (.txt re-rendered + .json) into `outDir`. */
export function mergeStatFiles(paths: string[], outDir: string): Result<string[]> {
  const s = sumStatFiles(paths);
  if (!s.ok) return s;
  return ok(writeStat(outDir, s.value));
}
