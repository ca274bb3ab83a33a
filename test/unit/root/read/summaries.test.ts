// Acceptance: every tree and histogram of every shared ROOT file, read by heppy's reader,
// matches the uproot reference summaries: counts and integer sums exact (BigInt for 64-bit),
// float sums within 1e-9 relative, min/max exact. Only uproot-issue413.root (groot, no TLeaf
// streamers) may fail, and then only with a RootError.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRootFile } from '../../../../src/root/read/index.js';
import { summarizeFile } from '../../../../src/root/read/summary.js';
import type { Json } from '../../../../src/root/read/summary.js';
import { RootError } from '../../../../src/root/errors.js';
import { sharedRootDir } from '../../../util/shared.js';

type Obj = { [k: string]: Json };

/** JSON.parse that keeps integers beyond 2^53 exact (as BigInt). */
function parseExact(text: string): Obj {
  const marked = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"__bigint__$2"');
  return JSON.parse(marked, (_k, v: unknown) => (typeof v === 'string' && v.startsWith('__bigint__') ? BigInt(v.slice(10)) : v)) as Obj;
}

function isNan(v: Json | undefined): boolean {
  return v === 'nan' || (typeof v === 'number' && Number.isNaN(v));
}

/** Exact for integers (any size), 1e-9 relative for floats when `rel`, exact otherwise. */
function same(got: Json | undefined, want: Json | undefined, rel: boolean): boolean {
  if (isNan(want)) return isNan(got);
  if (want === null || want === undefined) return got === null || got === undefined;
  if (typeof want === 'bigint' || typeof got === 'bigint') {
    try { return BigInt(got as number | bigint) === BigInt(want as number | bigint); } catch { return false; }
  }
  if (typeof want === 'number' && typeof got === 'number') {
    if (got === want) return true;
    return rel && Math.abs(got - want) <= 1e-9 * Math.max(Math.abs(got), Math.abs(want));
  }
  return JSON.stringify(got) === JSON.stringify(want);
}

function compareBranch(where: string, got: Obj, want: Obj, errors: string[]): void {
  const check = (field: string, rel: boolean, g = got, w = want, at = where): void => {
    if (!(field in w)) return;
    if (!same(g[field], w[field], rel)) errors.push(`${at}.${field}: got ${String(g[field])}, want ${String(w[field])}`);
  };
  const kind = want.kind as string;
  check('num_baskets', false);
  if (want.num_baskets !== 0) check('basket_compression', false);
  if (want.count === 0 && (got.count === 0 || got.count === undefined)) return;
  if (kind === 'leaflist') {
    const wl = want.leaves as Obj, gl = (got.leaves ?? {}) as Obj;
    for (const [name, w] of Object.entries(wl)) {
      const g = (gl[name] ?? {}) as Obj;
      for (const f of ['count', 'sum', 'min', 'max']) check(f, f === 'sum', g, w as Obj, `${where}.${name}`);
    }
    return;
  }
  // The reference (uproot) summarises std::vector<std::string> as an object of `count` entries;
  // heppy reads its strings (a string column over the same entries).
  if (kind === 'object' && got.kind === 'string' && want.first_type === 'STLVector') {
    if (got.length !== want.count) errors.push(`${where}.length: got ${String(got.length)}, want ${String(want.count)}`);
    return;
  }
  if (got.kind !== kind) errors.push(`${where}.kind: got ${String(got.kind)}, want ${kind}`);
  if (kind === 'object') { check('count', false); return; }
  if (kind === 'string') { for (const f of ['count', 'total_length', 'first']) check(f, false); return; }
  const float = /float|double/.test(String(want.typename));
  for (const f of ['count', 'sum', 'min', 'max']) check(f, f === 'sum' && float);
}

function compareHist(where: string, got: Obj, want: Obj, errors: string[]): void {
  for (const [f, w] of Object.entries(want)) {
    if (!(f in got)) continue;
    const g = got[f];
    if (!same(g, w, typeof w === 'number')) errors.push(`${where}.${f}: got ${JSON.stringify(g)}, want ${JSON.stringify(w)}`);
  }
}

const dir = sharedRootDir();
if (dir !== null) {
  const d = dir;
  for (const sf of readdirSync(join(d, 'summaries')).filter((n) => n.endsWith('.json')).sort()) {
    const want = parseExact(readFileSync(join(d, 'summaries', sf), 'utf8'));
    const name = want.file as string;
    const path = existsSync(join(d, name)) ? join(d, name) : join(d, 'written-by-uproot', name);
    test(`summary of ${name}`, async () => {
      let got: Obj;
      try {
        const f = await openRootFile(path);
        try { got = await summarizeFile(f); } finally { f.close(); }
      } catch (e) {
        if (name === 'uproot-issue413.root' && e instanceof RootError) {
          assert.ok(e.message.includes(name), 'the error names the file');
          return;
        }
        throw e;
      }
      const errors: string[] = [];
      const gk = new Set((got.keys as Obj[]).map((k) => `${String(k.name)} ${String(k.class)}`));
      for (const k of want.keys as Obj[]) if (!gk.has(`${String(k.name)} ${String(k.class)}`)) errors.push(`missing key ${String(k.name)} (${String(k.class)})`);
      const gt = got.trees as Obj, wt = want.trees as Obj;
      for (const [tn, w] of Object.entries(wt)) {
        const g = gt[tn] as Obj | undefined;
        if (g === undefined) { errors.push(`missing tree ${tn}`); continue; }
        const wo = w as Obj;
        if (g.entries !== wo.entries) errors.push(`${tn}.entries: got ${String(g.entries)}, want ${String(wo.entries)}`);
        const gb = g.branches as Obj;
        for (const [bn, wb] of Object.entries(wo.branches as Obj)) {
          const b = gb[bn] as Obj | undefined;
          if (b === undefined) { errors.push(`${tn}: missing branch ${bn}`); continue; }
          compareBranch(`${tn}/${bn}`, b, wb as Obj, errors);
        }
      }
      const gh = got.histograms as Obj;
      for (const [hn, w] of Object.entries(want.histograms as Obj)) {
        const g = gh[hn] as Obj | undefined;
        if (g === undefined) { errors.push(`missing histogram ${hn}`); continue; }
        compareHist(hn, g, w as Obj, errors);
      }
      if (errors.length > 0) assert.unreachable(`${name}: ${errors.length} differences:\n  ${errors.slice(0, 30).join('\n  ')}`);
    });
  }
}

test.run();
