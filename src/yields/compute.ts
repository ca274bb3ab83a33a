// Yields: for every merged component (or unsplit component run in place), every counter of every
// analyzer, per level: the raw count, the sum of weights and of squared weights, and the yield
// normalised to the luminosity (MC: addWeight·xSection·lumi·effCorrFactor / N, with N the
// sum of generator weights when the component names its branch, else nGenEvents; data: 1).
// Statistical error of a yield: norm·sqrt(Σw²). MC sum and data sum add yields and errors in
// quadrature.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMarker } from '../chunkdir/marker.js';
import { readBuildRecord, type BuildRecord, type ComponentKind, type ComponentRecord, type LumiSource } from '../engine/build-record.js';
import { Counter } from '../stats/counter.js';
import { GEN_WEIGHTS, isStatSidecar, readStat, statFileBase } from '../stats/sidecar.js';
import { fail, ok, type Result } from '../util/result.js';

export interface Cell {
  count: number;
  sumw: number;
  sumw2: number;
  /** norm·sumw (null when the component cannot be normalised: no lumi or no nGenEvents). */
  yield: number | null;
  error: number | null;
}

export interface SumCell {
  count: number;
  yield: number | null;
  error: number | null;
}

export interface YieldRow {
  level: string;
  cells: Record<string, Cell>;
  mcSum: SumCell | null;
  data: SumCell | null;
}

export interface YieldTable {
  analyzer: string;
  counter: string;
  rows: YieldRow[];
}

export interface ComponentYieldInfo {
  name: string;
  kind: ComponentKind;
  /** Factor applied to sumw; null when it cannot be computed (see `problem`). */
  norm: number | null;
  xSection: number | null;
  nGenEvents: number | null;
  sumGenWeights: number | null;
  /** What divides: 'nGenEvents', 'sumGenWeights', or null for data/other. */
  denominator: 'nGenEvents' | 'sumGenWeights' | null;
  problem: string | null;
}

export interface Yields {
  outdir: string;
  lumi: { value: number | null; source: LumiSource | 'flag' };
  components: ComponentYieldInfo[];
  tables: YieldTable[];
  /** Components of the build without a merged result to read (not built, failed, not merged). */
  missing: string[];
}

/** The directory holding a component's result: the merge, or the unsplit run in place. */
function resultDir(outdir: string, name: string): string | null {
  const dir = join(outdir, name);
  const m = readMarker(dir);
  if (!m.ok || m.value === null || m.value.status !== 'ok') return null;
  return dir;
}

/** Without a build record: every directory of Outdir with an ok hadd marker, as an 'other' component. */
function discovered(outdir: string): ComponentRecord[] {
  const out: ComponentRecord[] = [];
  for (const name of readdirSync(outdir).sort()) {
    if (name.startsWith('.')) continue;
    const m = readMarker(join(outdir, name));
    if (m.ok && m.value?.kind === 'hadd') {
      out.push({ name, kind: 'other', xSection: null, nGenEvents: null, effCorrFactor: 1, addWeight: 1, intLumi: null, genWeightBranch: null, nChunks: 0, split: true });
    }
  }
  return out;
}

function normOf(c: ComponentRecord, dir: string, lumi: number | null): ComponentYieldInfo {
  const base = { name: c.name, kind: c.kind, xSection: c.xSection, nGenEvents: c.nGenEvents, sumGenWeights: null as number | null };
  if (c.kind !== 'mc') return { ...base, norm: 1, denominator: null, problem: null };
  let n = c.nGenEvents;
  let denominator: ComponentYieldInfo['denominator'] = 'nGenEvents';
  if (c.genWeightBranch !== null) {
    const g = readStat(join(dir, `${GEN_WEIGHTS}.json`));
    if (!g.ok || !(g.value instanceof Counter) || g.value.levels.length === 0) {
      return { ...base, norm: null, denominator: 'sumGenWeights', problem: `no ${GEN_WEIGHTS}.json (sum of ${c.genWeightBranch}) in ${dir}` };
    }
    base.sumGenWeights = g.value.sumw[0]!;
    n = base.sumGenWeights;
    denominator = 'sumGenWeights';
  }
  if (lumi === null) return { ...base, norm: null, denominator, problem: 'no luminosity (Config lumi, -o lumi= or a data component with intLumi)' };
  if (c.xSection === null) return { ...base, norm: null, denominator, problem: 'no xSection' };
  if (n === null || n === 0) return { ...base, norm: null, denominator, problem: denominator === 'nGenEvents' ? 'no nGenEvents' : 'the sum of generator weights is 0' };
  return { ...base, norm: (c.addWeight * c.xSection * lumi * c.effCorrFactor) / n, denominator, problem: null };
}

