// hadd's inputs: each input file opened with its keys and StreamerInfo read natively, the
// StreamerInfo decoded natively into jsroot's shapes (fast-decode.ts) with heppy's built-in infos
// added for classes it lacks, and its objects (trees, histograms) decoded by fast-decode with
// them; jsroot opens an input only for what the native path refuses (see Input).
import type { RootFileReader } from '../read/index.js';
import { RootError } from '../errors.js';
import type { InfoLookup } from '../write/objects.js';
import { parseStreamerRecords, type RawRecord } from '../write/streamer-records.js';
import { builtinInfos, infoLookupOf } from '../read/infos.js';
import type { JsStreamerInfo } from '../read/jsroot.js';
import { builtinRecords, streamerInfoPayload } from '../write/streamers.js';
import { decompress, hash64, initDecompression } from '../read/decompress.js';
import { decodeKeyObject, decodeStreamerInfoList, FastPathUnsupported, InfoSet } from '../read/fast-decode.js';
import { readRawKeys, Source, type RawKey } from './keys.js';
import type { AppendedInput } from './in-place.js';

/**
 * One input. Its keys and StreamerInfo are read natively, and its objects (trees, histograms) are
 * decoded by fast-decode.ts with the infos decoded natively for its StreamerInfo record (shared
 * by the inputs with the same record). jsroot opens an input only when needed: a StreamerInfo
 * record the native decoder refuses (then as before: jsroot for the first input with the record
 * and for the first holder of each key, fast-decode with jsroot's infos for the others), an
 * RNTuple, or an object the fast decoder does not cover.
 */
export interface Input {
  path: string; source: Source; keys: RawKey[]; compress: number; infos: RawRecord[];
  infoHash: bigint; reader: RootFileReader | null; fast: InfoSet | null; appended: AppendedInput | null;
  /** The StreamerInfo list decoded natively, with the built-in infos of classes it lacks (as a jsroot file's); null: refused. */
  native: JsStreamerInfo[] | null;
}

/** A StreamerInfo record: parsed for writing, decoded for reading (null: refused, jsroot decodes it). */
type InfoRecord = { infos: RawRecord[]; native: JsStreamerInfo[] | null };
/** StreamerInfo records by the hash of their stored bytes: the inputs of one merge nearly always share one. */
export type InfoCache = Map<bigint, InfoRecord>;

let builtinNative: JsStreamerInfo[] | null | undefined;
/** heppy's built-in infos (write/streamers.ts), decoded natively once; null if refused. */
function nativeBuiltins(): JsStreamerInfo[] | null {
  if (builtinNative === undefined) {
    try { builtinNative = (decodeStreamerInfoList(streamerInfoPayload(0), 0) as JsStreamerInfo[]).filter((i) => (i as { _typename?: string })._typename === 'TStreamerInfo'); } catch (e) {
      if (!(e instanceof FastPathUnsupported)) throw e;
      builtinNative = null;
    }
  }
  return builtinNative;
}

/** A file's StreamerInfo list decoded natively, plus the built-in infos of the classes it has none for (read/infos.ts supplementInfos). */
function nativeInfos(bytes: Uint8Array | null, keylen: number): JsStreamerInfo[] | null {
  let list: JsStreamerInfo[] = [];
  if (bytes !== null) {
    try { list = decodeStreamerInfoList(bytes, keylen) as JsStreamerInfo[]; } catch (e) {
      if (e instanceof FastPathUnsupported) return null;
      throw e;
    }
  }
  const have = new Set(list.map((i) => i?.fName));
  // The built-in records are decoded only when the file lacks one of their classes (a file heppy wrote has them all).
  if (builtinRecords.every((r) => have.has(r.name))) return list;
  const builtins = nativeBuiltins();
  if (builtins === null) return null;
  return [...list, ...builtins.filter((i) => !have.has(i.fName))];
}

