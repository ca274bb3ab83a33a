// The schema of an object branch's values: built once per branch from the file's streamer infos
// (what members.ts walks in each entry), and the member paths ("leaves") it yields, e.g.
// muonp4 (vector<TLorentzVector>) → muonp4.fP.fX, …, muonp4.fE.
import type { NumType } from '../types.js';
import type { JsFile, JsStreamerElement } from './jsroot.js';
import { packedFromElement } from './packed.js';
import type { Packed } from './packed.js';
import { assertNever } from '../../util/result.js';

/** How one value is streamed. */
export type Node =
  | { k: 'num'; t: NumType }
  | { k: 'packed'; t: 'f4' | 'f8'; packed: Packed }
  | { k: 'array'; of: Node; n: number }                            // fixed-size C array member
  | { k: 'string'; std: boolean }                                  // std::string (std) or TString: length + bytes
  | { k: 'tobject' }                                               // TObject base: version, fUniqueID, fBits
  | { k: 'class'; name: string; members: { name: string; node: Node }[] } // byte count + version, then members
  | { k: 'seq'; name: string; of: Node }                           // vector, set, list, deque, RVec
  | { k: 'map'; name: string; key: Node; value: Node }
  | { k: 'items'; name: string; of: Node };                        // an STL member of a split collection: one header, then one value per item

/** One column of an object branch: a path to numbers (type) or strings (type null). */
export interface MemberLeaf { path: string; type: NumType | null; jagged: boolean; fixed: number; typename: string }

export class MemberError extends Error {}

const basic: Record<string, NumType | undefined> = {
  char: 'i1', 'unsigned char': 'u1', short: 'i2', 'unsigned short': 'u2', int: 'i4', 'unsigned int': 'u4',
  long: 'i8', 'unsigned long': 'u8', 'long long': 'i8', 'unsigned long long': 'u8', Long64_t: 'i8', ULong64_t: 'u8',
  float: 'f4', double: 'f8', bool: 'bool', Int_t: 'i4', UInt_t: 'u4', Float_t: 'f4', Double_t: 'f8',
  Short_t: 'i2', UShort_t: 'u2', Char_t: 'i1', UChar_t: 'u1', Bool_t: 'bool', Long_t: 'i8', ULong_t: 'u8',
  int8_t: 'i1', uint8_t: 'u1', int16_t: 'i2', uint16_t: 'u2', int32_t: 'i4', uint32_t: 'u4', int64_t: 'i8', uint64_t: 'u8',
};

/** ROOT's EDataType codes of basic streamer elements (kCounter 6 and kBits 15 included). */
const codes: Record<number, NumType | undefined> = {
  1: 'i1', 2: 'i2', 3: 'i4', 4: 'i8', 5: 'f4', 6: 'i4', 8: 'f8', 11: 'u1', 12: 'u2', 13: 'u4',
  14: 'u8', 15: 'u4', 16: 'i8', 17: 'u8', 18: 'bool',
};

/** Splits "map<int,vector<short> >" into its template name and top-level arguments. */
function template(type: string): { name: string; args: string[] } | null {
  const t = type.replace(/\s+/g, ' ').trim();
  const lt = t.indexOf('<');
  if (lt < 0 || !t.endsWith('>')) return null;
  const args: string[] = [];
  let depth = 0, start = lt + 1;
  for (let i = lt + 1; i < t.length - 1; i++) {
    const c = t[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) { args.push(t.slice(start, i).trim()); start = i + 1; }
  }
  args.push(t.slice(start, t.length - 1).trim());
  return { name: t.slice(0, lt).trim().replace(/^std::/, '').replace(/^ROOT::VecOps::/, ''), args };
}

/** Builds the schema of a type name from the file's streamer infos; throws MemberError saying what is not read. */
export function schemaOf(type: string, file: JsFile, depth = 0): Node {
  if (depth > 16) throw new MemberError(`${type}: types nested too deep`);
  const t = type.replace(/\s+/g, ' ').trim().replace(/^const /, '');
  const num = basic[t];
  if (num !== undefined) return { k: 'num', t: num };
  if (t === 'Double32_t' || t === 'Float16_t') return { k: 'packed', t: t === 'Float16_t' ? 'f4' : 'f8', packed: packedFromElement({}, t === 'Float16_t') };
  if (t === 'string' || t === 'std::string' || t === 'TString') return { k: 'string', std: t !== 'TString' };
  if (t === 'TObject') return { k: 'tobject' };
  const tm = template(t);
  if (tm !== null) {
    if (['vector', 'set', 'list', 'deque', 'multiset', 'unordered_set', 'RVec'].includes(tm.name) && tm.args.length >= 1) {
      return { k: 'seq', name: t, of: schemaOf(tm.args[0]!, file, depth + 1) };
    }
    if (['map', 'multimap', 'unordered_map'].includes(tm.name) && tm.args.length >= 2) {
      return { k: 'map', name: t, key: schemaOf(tm.args[0]!, file, depth + 1), value: schemaOf(tm.args[1]!, file, depth + 1) };
    }
  }
  return classSchema(t, file, depth);
}

