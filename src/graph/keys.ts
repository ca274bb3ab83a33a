// Node keys (DESIGN §4). A chunk's key is an xxhash64 over named parts (each hashed) plus the
// content digest of every input file; the named parts are kept so that `heppy why` can tell
// which one changed. A hadd node's key is over its chunks' result digests.
import { hashString } from '../fingerprint/hash.js';
import { canonical } from './canonical.js';
import type { ChunkPlan } from './split.js';

/**
 * The named parts a node's key is made of, each already hashed: `heppy why` diffs two of these.
 * `files` maps an input file (absolute path, or a chunk name for hadd nodes) to its digest.
 */
export interface KeyParts {
  parts: Record<string, string>;
  files: Record<string, string>;
}

/** An input's content digest by path (a Map, or a view of one: the planner's digests without a copy). */
export interface DigestLookup {
  get(path: string): string | undefined;
}

export interface ChunkKeyInputs {
  heppyVersion: string;
  /**
   * The code the chunk runs (config/load-code.ts): `code:<module>` → the digest of each analyzer
   * module (with all it imports), or `code` → the whole minified bundle's (comments/formatting not counted).
   */
  code: Readonly<Record<string, string>>;
  component: unknown;               // the component object (its files are covered by the slice)
  sequence: unknown;                // the analyzers with their classes and parameters
  tree: string;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  chunk: ChunkPlan;
  fileDigests: ReadonlyMap<string, string>;
}

/** Fields of a component that do not change what a chunk computes (the slice covers files). */
const COMPONENT_SKIP = new Set(['files', 'splitFactor', 'fineSplitFactor']);

/** The parts that are the same for all chunks of a component, computed once per component. */
export function sharedParts(i: Omit<ChunkKeyInputs, 'chunk' | 'fileDigests' | 'component'>): Record<string, string> {
  const opts = Object.keys(i.options).sort().map((k) => [k, i.options[k]]);
  return {
    version: hashString(i.heppyVersion),
    ...i.code,
    sequence: hashString(canonical(i.sequence)),
    tree: hashString(i.tree),
    options: hashString(JSON.stringify(opts)),
    maxEvents: hashString(String(i.maxEvents)),
  };
}

export function componentPart(component: unknown): string {
  return hashString(canonical(component, COMPONENT_SKIP));
}

/**
 * A chunk's slice of its component: its name and fine-split window (its files, in order, are the
 * key's file part). Not hashed: the no-op path computes 10,000 of these.
 */
export function slicePart(chunk: ChunkPlan): string {
  return `${chunk.name}|${chunk.fineSplit === null ? '-' : chunk.fineSplit.join('/')}`;
}

export function chunkKeyParts(shared: Record<string, string>, componentDigest: string, chunk: ChunkPlan,
  fileDigests: DigestLookup): KeyParts {
  const files: Record<string, string> = {};
  for (const f of chunk.files) files[f] = fileDigests.get(f) ?? 'missing';
  return { parts: { ...shared, component: componentDigest, slice: slicePart(chunk) }, files };
}

/**
 * THE key encoding: the named parts sorted by name as `name=value;`, then every file in order as
 * `|path\0digest`, hashed. The recorded key of a node is always keyOf(its recorded parts).
 */
export function keyOf(kp: KeyParts): string {
  let s = '';
  for (const k of Object.keys(kp.parts).sort()) s += `${k}=${kp.parts[k]};`;
  for (const f of Object.keys(kp.files)) s += `|${f}\u0000${kp.files[f]}`;
  return hashString(s);
}

/** keyOf's string for a component's chunks, split around the slice (computed once per component). */
export interface ChunkKeyTemplate {
  head: string;
  tail: string;
}

export function chunkKeyTemplate(shared: Record<string, string>, componentDigest: string): ChunkKeyTemplate {
  const parts: Record<string, string> = { ...shared, component: componentDigest, slice: '\u0001' };
  let s = '';
  for (const k of Object.keys(parts).sort()) s += `${k}=${parts[k]};`;
  const i = s.indexOf('slice=\u0001;');
  return { head: s.slice(0, i + 'slice='.length), tail: s.slice(i + 'slice=\u0001'.length) };
}

/**
 * A chunk's key, computed straight from strings (the no-op path computes 10,000 of these); equal to
 * keyOf(chunkKeyParts(...)) by construction, whose parts `heppy why` needs only when a key changed.
 */
