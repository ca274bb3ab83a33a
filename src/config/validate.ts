// Validation of a loaded Config before anything is written: component names, files, split
// factors, duplicates. Each problem becomes a Failure naming the heppyfile line where the culprit
// is defined (found by its quoted name in the bundled sources) and a one-line reason.
import { isUrl, parseLocation } from '../io/url.js';
import { readFileSync } from 'node:fs';
import { statOnce } from '../fingerprint/stat-cache.js';
import { isAbsolute, resolve } from 'node:path';
import { fail, ok, type Failure, type Result } from '../util/result.js';
import type { SplittableComponent } from '../graph/split.js';
import { nameProblem } from './names.js';

export interface ValidComponent extends SplittableComponent {
  files: string[];          // absolute, sorted as given by the model
  tree: string | null;
  raw: object;              // the component object (its fields go into the key)
}

export interface ValidConfig {
  components: ValidComponent[];
  sequence: unknown;
  tree: string;
  outdir: string | null;
  /** Config.lumi: the luminosity MC is normalised to (null: `-o lumi=` or the data's intLumi). */
  lumi: number | null;
  /** Config.mergeFanIn: inputs per merge node (null: the flag's or the default). */
  mergeFanIn: number | null;
}

/** `file:line` of the first line of `sources` that quotes `needle`, else the heppyfile itself. */
export function locate(sources: readonly string[], needle: string | null): string {
  if (needle !== null) {
    for (const src of sources) {
      let text: string;
      try {
        text = readFileSync(src, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n');
      const i = lines.findIndex((l) => l.includes(`'${needle}'`) || l.includes(`"${needle}"`) || l.includes(`\`${needle}\``));
      if (i >= 0) return `${src}:${i + 1}`;
    }
  }
  return sources[0] ?? 'heppyfile.ts';
}

function isPositiveInt(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 1);
}

/**
 * Checks the default export of a heppyfile. `sources` are the heppyfile and its local modules
 * (for error lines); `baseDir` resolves relative file names.
 */
export function validateConfig(cfg: unknown, sources: readonly string[], baseDir: string): Result<ValidConfig> {
  const at = (needle: string | null, reason: string): { ok: false; error: Failure } => fail({ file: locate(sources, needle), reason });
  if (cfg === null || typeof cfg !== 'object') return at(null, 'the heppyfile must `export default new Config({...})`');
  const c = cfg as Record<string, unknown>;
  if (!Array.isArray(c.components)) return at('components', 'Config.components must be an array of components');
  const tree = c.tree ?? 'events';
  if (typeof tree !== 'string' || tree === '') return at('tree', 'Config.tree must be a non-empty string');
  const outdir = c.outdir ?? c.outDir ?? null;
  if (outdir !== null && typeof outdir !== 'string') return at('outdir', 'Config.outdir must be a string');
  const seen = new Set<string>();
  const comps: ValidComponent[] = [];
  for (const [i, comp] of (c.components as unknown[]).entries()) {
    if (comp === null || typeof comp !== 'object') return at(null, `component #${i} is not a component`);
    const o = comp as Record<string, unknown>;
    const name = o.name;
    const bad = nameProblem(name);
    if (bad) return at(typeof name === 'string' && name !== '' ? name : null, `invalid component name ${JSON.stringify(name)}: ${bad}`);
    const n = name as string;
    if (seen.has(n)) return at(n, `two components are named '${n}'`);
    seen.add(n);
    if (!isPositiveInt(o.splitFactor)) return at(n, `component '${n}': splitFactor must be a positive integer, got ${JSON.stringify(o.splitFactor)}`);
    if (!isPositiveInt(o.fineSplitFactor)) return at(n, `component '${n}': fineSplitFactor must be a positive integer, got ${JSON.stringify(o.fineSplitFactor)}`);
    if (!Array.isArray(o.files) || o.files.some((f) => typeof f !== 'string')) return at(n, `component '${n}': files must be a list of paths or a glob`);
    const files = (o.files as string[]).map((f) => (isAbsolute(f) || isUrl(f) ? f : resolve(baseDir, f)));
    for (const f of files) {
      if (isUrl(f)) {
        // Checked by its server when digests are taken (one stat), not here.
        try { parseLocation(f); } catch (e) { return at(n, `component '${n}': ${(e as Error).message}`); }
        continue;
      }
      const st = statOnce(f);
      if (st instanceof Error || !st.isFile()) return at(n, `component '${n}': input file ${f} ${st instanceof Error ? 'does not exist' : 'is not a file'}`);
    }
    const ctree = o.tree ?? o.treeName ?? o.tree_name ?? null;
    comps.push({ name: n, files, splitFactor: o.splitFactor as number | undefined, fineSplitFactor: o.fineSplitFactor as number | undefined,
      tree: typeof ctree === 'string' ? ctree : null, raw: comp });
  }
  if (c.sequence === undefined || c.sequence === null) return at('sequence', 'Config.sequence is missing');
  const lumi = c.lumi ?? null;
  if (lumi !== null && !(typeof lumi === 'number' && Number.isFinite(lumi) && lumi > 0)) return at('lumi', `Config.lumi must be a positive number, got ${JSON.stringify(lumi)}`);
  const fanIn = c.mergeFanIn ?? null;
  if (fanIn !== null && !(Number.isInteger(fanIn) && (fanIn as number) >= 2)) return at('mergeFanIn', `Config.mergeFanIn must be an integer >= 2, got ${JSON.stringify(fanIn)}`);
  return ok({ components: comps, sequence: c.sequence, tree, outdir: outdir as string | null, lumi: lumi as number | null, mergeFanIn: fanIn as number | null });
}