/** ROOT's physics vectors, for files whose streamer infos lack them (as ROOT's own dictionary has them). */
const f8: Node = { k: 'num', t: 'f8' };
const tobj = { name: 'TObject', node: { k: 'tobject' } as Node };
const TVector3: Node = { k: 'class', name: 'TVector3', members: [tobj, { name: 'fX', node: f8 }, { name: 'fY', node: f8 }, { name: 'fZ', node: f8 }] };
const builtins: Record<string, Node> = {
  TVector2: { k: 'class', name: 'TVector2', members: [tobj, { name: 'fX', node: f8 }, { name: 'fY', node: f8 }] },
  TVector3,
  TLorentzVector: { k: 'class', name: 'TLorentzVector', members: [tobj, { name: 'fP', node: TVector3 }, { name: 'fE', node: f8 }] },
};

function classSchema(name: string, file: JsFile, depth: number): Node {
  const si = file.findStreamerInfo(name);
  const els = si?.fElements?.arr;
  // TDatime has its own streamer: its packed date and time, a bare 4-byte integer
  if (name === 'TDatime') return { k: 'num', t: 'u4' };
  if ((!si || !Array.isArray(els)) && builtins[name] !== undefined) return builtins[name]!;
  if (!si || !Array.isArray(els)) throw new MemberError(`the file has no streamer info for class ${name}`);
  const members: { name: string; node: Node }[] = [];
  for (const e of els) {
    if (e === null) continue;
    members.push({ name: e.fName, node: elementSchema(name, e, file, depth) });
  }
  return { k: 'class', name, members };
}

function elementSchema(cls: string, e: JsStreamerElement, file: JsFile, depth: number): Node {
  const ty = e.fType;
  const why = (): MemberError => new MemberError(`member ${e.fName} of class ${cls} (${e.fTypeName}, streamer type ${ty}) is not read`);
  if (e.fTypeName === 'BASE' || ty === 0 || ty === 66 || ty === 67) { // a base class
    if (e.fName === 'TObject') return { k: 'tobject' };
    if (ty === 67 || e.fName === 'TNamed') return { k: 'class', name: 'TNamed', members: [{ name: 'TObject', node: { k: 'tobject' } }, { name: 'fName', node: { k: 'string', std: false } }, { name: 'fTitle', node: { k: 'string', std: false } }] };
    return classSchema(e.fName, file, depth + 1);
  }
  const one = (code: number): Node => {
    if (code === 9 || code === 19) return { k: 'packed', t: code === 19 ? 'f4' : 'f8', packed: packedFromElement(e, code === 19) };
    const t = codes[code];
    if (t === undefined) throw why();
    return { k: 'num', t };
  };
  if (ty >= 1 && ty < 20) return one(ty);
  if (ty > 20 && ty < 40) {
    const n = e.fArrayLength;
    if (!Number.isInteger(n) || n < 1) throw why();
    return { k: 'array', of: one(ty - 20), n };
  }
  if (ty === 65) return { k: 'string', std: false };
  if (ty === 61 || ty === 62) return schemaOf(e.fTypeName, file, depth + 1);                 // embedded object
  if (ty === 300 || ty === 365 || ty === 500) return schemaOf(e.fTypeName, file, depth + 1);  // STL member
  throw why();
}

/** The numeric members of a class (through its base classes) with their paths, or null if it has others. */
export function flatMembers(node: Node, path: string): { node: Node; path: string }[] | null {
  if (node.k === 'num' || node.k === 'packed') return [{ node, path }];
  if (node.k !== 'class') return null;
  const out: { node: Node; path: string }[] = [];
  for (const m of node.members) {
    const sub = flatMembers(m.node, memberPath(path, m, m.node));
    if (sub === null) return null;
    out.push(...sub);
  }
  return out;
}

/** A member's path: a base class's members stay at the object's path. */
export function memberPath(path: string, m: { name: string }, node: Node): string {
  return node.k === 'class' && m.name === node.name ? path : `${path}.${m.name}`;
}

/** The columns a schema yields under a branch name (TObject's fUniqueID/fBits left out). */
export function leavesOf(node: Node, path: string, jagged = false, fixed = 1): MemberLeaf[] {
  switch (node.k) {
    case 'num': return [{ path, type: node.t, jagged, fixed, typename: node.t }];
    case 'packed': return [{ path, type: node.t, jagged, fixed, typename: node.t === 'f4' ? 'Float16_t' : 'Double32_t' }];
    case 'array': return leavesOf(node.of, path, jagged, fixed * node.n);
    case 'string': return [{ path, type: null, jagged, fixed, typename: node.std ? 'std::string' : 'TString' }];
    case 'tobject': return [];
    case 'class': return node.members.flatMap((m) => leavesOf(m.node, memberPath(path, m, m.node), jagged, fixed));
    case 'seq': return leavesOf(node.of, path, true, 1);
    case 'map': return [...leavesOf(node.key, `${path}.first`, true, 1), ...leavesOf(node.value, `${path}.second`, true, 1)];
    case 'items': return leavesOf(node.of, path, true, 1);
    default: return assertNever(node, 'member schema');
  }
}
