// Cache of parsed StreamerInfo records, shared by files whose records are byte-identical
// (the chunks and files of one sample nearly always are). jsroot otherwise decodes the record
// (a TList of TStreamerInfo) and rebuilds its class streamers on every open: 1-4 ms per file,
// a large part of opening a small file (bench/README.md, "ROOT read").
// Identical stored bytes mean identical infos, so jsroot's streamers built from them for one
// file are valid for the other: they use the file only while being built (basic types,
// other infos), and read through the buffer they are given.
import { hash64 } from './decompress.js';

/** What jsroot derives from the record: the info list, enum types, built streamers. */
export interface ParsedInfos { fStreamerInfos: unknown; fBasicTypes: unknown; fStreamers: unknown }

const MAX_ENTRIES = 32;
const cache = new Map<bigint, ParsedInfos>();

/** Cache key of a StreamerInfo record from its (decompressed) bytes: same content, same key. */
export function infosKey(bytes: Uint8Array): bigint {
  return hash64(bytes);
}

export function cachedInfos(key: bigint): ParsedInfos | undefined {
  return cache.get(key);
}

export function storeInfos(key: bigint, file: ParsedInfos): void {
  if (file.fStreamerInfos === null || file.fStreamerInfos === undefined || cache.has(key)) return;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as bigint); // oldest first
  cache.set(key, { fStreamerInfos: file.fStreamerInfos, fBasicTypes: file.fBasicTypes, fStreamers: file.fStreamers });
}

/** Makes a file use cached infos (its streamer list is the shared one from then on). */
export function adoptInfos(file: ParsedInfos, p: ParsedInfos): void {
  file.fStreamerInfos = p.fStreamerInfos;
  file.fBasicTypes = p.fBasicTypes;
  file.fStreamers = p.fStreamers;
}
