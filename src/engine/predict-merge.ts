// What a build of a plan will do with each node that is not up to date, as the build itself will
// decide it: a chunk whose key the output cache holds is restored, not run; a merge's key is over
// its inputs' result digests, so once every input is up to date or restored its key is known while
// planning (up-to-date inputs: their recorded result digests; restored ones: their cache entries'
// files, which a restore links with their sizes and mtimes) and the merge is restored when the cache
// holds that key. A merge with an input to run stays unknown: it runs after its chunks. Through the
// merge tree, level by level. `heppy status`, `heppy why`, `build --dry-run` and the build's header
// say what this predicts (planning itself, graph/, stays free of the cache's I/O).
import type { OutputCache } from '../cache/output-cache.js';
import type { CacheEntry, FileStamp } from '../cache/entry.js';
import { MARKER_FILE, RUN_FILES } from '../chunkdir/layout.js';
import { parseMarker } from '../chunkdir/marker.js';
import { resultDigest } from '../chunkdir/results.js';
import type { HaddNode } from '../graph/dag.js';
import { haddKey, haddKeyParts, type KeyParts } from '../graph/keys.js';
import type { OutputRecord, TaskSummary } from '../store/records.js';
import type { BuildPlan } from './plan.js';
import { whyRun } from './decide.js';
import { msOfNs } from '../util/stat-numbers.js';
import type { Session } from './session.js';
import { heppyVersion } from './workspace.js';
import { assertNever } from '../util/result.js';

/** What the build will do with one node. */
export type Fate =
  | { kind: 'up to date' }
  /** Restored from the output cache (`why`: as for run). */
  | { kind: 'restore'; key: string; builtAt: string; why?: string[] }
  /** Its key has a cache entry that fails verification: the build removes it and runs the node. */
  | { kind: 'damaged'; key: string; file: string; reason: string }
  /** Run: its key is known and not cached (`why`: the reasons, for a merge whose key planning did not know). */
  | { kind: 'run'; why?: string[] }
  /** A merge with an input to run: its key is known only after them (`why`: how many run, how many are restored). */
  | { kind: 'after inputs'; why: string[] };

export interface PredictInputs {
  plan: BuildPlan;
  /** null: --no-cache (nothing is restored). */
  cache: OutputCache | null;
  heppyVersion: string;
  /** The recorded result digest of an up-to-date node (its store record's). */
  resultOf(id: string): string | undefined;
  /** The node's record and recorded key parts (to explain a merge whose key only this prediction knows). */
  recordOf(id: string): TaskSummary | undefined;
  partsOf(id: string): KeyParts | undefined;
  /**
   * Verify each entry as a restore does (cache/verify.ts checkEntry: stamps, else digests) and
   * report a damaged one; false: trust entry.json. 'keep' (the build's header): verify, and write
   * the fresh stamps of files hashed into their entries, so that the restores that follow find the
   * stamps holding and hash nothing again.
   */
  verify: boolean | 'keep';
  /**
   * Explain each merge whose key only this prediction knows (its changed key parts, its inputs
   * restored first: status, why, --dry-run); false (a build's header, which shows counts only):
   * no reasons, no key parts read or computed.
   */
  explain?: boolean;
}

const UP_TO_DATE: Fate = { kind: 'up to date' };

/** The fate of every node of the plan, in the graph's order (inputs before the merges over them). */
export async function predictPlan(p: PredictInputs): Promise<Map<string, Fate>> {
  const fates = new Map<string, Fate>();
  const results = new Map<string, string>(); // node → the result digest it will have (known ones)
  const explain = p.explain ?? true;
  for (const id of p.plan.graph.order) {
    const n = p.plan.nodes.get(id)!;
    if (n.upToDate) {
      fates.set(id, UP_TO_DATE);
      if (n.adopted) results.set(id, n.adopted.resultDigest);
      continue;
    }
    let key = n.key;
    let why: string[] | undefined;
    if (n.kind === 'hadd' && key === null) {
      const g = p.plan.graph.nodes.get(id) as HaddNode;
      // An up-to-date input's recorded result is read only here (a no-op plan reads no record).
      const inputs = g.deps.map((d) => results.get(d) ?? (fates.get(d) === UP_TO_DATE ? p.resultOf(d) : undefined));
      if (inputs.some((r) => r === undefined)) {
        fates.set(id, { kind: 'after inputs', why: [afterInputs(p.plan, g.deps, fates)] });
        continue;
      }
      key = haddKey(p.heppyVersion, n.component, g.deps, (j) => inputs[j]!, g.level);
      if (explain) {
        const k = key;
        const parts = (): KeyParts => haddKeyParts(p.heppyVersion, n.component, g.deps.map((d, j) => [d, inputs[j]!] as [string, string]), g.level);
        const noun = p.plan.graph.nodes.get(g.deps[0]!)?.kind === 'hadd' ? 'merge' : 'chunk';
        why = whyRun(p.recordOf(id), k, null, () => p.partsOf(id), parts, 'never merged')
          .map((s) => s.replace('input', noun));
        if (why.length === 0) why = undefined; // the record's own key: the planned reason stands
      }
    }
    const fate = key === null || p.cache === null ? null : await cached(p.cache, key, p.verify);
    if (fate === null) {
      // A merge whose record has the key its restored inputs give, but no cache entry: the planned
      // reason counted those inputs as to run; it merges again because its key has no entry.
      if (explain && why === undefined && n.kind === 'hadd' && n.key === null) {
        const first = restoredInputs(p.plan, id, fates);
        if (first !== undefined) why = [`${first[0]!}; no cache entry of its key`];
      }
      fates.set(id, why ? { kind: 'run', why } : { kind: 'run' });
      continue;
    }
    // A merge known while planning whose inputs are restored first: the planned reason counted
    // them as inputs to run; say what the build does instead.
    if (explain && fate.fate.kind === 'restore' && why === undefined && n.kind === 'hadd') why = restoredInputs(p.plan, id, fates);
    fates.set(id, fate.fate.kind === 'restore' && why ? { ...fate.fate, why } : fate.fate);
    if (fate.result !== null) results.set(id, fate.result);
  }
  return fates;
}

