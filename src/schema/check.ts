// The schema check of a build, before anything runs or is written: for each component, the first
// input file's structure (keys, the tree's branch list; never a basket) must have the input tree,
// every branch named in the analyzers' `static branches` (and the component's genWeightBranch),
// and the counter branch of each of those that is a jagged array with one. A miss is a config
// error naming component, file, tree or branch and the closest existing names.
// What a file holds is cached by its content digest (schema:<digest>|<tree> in the store), so a
// no-op build does not reopen the inputs.
import { closestMatch } from 'leven';
import { isComponent } from '../config/component.js';
import { isSequence } from '../config/sequence.js';
import type { ValidConfig } from '../config/validate.js';
import type { TaskFailure } from '../util/failure.js';
import { ok, type Result } from '../util/result.js';

/** One component's check: its first input file, its tree, the branches the analysis reads. */
export interface SchemaRequest {
  component: string;
  file: string;
  tree: string;
  branches: string[];
}

/** What a file's tree has (cached): branch names, each with its counter branch when it has one. */
export interface TreeSchema {
  branches: Array<[name: string, counter: string | null]>;
}

/** Where the structures are cached: by the file's content digest (null when unknown: not cached). */
export interface SchemaCache {
  digestOf(file: string): string | null;
  get(digest: string, tree: string): TreeSchema | undefined;
  put(digest: string, tree: string, schema: TreeSchema): void;
}

/** Reads a file's tree structure; a file without that tree answers the trees it has. */
export type StructureReader = (file: string, tree: string) => Promise<{ tree: TreeSchema } | { trees: string[] }>;

// ROOT::RNTuple is src/root/rntuple's RNTUPLE_CLASS, spelt here so that a no-op build (every schema
// cached) does not load the ROOT reader's module graph (≈ 60 modules, ≈ 250 ms of start-up).
const TREE_CLASSES = new Set(['TTree', 'TNtuple', 'TNtupleD', 'ROOT::RNTuple']);

/** heppy's ROOT reader: the keys list and the tree's metadata (TTree object or RNTuple anchor), no baskets. */
export const readStructure: StructureReader = async (file, tree) => {
  const [{ openRootFile }, { openEntries }] = await Promise.all([import('../root/read/index.js'), import('../root/rntuple/open.js')]);
  const f = await openRootFile(file);
  try {
    const name = tree.split(';')[0]!;
    if (!f.keys().some((k) => k.path === name && TREE_CLASSES.has(k.className))) {
      return { trees: f.keys().filter((k) => TREE_CLASSES.has(k.className)).map((k) => k.path) };
    }
    const t = await openEntries(f, tree);
    return { tree: { branches: t.branches.map((b) => [b.name, b.counter ?? null]) } };
  } finally {
    f.close();
  }
};

/** The branch names every analyzer of the sequence declares in `static branches`, in order. */
export function declaredBranches(sequence: unknown): string[] {
  const out = new Set<string>();
  if (!isSequence(sequence)) return [];
  for (const a of sequence) {
    const decl = (a.analyzerClass as { branches?: unknown } | null)?.branches;
    if (Array.isArray(decl)) for (const b of decl) if (typeof b === 'string') out.add(b);
  }
  return [...out];
}

/** One request per component that has input files. */
export function schemaRequests(config: ValidConfig): SchemaRequest[] {
  const declared = declaredBranches(config.sequence);
  return config.components.filter((c) => c.files.length > 0).map((c) => {
    const gen = isComponent(c.raw) ? (c.raw as { genWeightBranch?: unknown }).genWeightBranch : undefined;
    return { component: c.name, file: c.files[0]!, tree: c.tree ?? config.tree, branches: typeof gen === 'string' ? [...declared, gen] : declared };
  });
}

function didYouMean(name: string, have: readonly string[]): string {
  if (have.length === 0) return '';
  const best = closestMatch(name, have, { maxDistance: name.length <= 3 ? 1 : Math.max(2, Math.floor(name.length / 3)) });
  if (best !== undefined) return `; did you mean ${best}?`;
  return `; it has ${have.slice(0, 8).join(', ')}${have.length > 8 ? `, … (${have.length} in all)` : ''}`;
}