/** Counter sidecars of the analyzers' directories of one result directory: analyzer → counters. */
function countersIn(dir: string): Map<string, Counter[]> {
  const out = new Map<string, Counter[]>();
  for (const ana of readdirSync(dir).sort()) {
    const adir = join(dir, ana);
    if (!statSync(adir).isDirectory()) continue;
    for (const f of readdirSync(adir).sort()) {
      if (!f.endsWith('.json') || !isStatSidecar(join(adir, f))) continue;
      const s = readStat(join(adir, f));
      if (s.ok && s.value instanceof Counter) out.set(ana, [...(out.get(ana) ?? []), s.value]);
    }
  }
  return out;
}

function sumCells(cells: Cell[]): SumCell | null {
  if (cells.length === 0) return null;
  const count = cells.reduce((a, c) => a + c.count, 0);
  if (cells.some((c) => c.yield === null)) return { count, yield: null, error: null };
  return { count, yield: cells.reduce((a, c) => a + c.yield!, 0), error: Math.sqrt(cells.reduce((a, c) => a + c.error! * c.error!, 0)) };
}

export interface YieldsOptions {
  /** --lumi: overrides the build's luminosity. */
  lumi?: number;
}

export function computeYields(outdir: string, opts: YieldsOptions = {}): Result<Yields> {
  if (!existsSync(outdir) || !statSync(outdir).isDirectory()) return fail({ file: outdir, reason: 'no such output directory' });
  const rec = readBuildRecord(outdir);
  if (!rec.ok) return rec;
  const build: BuildRecord | null = rec.value;
  const comps = build?.components ?? discovered(outdir);
  const lumi = opts.lumi !== undefined ? { value: opts.lumi, source: 'flag' as const } : build?.lumi ?? { value: null, source: 'none' as const };
  const infos: ComponentYieldInfo[] = [];
  const missing: string[] = [];
  const tables = new Map<string, YieldTable>();
  const kindOf = new Map<string, ComponentKind>();
  for (const c of comps) {
    const dir = resultDir(outdir, c.name);
    if (dir === null) { missing.push(c.name); continue; }
    const info = normOf(c, dir, lumi.value);
    infos.push(info);
    kindOf.set(c.name, c.kind);
    for (const [ana, counters] of countersIn(dir)) {
      for (const counter of counters) {
        const id = `${ana}/${statFileBase(counter.name)}`;
        let t = tables.get(id);
        if (t === undefined) { t = { analyzer: ana, counter: counter.name, rows: [] }; tables.set(id, t); }
        counter.levels.forEach(([level, count], i) => {
          let row = t!.rows.find((r) => r.level === level);
          if (row === undefined) { row = { level, cells: {}, mcSum: null, data: null }; t!.rows.push(row); }
          const sumw = counter.sumw[i]!, sumw2 = counter.sumw2[i]!;
          row.cells[c.name] = { count, sumw, sumw2, yield: info.norm === null ? null : info.norm * sumw, error: info.norm === null ? null : info.norm * Math.sqrt(sumw2) };
        });
      }
    }
  }
  for (const t of tables.values()) {
    for (const row of t.rows) {
      const of = (k: ComponentKind): Cell[] => Object.entries(row.cells).filter(([n]) => kindOf.get(n) === k).map(([, c]) => c);
      row.mcSum = sumCells(of('mc'));
      row.data = sumCells(of('data'));
    }
  }
  return ok({ outdir, lumi, components: infos, tables: [...tables.values()], missing });
}