async function readInfos(src: Source, seek: number, nbytes: number, cache: InfoCache): Promise<InfoRecord & { hash: bigint }> {
  if (seek <= 0 || nbytes <= 0) {
    let none = cache.get(0n);
    if (none === undefined) { none = { infos: [], native: nativeInfos(null, 0) }; cache.set(0n, none); }
    return { ...none, hash: 0n };
  }
  const raw = src.read(seek, nbytes, 'StreamerInfo');
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const objlen = dv.getInt32(6), keylen = dv.getInt16(14);
  if (keylen <= 0 || keylen > raw.length) throw new RootError(src.path, 'StreamerInfo', `bad key length ${keylen}`);
  const body = raw.subarray(keylen);
  const hash = hash64(body) ^ BigInt(objlen);
  const known = cache.get(hash);
  if (known !== undefined) return { ...known, hash };
  const bytes = body.length === objlen ? body : await decompress(body, objlen);
  let infos: RawRecord[];
  try { infos = parseStreamerRecords(bytes, keylen); } catch (e) { throw new RootError(src.path, 'StreamerInfo', (e as Error).message); }
  const rec = { infos, native: nativeInfos(bytes, keylen) };
  cache.set(hash, rec);
  return { ...rec, hash };
}

export async function openInput(path: string, cache: InfoCache): Promise<Input> {
  await initDecompression();
  const source = new Source(path);
  try {
    const raw = readRawKeys(source);
    const { infos, native, hash } = await readInfos(source, raw.seekInfo, raw.nbytesInfo, cache);
    return { path, source, reader: null, fast: null, appended: null, keys: raw.keys, compress: raw.compress, infos, infoHash: hash, native };
  } catch (e) {
    source.close();
    throw e;
  }
}

/** jsroot's view of an input, opened on first use. */
export async function readerOf(inp: Input): Promise<RootFileReader> {
  if (inp.reader === null) {
    const { openRootFile } = await import('../read/index.js');
    inp.reader = await openRootFile(inp.path);
  }
  return inp.reader;
}

/**
 * Gives every input the infos its objects are decoded with (see Input): natively decoded ones,
 * else those of jsroot, which opens the inputs that need it.
 */
export async function prepareDecoding(opened: Input[], holdersFirst: Set<Input>): Promise<void> {
  const byRecord = new Map<bigint, InfoSet>();
  for (const i of opened) {
    let set = byRecord.get(i.infoHash);
    if (set === undefined && i.native !== null) { set = new InfoSet(i.native); byRecord.set(i.infoHash, set); }
    if (set !== undefined && (i.native !== null || !holdersFirst.has(i))) { i.fast = set; continue; }
    const r = await readerOf(i);
    if (set === undefined) byRecord.set(i.infoHash, new InfoSet(r.js.fStreamerInfos?.arr ?? []));
  }
}

/** How objects are written back: the inputs' infos (one list per record, jsroot's where it opened the file), then the built-in ones. */
export async function writeLookup(opened: Input[]): Promise<InfoLookup> {
  const lists: (readonly (JsStreamerInfo | null)[])[] = [];
  const listed = new Set<bigint>();
  for (const i of opened) {
    if (i.reader !== null) lists.push(i.reader.js.fStreamerInfos?.arr ?? []);
    else if (i.native !== null && !listed.has(i.infoHash)) { listed.add(i.infoHash); lists.push(i.native); }
  }
  // The built-in infos are looked at only for a class no input's info fits (decoded then).
  const js = nativeBuiltins() === null ? await builtinInfos((await readerOf(opened[0]!)).js) : null;
  return infoLookupOf(lists, () => js ?? nativeBuiltins()!);
}

/** An object of an input as jsroot decodes it: natively when the input has fast infos, else (or when not covered) by jsroot. */
export async function objectOf(inp: Input, k: RawKey): Promise<Record<string, unknown>> {
  if (inp.fast !== null) {
    const raw = inp.source.read(k.seek + k.keylen, k.nbytes - k.keylen, k.path);
    try {
      const bytes = raw.length === k.objlen ? raw : await decompress(raw, k.objlen);
      return decodeKeyObject(bytes, k.keylen, k.className, inp.fast);
    } catch (e) {
      // Not covered (FastPathUnsupported), or not decodable natively: jsroot decides, and names the problem if there is one.
      void (e instanceof FastPathUnsupported);
    }
  }
  return (await (await readerOf(inp)).object(idOf(k))) as Record<string, unknown>;
}

export function idOf(k: RawKey): string { return `${k.path};${k.cycle}`; }
