// Outdir/.heppy/build.json: what the last build was about, for the commands that read an Outdir
// without a heppyfile (`heppy yields`, `heppy report`): each component's kind and normalisation
// fields, its chunks, and the luminosity MC is normalised to. Written by `heppy build` (this module
// is its one reader and writer), atomically (tmp + rename).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, UserError, type Result } from '../util/result.js';

export const BUILD_RECORD = 'build.json';

export type ComponentKind = 'data' | 'mc' | 'other';
export type LumiSource = 'option' | 'config' | 'data' | 'none';

export interface ComponentRecord {
  name: string;
  kind: ComponentKind;
  xSection: number | null;
  nGenEvents: number | null;
  effCorrFactor: number;
  addWeight: number;
  /** Data: the component's integrated luminosity; MC: heppy's own intLumi field (not used for yields). */
  intLumi: number | null;
  genWeightBranch: string | null;
  /** Number of chunks (names: chunkNames(); kept as a count so that a no-op build writes little). */
  nChunks: number;
  /** Whether the chunks are merged into Outdir/<name>/ (a split component). */
  split: boolean;
}

/** The chunk names of a component of the build: `<name>_Chunk<i>`, or the component itself unsplit. */
export function chunkNames(c: ComponentRecord): string[] {
  return c.split ? Array.from({ length: c.nChunks }, (_, i) => `${c.name}_Chunk${i}`) : [c.name];
}

export interface BuildRecord {
  version: 1;
  heppyVersion: string;
  executor: string;
  startedAt: string;
  /** null while the build runs (or when it was killed). */
  finishedAt: string | null;
  lumi: { value: number | null; source: LumiSource };
  components: ComponentRecord[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A component record from the model object (heppy's attribute names). */
export function componentRecord(raw: object, nChunks: number, split: boolean): ComponentRecord {
  const o = raw as Record<string, unknown>;
  const kind: ComponentKind = o.isData === true ? 'data' : o.isMC === true ? 'mc' : 'other';
  return {
    name: String(o.name), kind, xSection: num(o.xSection), nGenEvents: num(o.nGenEvents),
    effCorrFactor: num(o.effCorrFactor) ?? 1, addWeight: num(o.addWeight) ?? 1, intLumi: num(o.intLumi),
    genWeightBranch: typeof o.genWeightBranch === 'string' ? o.genWeightBranch : null, nChunks, split,
  };
}

/** The luminosity: `-o lumi=` (a bad value is a usage error), else Config.lumi, else Σ data intLumi. */
export function resolveLumi(option: string | boolean | undefined, configLumi: number | null, comps: readonly ComponentRecord[]): BuildRecord['lumi'] {
  if (option !== undefined) {
    const v = typeof option === 'string' ? Number(option) : NaN;
    if (!(Number.isFinite(v) && v > 0)) throw new UserError(`-o lumi must be a positive number, got ${JSON.stringify(option)}`);
    return { value: v, source: 'option' };
  }
  if (configLumi !== null) return { value: configLumi, source: 'config' };
  const data = comps.filter((c) => c.kind === 'data' && c.intLumi !== null);
  if (data.length > 0) return { value: data.reduce((a, c) => a + c.intLumi!, 0), source: 'data' };
  return { value: null, source: 'none' };
}

export function writeBuildRecord(outdir: string, rec: BuildRecord): void {
  const dir = join(outdir, '.heppy');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${BUILD_RECORD}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(rec) + '\n');
  renameSync(tmp, join(dir, BUILD_RECORD));
}

/** null when no build wrote one (an Outdir made elsewhere, or by an older heppy). */
export function readBuildRecord(outdir: string): Result<BuildRecord | null> {
  const file = join(outdir, '.heppy', BUILD_RECORD);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok(null);
    return fail({ file, reason: `cannot read the build record: ${(e as Error).message}` });
  }
  const r = raw as Partial<BuildRecord> | null;
  if (r === null || typeof r !== 'object' || r.version !== 1 || !Array.isArray(r.components) || typeof r.lumi !== 'object' || r.lumi === null) {
    return fail({ file, reason: 'not a build record of this heppy version' });
  }
  return ok(r as BuildRecord);
}