/** The schema failure of one request against what the file holds, or null. */
export function schemaProblem(r: SchemaRequest, found: { tree: TreeSchema } | { trees: string[] }): Extract<TaskFailure, { kind: 'schema' }> | null {
  if ('trees' in found) {
    return { kind: 'schema', file: r.file, tree: r.tree, reason: `component ${r.component}: no tree named ${r.tree} in ${r.file}${didYouMean(r.tree, found.trees)}` };
  }
  const names = found.tree.branches.map(([n]) => n);
  const counters = new Map(found.tree.branches);
  const have = new Set(names);
  for (const b of r.branches) {
    if (!have.has(b)) {
      return { kind: 'schema', file: r.file, tree: r.tree, branch: b, reason: `component ${r.component}: no branch ${b} in tree ${r.tree} of ${r.file}${didYouMean(b, names)}` };
    }
    const counter = counters.get(b);
    if (counter && !have.has(counter)) {
      return { kind: 'schema', file: r.file, tree: r.tree, branch: counter, reason: `component ${r.component}: branch ${b} of tree ${r.tree} in ${r.file} counts its entries with ${counter}, which the tree does not have` };
    }
  }
  return null;
}

export interface SchemaOutcome {
  /** Files whose structure was read (not cached): what `recordSchemas` stores once digests are known. */
  read: Array<{ file: string; tree: string; schema: TreeSchema }>;
  /** Requests answered from the cache, with the digest used (re-checked by `confirmSchemas`). */
  cached: Array<{ request: SchemaRequest; digest: string }>;
  /** Requests left to `confirmSchemas` (remote inputs without a digest yet: planning asks the server). */
  deferred: SchemaRequest[];
}

/**
 * Checks every request, reading a structure only when the cache does not have it for the file's
 * digest. Writes nothing: the caller records `read` once the build goes ahead. A file that
 * cannot be opened is left to the build (an input failure of its chunk, named there).
 */
export async function checkSchemas(requests: readonly SchemaRequest[], cache: SchemaCache, read: StructureReader = readStructure,
  defer: (file: string) => boolean = () => false): Promise<Result<SchemaOutcome, Extract<TaskFailure, { kind: 'schema' }>>> {
  const outcome: SchemaOutcome = { read: [], cached: [], deferred: [] };
  const known = new Map<string, { tree: TreeSchema } | { trees: string[] } | null>();
  for (const r of requests) {
    const at = `${r.file}\u0000${r.tree}`;
    let found = known.get(at);
    if (found === undefined) {
      const digest = cache.digestOf(r.file);
      const cached = digest !== null ? cache.get(digest, r.tree) : undefined;
      if (cached) {
        found = { tree: cached };
        outcome.cached.push({ request: r, digest: digest! });
      } else if (digest === null && defer(r.file)) {
        outcome.deferred.push(r);
        continue;
      } else {
        try {
          found = await read(r.file, r.tree);
        } catch {
          found = null;                                   // unreadable: the chunk reports it as an input failure
        }
        if (found !== null && 'tree' in found) outcome.read.push({ file: r.file, tree: r.tree, schema: found.tree });
      }
      known.set(at, found);
    }
    if (found === null) continue;
    const bad = schemaProblem(r, found);
    if (bad) return { ok: false, error: bad };
  }
  return ok(outcome);
}

/**
 * After planning (the digests are current): re-checks the requests answered from the cache under
 * a digest that is no longer the file's (a remote input changed on its server), then stores what
 * was read under each file's digest.
 */
export async function confirmSchemas(outcome: SchemaOutcome, cache: SchemaCache, read: StructureReader = readStructure): Promise<Result<void, Extract<TaskFailure, { kind: 'schema' }>>> {
  const stale = outcome.cached.filter((c) => cache.digestOf(c.request.file) !== c.digest).map((c) => c.request);
  if (stale.length > 0 || outcome.deferred.length > 0) {
    const again = await checkSchemas([...stale, ...outcome.deferred], { ...cache, digestOf: (f) => (stale.some((r) => r.file === f) ? null : cache.digestOf(f)) }, read);
    if (!again.ok) return again;
    outcome.read.push(...again.value.read);
  }
  for (const x of outcome.read) {
    const digest = cache.digestOf(x.file);
    if (digest !== null) cache.put(digest, x.tree, x.schema);
  }
  return ok(undefined);
}
