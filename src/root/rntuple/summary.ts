// Summary of the RNTuples of a file, shaped like ../shared/data/root/rntuple/summaries/*.json:
// per stored field path its type and the count, exact sum, min, max and first 3 values of its
// values (leaves), sizes (collections) or byte lengths (strings); projected fields and sources.
import type { NumType } from '../types.js';
import type { Json } from '../read/summary.js';
import type { RootFileReader } from '../read/file.js';
import { StatsAcc } from '../read/stats.js';
import { RootError } from '../errors.js';
import { FIELD_PROJECTED, FIELD_REPETITIVE, Role, type FieldDesc } from './descriptor.js';
import { activeColumns, elementsIn } from './pages.js';
import { numTypes } from './schema.js';
import { convert, RNTupleReader, RNTUPLE_CLASS } from './reader.js';
import { RNTupleFormatError } from './rbuf.js';

type Obj = { [k: string]: Json };

export async function summarizeRNTuples(f: RootFileReader): Promise<Obj> {
  const out: Obj = {};
  for (const k of f.keys()) {
    if (k.className !== RNTUPLE_CLASS) continue;
    const r = await RNTupleReader.open(f, `${k.path};${k.cycle}`);
    out[k.path] = await summarizeRNTuple(r);
  }
  return out;
}

export async function summarizeRNTuple(r: RNTupleReader): Promise<Obj> {
  const d = r.descriptor;
  const fields: Obj = {};
  const projected: Obj = {};
  for (const f of d.fields) {
    if (f.flags & FIELD_PROJECTED) {
      const src = d.fields[f.sourceId];
      projected[f.path] = { type: f.type, source: src?.path ?? null };
      continue;
    }
    try {
      const s = await summarizeField(r, f);
      if (s !== null) fields[f.path] = s;
    } catch (e) {
      // One field that cannot be decoded is that field's error; the others are still summarised.
      if (e instanceof RNTupleFormatError || e instanceof RootError) fields[f.path] = { type: f.type, error: e instanceof RootError ? e.reason : e.message };
      else throw e;
    }
  }
  const out: Obj = { entries: r.entries, fields };
  if (Object.keys(projected).length > 0) out.projected = projected;
  // jsroot 7.11 cannot read projected fields (alias columns): the top-level ones are listed as the summaries do.
  out.not_read_by_jsroot = d.fields.filter((f) => f.flags & FIELD_PROJECTED && f.parentId === f.id).map((f) => f.path);
  return out;
}

function statsKind(t: NumType): 'int' | 'big' | 'float' {
  return t === 'i8' || t === 'u8' ? 'big' : t === 'f4' || t === 'f8' ? 'float' : 'int';
}

/** Collections: sizes; strings: lengths and text; leaves: values; records and arrays: nothing. */
async function summarizeField(r: RNTupleReader, f: FieldDesc): Promise<Obj | null> {
  const d = r.descriptor;
  const isString = f.role === Role.Leaf && f.type === 'std::string';
  if (f.role === Role.Collection || isString) {
    const acc = new StatsAcc('int');
    const first: Json[] = [];
    const text = { min: null as Buffer | null, max: null as Buffer | null };
    for (const c of d.clusters) {
      const cols = activeColumns(d, c, f);
      if (cols === null) continue;
      const cc = r.clusterColumns(c);
      const idx = await cc.column(f, 0, null) as Float64Array;
      const sizes = new Float64Array(idx.length);
      for (let i = 0; i < idx.length; i++) sizes[i] = idx[i]! - (i === 0 ? 0 : idx[i - 1]!);
      acc.add(sizes);
      if (!isString) { for (let i = 0; i < sizes.length && first.length < 3; i++) first.push(sizes[i]!); continue; }
      const chars = await cc.column(f, 1, idx.length === 0 ? 0 : idx[idx.length - 1]!) as Int8Array;
      const bytes = Buffer.from(chars.buffer, chars.byteOffset, chars.length);
      for (let i = 0; i < idx.length; i++) {
        const s = bytes.subarray(i === 0 ? 0 : idx[i - 1]!, idx[i]!);
        if (first.length < 3) first.push(s.toString('utf8'));
        if (text.min === null || Buffer.compare(s, text.min) < 0) text.min = Buffer.from(s);
        if (text.max === null || Buffer.compare(s, text.max) > 0) text.max = Buffer.from(s);
      }
    }
    const s = acc.result();
    if (isString) return { type: f.type, count: s.count, sum: s.sum, min: text.min?.toString('utf8') ?? null, max: text.max?.toString('utf8') ?? null, first };
    return { type: f.type, count: s.count, sum: s.sum, min: s.min, max: s.max, first };
  }
  if (f.role !== Role.Leaf || f.columns.length === 0) return null;
  if (f.flags & FIELD_REPETITIVE && f.children.length > 0) return null;
  const t = numTypes[f.type];
  if (t === undefined) return { type: f.type, unsupported: `type ${f.type} is not read as a column` };
  const acc = new StatsAcc(statsKind(t));
  const first: Json[] = [];
  for (const c of d.clusters) {
    const cols = activeColumns(d, c, f);
    if (cols === null) continue;
    const v = convert(await r.clusterColumns(c).column(f, 0, elementsIn(c.columns[cols[0]!]!)), t);
    acc.add(t === 'bool' ? Float64Array.from(v as Uint8Array) : v);
    for (let i = 0; i < v.length && first.length < 3; i++) first.push(v[i]!);
  }
  const s = acc.result();
  return { type: f.type, count: s.count, sum: s.sum, min: s.min, max: s.max, first };
}