export function chunkKey(t: ChunkKeyTemplate, chunk: ChunkPlan, fileDigests: DigestLookup): string {
  let s = t.head + slicePart(chunk) + t.tail;
  for (const f of chunk.files) s += `|${f}\u0000${fileDigests.get(f) ?? 'missing'}`;
  return hashString(s);
}

/** What a component's chunks are split from (graph/split.ts splitComponent's arguments) and its key template. */
export interface KeyContextComponent {
  name: string;
  files: readonly string[];
  splitFactor?: number;
  fineSplitFactor?: number;
  template: ChunkKeyTemplate;
}

/**
 * One digest over everything the chunk keys of a plan are computed from: every component's key
 * template (version, code, sequence, tree, options, -N, the component's own fields), what its
 * chunks are split from (name, files in order, split factors: splitComponent is a pure function of
 * them, so the chunk names, slices and file lists follow) and every input's content digest, in
 * `allFiles` order (the inputs of every chunk in chunk order, once: a function of the components' files). Two plans with the same context have the same key for every chunk, so a build
 * whose context is the one recorded with the records' keys takes those keys (no per-chunk hashing).
 */
export function keyContext(components: readonly KeyContextComponent[], allFiles: readonly string[], fileDigests: DigestLookup): string {
  const comps = components.map((c) => [c.name, c.splitFactor ?? null, c.fineSplitFactor ?? null, c.files.length, hashString(c.files.join('\n')), c.template.head, c.template.tail]);
  const digests = new Array<string>(allFiles.length);
  for (let i = 0; i < allFiles.length; i++) digests[i] = fileDigests.get(allFiles[i]!) ?? 'missing';
  return hashString(JSON.stringify([comps, allFiles.length, hashString(digests.join('\n'))]));
}

/**
 * A merge's key, computed straight from strings (no parts object of 2,500 file entries per merge
 * on the no-op path); equal to keyOf(haddKeyParts(...)) by construction. `resultOf(i)` is the
 * result digest of `chunks[i]`.
 */
export function haddKey(heppyVersion: string, component: string, chunks: readonly string[], resultOf: (i: number) => string, level = 0): string {
  // keyOf sorts the named parts: 'component' < 'level' < 'version'.
  let s = `component=${hashString(component)};${level > 0 ? `level=${hashString(String(level))};` : ''}version=${hashString(heppyVersion)};`;
  for (let i = 0; i < chunks.length; i++) s += `|${chunks[i]}\u0000${resultOf(i)}`;
  return hashString(s);
}

/**
 * A merge node's key parts: over its inputs' result digests (chunks, or the merges below it in a
 * merge tree), not over the chunks' keys. An intermediate node (level >= 1) also names its level,
 * so that it never shares a key with a component's final merge of the same inputs.
 */
export function haddKeyParts(heppyVersion: string, component: string, inputResults: ReadonlyArray<[string, string]>, level = 0): KeyParts {
  const files: Record<string, string> = {};
  for (const [name, digest] of inputResults) files[name] = digest;
  const parts: Record<string, string> = { version: hashString(heppyVersion), component: hashString(component) };
  if (level > 0) parts.level = hashString(String(level));
  return { parts, files };
}

/** How `heppy why` names a changed part: the code parts by what they cover. */
function partChange(k: string, before: string | undefined, now: string | undefined): string {
  if (k === 'code') {
    const why = '(the heppyfile and all its modules: an analyzer, a parameter or a component there is code)';
    return before === undefined ? `code of the heppyfile now counts ${why}` : now === undefined ? 'code of the heppyfile no longer counts (the analyzers\' modules do)'
      : `code changed ${why}`;
  }
  if (k.startsWith('code:')) {
    const what = `code of ${k.slice('code:'.length)}`;
    return before === undefined ? `${what} now counts (a new analyzer module)` : now === undefined ? `${what} no longer counts`
      : `${what} changed (the module, a module it imports, or a static value of its analyzer class)`;
  }
  return `${k} changed`;
}

/** Which named parts and which files differ between a recorded key and today's (`heppy why`). */
export function diffKeyParts(before: KeyParts, now: KeyParts): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before.parts), ...Object.keys(now.parts)])) {
    if (before.parts[k] !== now.parts[k]) out.push(partChange(k, before.parts[k], now.parts[k]));
  }
  for (const f of new Set([...Object.keys(before.files), ...Object.keys(now.files)])) {
    const a = before.files[f], b = now.files[f];
    if (a === undefined) out.push(`input added: ${f}`);
    else if (b === undefined) out.push(`input removed: ${f}`);
    else if (a !== b) out.push(`input changed: ${f}`);
  }
  return out;
}
