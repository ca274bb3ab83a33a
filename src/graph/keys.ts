// Node keys (DESIGN §4). A chunk's key is an xxhash64 over named parts (each hashed) plus the
// content digest of every input file; the named parts are kept so that `heppy why` can tell
// which one changed. A hadd node's key is over its chunks' result digests.
import { hashParts, hashString } from '../fingerprint/hash.js';
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

export interface ChunkKeyInputs {
  heppyVersion: string;
  codeDigest: string;               // digest of the minified bundle (comments/formatting not counted)
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
    code: i.codeDigest,
    sequence: hashString(canonical(i.sequence)),
    tree: hashString(i.tree),
    options: hashString(JSON.stringify(opts)),
    maxEvents: hashString(String(i.maxEvents)),
  };
}

export function componentPart(component: unknown): string {
  return hashString(canonical(component, COMPONENT_SKIP));
}

export function chunkKeyParts(shared: Record<string, string>, componentDigest: string, chunk: ChunkPlan,
  fileDigests: ReadonlyMap<string, string>): KeyParts {
  const files: Record<string, string> = {};
  for (const f of chunk.files) files[f] = fileDigests.get(f) ?? 'missing';
  return {
    parts: {
      ...shared,
      component: componentDigest,
      slice: hashString(JSON.stringify([chunk.name, chunk.files, chunk.fineSplit])),
    },
    files,
  };
}

/**
 * A chunk's key, computed straight from strings (the no-op path computes 10,000 of these); its
 * parts for `heppy why` are made by chunkKeyParts only when needed. `sharedPrefix` is
 * sharedPrefixOf(sharedParts(...)), computed once per component.
 */
export function chunkKey(sharedPrefix: string, componentDigest: string, chunk: ChunkPlan, fileDigests: ReadonlyMap<string, string>): string {
  let s = `${sharedPrefix}|${componentDigest}|${chunk.name}|${chunk.fineSplit === null ? '-' : chunk.fineSplit.join('/')}`;
  for (const f of chunk.files) s += `|${f}\u0000${fileDigests.get(f) ?? 'missing'}`;
  return hashString(s);
}

export function sharedPrefixOf(shared: Record<string, string>): string {
  return Object.keys(shared).sort().map((k) => `${k}=${shared[k]}`).join(';');
}

/** The key from its parts: part names sorted, then files in slice order. */
export function keyOf(kp: KeyParts): string {
  const flat: string[] = [];
  for (const k of Object.keys(kp.parts).sort()) flat.push(k, kp.parts[k]!);
  for (const [f, d] of Object.entries(kp.files)) flat.push(f, d);
  return hashParts(flat);
}

export function haddKeyParts(heppyVersion: string, component: string, chunkResults: ReadonlyArray<[string, string]>): KeyParts {
  const files: Record<string, string> = {};
  for (const [name, digest] of chunkResults) files[name] = digest;
  return { parts: { version: hashString(heppyVersion), component: hashString(component) }, files };
}

/** Which named parts and which files differ between a recorded key and today's (`heppy why`). */
export function diffKeyParts(before: KeyParts, now: KeyParts): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before.parts), ...Object.keys(now.parts)])) {
    if (before.parts[k] !== now.parts[k]) out.push(`${k} changed`);
  }
  for (const f of new Set([...Object.keys(before.files), ...Object.keys(now.files)])) {
    const a = before.files[f], b = now.files[f];
    if (a === undefined) out.push(`input added: ${f}`);
    else if (b === undefined) out.push(`input removed: ${f}`);
    else if (a !== b) out.push(`input changed: ${f}`);
  }
  return out;
}
