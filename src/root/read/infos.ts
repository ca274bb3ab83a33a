// Streamer infos beyond a file's own: heppy's built-in TStreamerInfo (ROOT's own, for the core
// classes: TObject, TNamed, TTree, TBranch, TLeaf*, TH1…) decoded once, added to a file that
// lacks them (files from other writers, e.g. groot, carry none for TLeaf*), and the lookup
// hadd writes objects with (an input's info of the class, else the built-in one).
import type { JsFile, JsStreamerInfo } from './jsroot.js';
import { decodeInfoList } from './jsroot.js';
import { streamerInfoPayload } from '../write/streamers.js';
import type { InfoDesc, InfoLookup } from '../write/objects.js';

let builtin: JsStreamerInfo[] | null = null;

export async function builtinInfos(file: JsFile): Promise<JsStreamerInfo[]> {
  builtin ??= await decodeInfoList(file, streamerInfoPayload(0), 0);
  return builtin;
}

/** Adds the built-in infos of classes the file has none for; returns their names. */
export async function supplementInfos(file: JsFile): Promise<string[]> {
  const list = file.fStreamerInfos;
  const have = new Set((list?.arr ?? []).map((i) => i?.fName));
  const missing = (await builtinInfos(file)).filter((i) => !have.has(i.fName));
  if (missing.length === 0) return [];
  if (list === null || list === undefined) file.fStreamerInfos = { arr: [...missing] };
  else list.arr.push(...missing);
  return missing.map((i) => i.fName);
}

/**
 * The info to write an object of a class with: of the inputs' infos for the class (then the
 * built-in ones), the first whose members the object has (jsroot decodes members by name, so
 * this is the version the object was read with).
 */
export function infoLookup(files: JsFile[], builtins: JsStreamerInfo[]): InfoLookup {
  return infoLookupOf(files.map((f) => f.fStreamerInfos?.arr ?? []), builtins);
}

/** infoLookup over info lists (each as a file's `fStreamerInfos.arr`, however decoded); the built-in infos may be given when first needed. */
export function infoLookupOf(lists: readonly (readonly (JsStreamerInfo | null)[])[], builtins: JsStreamerInfo[] | (() => JsStreamerInfo[])): InfoLookup {
  const cache = new Map<string, { listed: InfoDesc[]; builtin: InfoDesc[] | null }>();
  const fits = (c: InfoDesc, obj: object): boolean =>
    (c.fElements?.arr ?? []).filter((e) => e !== null && e.fTypeName !== 'BASE' && e.fType !== 0).every((e) => e!.fName in obj);
  return (cls, obj) => {
    let cands = cache.get(cls);
    if (cands === undefined) {
      const listed: InfoDesc[] = [];
      for (const l of lists) for (const i of l) if (i && i.fName === cls) listed.push(i as unknown as InfoDesc);
      cands = { listed, builtin: null };
      cache.set(cls, cands);
    }
    // The inputs' infos first, then the built-in ones: the first whose members the object has, else the first.
    for (const c of cands.listed) if (fits(c, obj)) return c;
    if (cands.builtin === null) {
      const all = typeof builtins === 'function' ? builtins() : builtins;
      cands.builtin = all.filter((i) => i.fName === cls) as unknown as InfoDesc[];
    }
    for (const c of cands.builtin) if (fits(c, obj)) return c;
    return cands.listed[0] ?? cands.builtin[0] ?? null;
  };
}