/** 'N chunks to run' (or merges), and how many of its other inputs are restored first. */
function afterInputs(plan: BuildPlan, deps: readonly string[], fates: ReadonlyMap<string, Fate>): string {
  const noun = plan.graph.nodes.get(deps[0]!)?.kind === 'hadd' ? 'merge' : 'chunk';
  let run = 0;
  let restore = 0;
  for (const d of deps) {
    const k = fates.get(d)!.kind;
    if (k === 'restore') restore++;
    else if (k !== 'up to date') run++;
  }
  return `${run} ${noun}${run > 1 ? 's' : ''} to run${restore ? ` (${restore} restored from cache first)` : ''}`;
}

/** 'N merges restored from cache first' when every input not up to date is restored; else undefined. */
function restoredInputs(plan: BuildPlan, id: string, fates: ReadonlyMap<string, Fate>): string[] | undefined {
  const deps = (plan.graph.nodes.get(id) as HaddNode).deps;
  const kinds = deps.map((d) => fates.get(d)?.kind);
  const restore = kinds.filter((k) => k === 'restore').length;
  if (restore === 0 || kinds.some((k) => k !== 'restore' && k !== 'up to date')) return undefined;
  const noun = plan.graph.nodes.get(deps[0]!)?.kind === 'hadd' ? 'merge' : 'chunk';
  return [`${restore} ${noun}${restore > 1 ? 's' : ''} restored from cache first`];
}

/** The cache's answer for `key`: restored (with the result digest the restore gives), damaged, or null (no entry). */
async function cached(cache: OutputCache, key: string, verify: boolean | 'keep'): Promise<{ fate: Fate; result: string | null } | null> {
  const e = cache.entry(key);
  if (e === null) return null;
  let stamps: Array<Pick<FileStamp, 'size' | 'mtimeNs'>> | null;
  if (verify !== false) {
    const found: FileStamp[] = [];
    const checked = await cache.verifyEntry(key, found, verify === 'keep');
    if (!checked.ok) {
      // Removed since it was read (a prune or clean in another process): not in the cache, not damaged.
      if (!cache.hasEntry(key)) return null;
      return { fate: { kind: 'damaged', key, file: checked.error.file ?? key, reason: checked.error.reason }, result: null };
    }
    stamps = found;
  } else {
    stamps = recordedStamps(e);
  }
  return { fate: { kind: 'restore', key, builtAt: e.builtAt }, result: stamps === null ? null : restoredResult(e, key, stamps) };
}

/** The entry's files' stamps as recorded (null: an entry of an earlier version without them). */
function recordedStamps(e: CacheEntry): Array<Pick<FileStamp, 'size' | 'mtimeNs'>> | null {
  const out: Array<Pick<FileStamp, 'size' | 'mtimeNs'>> = [];
  for (const f of e.files) {
    if (f.mtimeNs === undefined) return null;
    out.push({ size: f.size, mtimeNs: f.mtimeNs });
  }
  return out;
}

/**
 * The result digest of a node restored from `e`: its marker's outputs (run files and marker aside,
 * which the digest leaves out) with the sizes and mtimes of the entry's files, which a restore links
 * (restore-files.ts restoredOutputs); null when the marker lists a file the entry does not hold.
 */
export function restoredResult(e: CacheEntry, key: string, stamps: ReadonlyArray<Pick<FileStamp, 'size' | 'mtimeNs'>>): string | null {
  const m = parseMarker(e.marker, key);
  if (!m.ok || stamps.length !== e.files.length) return null;
  const byPath = new Map(e.files.map((f, i) => [f.path, stamps[i]!]));
  const outs: OutputRecord[] = [];
  for (const o of m.value.outputs) {
    if (RUN_FILES.has(o.path) || o.path === MARKER_FILE) continue;
    const st = byPath.get(o.path);
    if (st === undefined) return null;
    outs.push({ path: o.path, size: st.size, mtimeMs: msOfNs(BigInt(st.mtimeNs)) });
  }
  return resultDigest(key, outs);
}

/** Counts of a plan's fates: what a build header and status say. */
export function countFates(fates: ReadonlyMap<string, Fate>): { upToDate: number; restore: number; run: number } {
  let upToDate = 0;
  let restore = 0;
  let run = 0;
  for (const f of fates.values()) {
    switch (f.kind) {
      case 'up to date': upToDate++; break;
      case 'restore': restore++; break;
      case 'damaged': case 'run': case 'after inputs': run++; break;
      default: assertNever(f, 'fate');
    }
  }
  return { upToDate, restore, run };
}

/** The fates of a session's plan against the output cache of its store (null: --no-cache). */
export async function predictSession(s: Session, cache: OutputCache | null, verify: boolean | 'keep', explain = true): Promise<Map<string, Fate>> {
  return predictPlan({ plan: s.plan, cache, heppyVersion, verify, explain, resultOf: (id) => s.store.getTask(id)?.resultDigest,
    recordOf: (id) => s.store.getTask(id), partsOf: (id) => s.store.getParts(id) });
}

/** One line on a damaged entry: the file and what is wrong with it, and that the node runs. */
export function damagedLine(f: Extract<Fate, { kind: 'damaged' }>): string {
  return `its cache entry is damaged (${f.file}: ${f.reason.replace(/; not restored$/, '')}): the build removes it and runs this node`;
}
