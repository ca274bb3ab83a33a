// String columns for analyses: char*, TString and std::string branches (one string per entry) and
// the string member paths of object branches (vector<string>, set<string>, map<string,…> keys and
// values, strings inside split or streamed objects: strings per entry). Decoded basket by basket
// and cut into the same batch windows as numeric columns.
import type { StringColumn } from '../types.js';
import { BasketError } from './basket.js';
import type { RawBasket } from './basket.js';
import type { BranchPlan } from './branches.js';
import { MemberError, walkBasket } from './members.js';
import { basketStrings } from './records.js';
import { concatOffsets } from './decode.js';

/** A basket of a string branch decoded: for jagged columns, values[offsets[i]] … of entry i (n + 1 offsets). */
export interface DecodedStrings { values: string[]; offsets: Int32Array | null; n: number }

/** Whether a branch is a string column, and of which shape (null: it is not). */
export function stringShape(p: BranchPlan): 'scalar' | 'jagged' | null {
  return p.info.strings ?? null;
}

/** Decodes the strings of one basket; a problem of its bytes is a BasketError. */
export function decodeStrings(p: BranchPlan, raw: RawBasket): DecodedStrings {
  const layout = p.layout;
  if (layout.kind === 'string') {
    const values = basketStrings(raw, p.info.typename === 'std::string');
    if (values.length !== raw.n) throw new BasketError(`${values.length} strings for ${raw.n} entries`);
    return { values, offsets: null, n: raw.n };
  }
  if (layout.kind !== 'member' || layout.leaf.type !== null) throw new BasketError(`branch is not a string column (${p.info.typename})`);
  if (raw.offsets === null && raw.n > 0) throw new BasketError('variable-length basket has no entry offsets');
  let walked;
  try { walked = walkBasket(layout.node, [layout.leaf], raw.data, raw.offsets ?? new Int32Array(1), raw.n, layout.root); } catch (e) {
    if (e instanceof MemberError) throw new BasketError(e.message);
    throw e;
  }
  const values = walked.sink.strs.get(layout.leaf.path)!;
  const counts = walked.counts.get(layout.leaf.path)!;
  if (p.info.strings === 'jagged') return { values, offsets: counts, n: raw.n };
  for (let i = 0; i < raw.n; i++) {
    if (counts[i + 1]! - counts[i]! !== 1) throw new BasketError(`entry ${i}: ${counts[i + 1]! - counts[i]!} strings of ${layout.leaf.path}, expected 1`);
  }
  return { values, offsets: null, n: raw.n };
}

/** Entries [lo, hi) of a decoded basket. */
export function sliceStrings(d: DecodedStrings, lo: number, hi: number): StringColumn {
  if (d.offsets === null) return { kind: 'string', values: lo === 0 && hi === d.n ? d.values : d.values.slice(lo, hi) };
  const off = d.offsets, v0 = off[lo]!;
  if (lo === 0 && hi === d.n) return { kind: 'strings', values: d.values, offsets: off };
  const offsets = new Int32Array(hi - lo + 1);
  for (let i = 0; i <= hi - lo; i++) offsets[i] = off[lo + i]! - v0;
  return { kind: 'strings', values: d.values.slice(v0, off[hi]!), offsets };
}

/** Pieces of consecutive entries as one column (all of one shape). */
export function concatStrings(parts: StringColumn[]): StringColumn {
  const values: string[] = [];
  for (const c of parts) for (const v of c.values) values.push(v);
  if (parts[0]?.kind !== 'strings') return { kind: 'string', values };
  const offsets = concatOffsets(parts as Array<{ offsets: Int32Array }>);
  return { kind: 'strings', values, offsets };
}
