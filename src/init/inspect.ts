// What `heppy init` needs to know of the user's files to write an analyzer that reads them: the
// tree (given, or the only one), and a few numeric branches with the range of their values in the
// first entries of the first file (for histogram axes).
import { openRootFile } from '../root/read/index.js';
import type { BranchInfo, Column } from '../root/types.js';
import { fail, ok, type Result } from '../util/result.js';

export interface BranchPick {
  name: string;
  /** Axis for a histogram of its values. */
  min: number;
  max: number;
}

export interface TreeSketch {
  tree: string;
  entries: number;
  /** A scalar numeric branch (the first whose name says pt or energy, else the first). */
  scalar: BranchPick | null;
  /** A variable-length numeric branch with its counter branch (a collection), e.g. Muon_pt / nMuon. */
  jagged: (BranchPick & { counter: string }) | null;
}

/** Which branches make the most telling first histograms: transverse momenta first. */
const PREFERENCE: RegExp[] = [/^(MET|Muon|Electron|Jet)_pt$/, /(^|_)pt$/i, /(^|_)(E|energy)$/i, /(^|_)mass$/i];
/** Entries read to find the axis ranges. */
const PEEK = 5000;

function pick<T extends BranchInfo>(list: T[]): T | null {
  for (const re of PREFERENCE) {
    const b = list.find((x) => re.test(x.name));
    if (b) return b;
  }
  return list[0] ?? null;
}

function range(c: Column): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  const values = c.values as ArrayLike<number | bigint>;
  for (let i = 0; i < values.length; i++) {
    const x = Number(values[i]);
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min === Infinity) return { min: 0, max: 1 };
  // A round axis a little wider than the values seen.
  const lo = min >= 0 ? 0 : Math.floor(min);
  const hi = max <= lo ? lo + 1 : Math.ceil(max + (max - lo) * 0.05);
  return { min: lo, max: hi };
}

export async function sketchTree(file: string, treeName: string | undefined): Promise<Result<TreeSketch>> {
  const reader = await openRootFile(file);
  try {
    const trees = reader.keys().filter((k) => k.className === 'TTree');
    let tree = treeName;
    if (tree === undefined) {
      const names = [...new Set(trees.map((k) => k.path))];
      if (names.length !== 1) {
        return fail({ file, reason: names.length === 0 ? 'no TTree in this file' : `${names.length} trees (${names.join(', ')}): choose one with --tree NAME` });
      }
      tree = names[0]!;
    } else if (!trees.some((k) => k.path === tree)) {
      return fail({ file, reason: `no tree named ${tree} (trees: ${trees.map((k) => k.path).join(', ') || 'none'})` });
    }
    const t = await reader.tree(tree);
    const numeric = t.branches.filter((b) => b.type !== null);
    const scalars = numeric.filter((b) => b.shape === 'scalar' && !numeric.some((j) => j.counter === b.name));
    const jaggeds = numeric.filter((b) => b.shape === 'jagged' && b.counter !== undefined);
    const s = pick(scalars), j = pick(jaggeds);
    if (s === null && j === null) return fail({ file, object: tree, reason: 'no numeric branch to read (heppy reads flat and variable-length numeric branches)' });
    const stop = Math.min(t.entries, PEEK);
    return ok({
      tree, entries: t.entries,
      scalar: s === null ? null : { name: s.name, ...range(await t.column(s.name, 0, stop)) },
      jagged: j === null ? null : { name: j.name, counter: j.counter!, ...range(await t.column(j.name, 0, stop)) },
    });
  } finally {
    reader.close();
  }
}
