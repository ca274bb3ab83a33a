// Histograms and other objects of a merge that are not trees: histograms added over their holders
// (or taken from the sums of the files under a merge of merges), written back; any object that
// cannot be added is copied from the first file that has it.
import { RootError } from '../errors.js';
import type { RootFileWriter } from '../write/file.js';
import { WBuf } from '../write/wbuf.js';
import { ObjectWriter, SerializeError, type InfoLookup } from '../write/objects.js';
import { InfoSet } from '../read/fast-decode.js';
import type { RawKey } from './keys.js';
import { idOf, objectOf, openInput, readerOf, type InfoCache, type Input } from './inputs.js';
import { ADDABLE, HistSum, histIncompatibility } from './hist.js';

export type Holder = { inp: Input; key: RawKey };
/** A histogram's sum and the file its first holder is (named when a later one cannot be added). */
export type Sum = { sum: HistSum; from: string };

/** Adds one histogram over its holders (all open); null when it cannot be added (then it is copied). */
export async function sumHolders(k: RawKey, holders: Holder[], warn: (m: string) => void): Promise<Sum | null> {
  let s: Sum | null = null;
  for (const h of holders) {
    const o = await objectOf(h.inp, h.key);
    s = addOne(s, o, h.inp.path, k, warn);
    if (s === null) return null;
  }
  return s;
}

/** The first holder starts the sum (null when it cannot be added); a later one that does not fit is an error. */
function addOne(s: Sum | null, o: Record<string, unknown>, path: string, k: RawKey, warn: (m: string) => void): Sum | null {
  if (s === null) {
    const why = histIncompatibility(o, o);
    if (why !== null) { warn(`${k.path} (${k.className}) ${why}: taken from ${path}`); return null; }
    s = { sum: new HistSum(o), from: path };
  } else {
    const why = histIncompatibility(s.sum.first, o);
    if (why !== null) throw new RootError(path, k.path, `cannot be added to ${s.from}'s: ${why}`);
  }
  s.sum.add(o);
  return s;
}

/**
 * The histograms of `files` added in file order, one file open at a time (a merge of merges takes
 * its sums from the files under it: MergeOptions.sumsFrom). By key id; null: not addable, copied.
 */
export async function sumAcross(files: string[], warn: (m: string) => void): Promise<Map<string, Sum | null>> {
  const sums = new Map<string, Sum | null>();
  const infoCache: InfoCache = new Map();
  const fastSets = new Map<bigint, InfoSet>();
  for (const p of files) {
    let inp: Input;
    try { inp = await openInput(p, infoCache); } catch (e) {
      throw e instanceof RootError ? e : new RootError(p, '', `cannot read input: ${(e as Error).message}`);
    }
    try {
      const addable = inp.keys.filter((k) => ADDABLE.test(k.className) && sums.get(idOf(k)) !== null);
      // As prepareDecoding: jsroot for a file that first holds a key or brings a new StreamerInfo record.
      let set = fastSets.get(inp.infoHash);
      if (set === undefined && inp.native !== null) { set = new InfoSet(inp.native); fastSets.set(inp.infoHash, set); }
      if (set !== undefined && (inp.native !== null || addable.every((k) => sums.has(idOf(k))))) inp.fast = set;
      else if (addable.length > 0 && set === undefined) fastSets.set(inp.infoHash, new InfoSet((await readerOf(inp)).js.fStreamerInfos?.arr ?? []));
      for (const k of addable) {
        const id = idOf(k);
        const prev = sums.get(id) ?? null;
        const o = await objectOf(inp, k);
        sums.set(id, addOne(prev, o, p, k, warn));
      }
    } finally { inp.reader?.close(); inp.source.close(); }
  }
  return sums;
}

/** Writes a sum; false when it cannot be written back (then it is copied). */
export function writeSum(w: RootFileWriter, k: RawKey, s: Sum, lookup: InfoLookup, warn: (m: string) => void): boolean {
  const sum = s.sum.result();
  try {
    w.writeKey({
      className: k.className, name: k.name, title: k.title, dir: w.dir(k.dir, true), compress: true, cycle: k.cycle,
      payload: (keylen) => { const b = new WBuf(4096, keylen); new ObjectWriter(b, lookup).classBody(sum, k.className); return b.bytes(); },
    });
  } catch (e) {
    if (!(e instanceof SerializeError)) throw e;
    warn(`${k.path} (${k.className}) cannot be written back (${e.message}): taken from ${s.from}`);
    return false;
  }
  return true;
}

/** An object that cannot be added: the first file's, its stored bytes copied unchanged (same name, title, cycle). */
export function copyFirst(w: RootFileWriter, k: RawKey, h: Holder, lookup: InfoLookup, warn: (m: string) => void, holders: number): void {
  if (holders > 1) warn(`${k.path} (${k.className}) cannot be added: taken from ${h.inp.path}`);
  const body = h.inp.source.read(h.key.seek + h.key.keylen, h.key.nbytes - h.key.keylen, k.path);
  if (!h.key.big && w.bigAt(w.position)) {
    // A 32-bit key cannot move past 2 GB as it is (references inside count from the key start).
    throw new RootError(h.inp.path, k.path, 'cannot copy this object past 2 GB of output (its key has the 32-bit form)');
  }
  void lookup;
  w.writeRawObject(k.dir, { className: k.className, name: k.name, title: k.title, objlen: h.key.objlen, body, big: h.key.big, cycle: k.cycle });
}
