// How `heppy check` prints its verdicts: one line per bad chunk with its reasons (heppy's
// "<dir> : <reason>" shape), then heppy's `list of bad directories:` with a pprint-style list.
import { isAbsolute, relative } from 'node:path';
import type { ChunkVerdict } from './chunk-check.js';
import type { MergedVerdict } from './merged-check.js';

/** A path as the user would type it: relative to the cwd when inside it. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const r = relative(cwd, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** Python's pprint of a list of strings: one line if it fits in 80 columns, else one per line. */
export function pprintList(items: string[]): string {
  const reprs = items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  const flat = `[${reprs.join(', ')}]`;
  if (flat.length <= 80) return flat;
  return `[${reprs.join(',\n ')}]`;
}

export function badLine(v: ChunkVerdict, cwd?: string): string {
  return `${displayPath(v.dir, cwd)} : ${v.problems.map((p) => p.message).join('; ')}`;
}

export function formatText(verdicts: ChunkVerdict[], cwd?: string, merged: MergedVerdict[] = []): string {
  const bad = verdicts.filter((v) => !v.good);
  const badMerged = merged.filter((m) => !m.good);
  const lines: string[] = [];
  for (const v of bad) lines.push(badLine(v, cwd));
  for (const m of badMerged) lines.push(`${displayPath(m.dir, cwd)} (merged) : ${m.problems.map((p) => p.message).join('; ')}`);
  if (verdicts.length > 0 || merged.length === 0) {
    lines.push(`${verdicts.length} chunk${verdicts.length === 1 ? '' : 's'} checked: ${verdicts.length - bad.length} good, ${bad.length} bad`);
  }
  if (merged.length > 0) {
    lines.push(`${merged.length} merged component${merged.length === 1 ? '' : 's'} checked: ${merged.length - badMerged.length} good, ${badMerged.length} bad`);
  }
  if (bad.length > 0) {
    lines.push('list of bad directories:');
    lines.push(pprintList(bad.map((v) => displayPath(v.dir, cwd))));
  }
  return lines.join('\n') + '\n';
}

export interface JsonReport {
  total: number;
  good: number;
  bad: number;
  chunks: ChunkVerdict[];
  merged: MergedVerdict[];
}

export function toJson(verdicts: ChunkVerdict[], merged: MergedVerdict[] = []): JsonReport {
  const bad = verdicts.filter((v) => !v.good).length;
  return { total: verdicts.length, good: verdicts.length - bad, bad, chunks: verdicts, merged };
}
