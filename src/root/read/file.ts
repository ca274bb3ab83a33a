// RootFileReader: opens a ROOT file (structure through jsroot, event data through heppy's
// own basket reader) and hands out keys, trees and histograms.
import { openByteSource } from '../../io/open.js';
import { RemoteError } from '../../io/errors.js';
import type { ByteSource } from '../../io/source.js';
import { redactUrl } from '../../io/url.js';
import { EdgeCache } from '../../io/edge-cache.js';
import type { Hist } from '../hist.js';
import type { KeyInfo } from '../types.js';
import { RootError } from '../errors.js';
import { UserError } from '../../util/result.js';
import { jsOpen, networkFailure, quiet } from './jsroot.js';
import type { JsDirectory, JsFile, JsHist, JsTree } from './jsroot.js';
import { decompress, initDecompression } from './decompress.js';
import { supplementInfos } from './infos.js';
import { decodeKeyObject, InfoSet } from './fast-decode.js';

interface JsKeyBytes { fSeekKey: number; fKeylen: number; fNbytes: number; fObjlen: number }
import { leafBranches, planBranches } from './branches.js';
import { TreeReader } from './tree.js';
import { toHist } from './hist.js';
import { readAt, type FileHandle } from './basket.js';

const MAX_KEYS = 1_000_000;

export class RootFileReader {
  private closed = false;
  private readonly dirsSeen = new Set<number>();
  private constructor(
    readonly path: string,
    readonly js: JsFile,
    private readonly h: FileHandle,
    private readonly keyList: KeyInfo[],
  ) {}

  /**
   * Opens a ROOT file by path or URL (root://, http(s)://). Problems of the file are RootErrors;
   * problems of reaching it over a network are RemoteErrors (kind says whether to retry).
   */
  static async open(location: string): Promise<RootFileReader> {
    const path = redactUrl(location);
    let source: ByteSource;
    try { source = await openByteSource(location); } catch (e) {
      if (e instanceof RemoteError || e instanceof UserError) throw e;
      throw new RootError(path, '', `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // Over a network, the file's structure (at its head and tail) comes in one request.
    if (source.remote) {
      try { source = await EdgeCache.over(source); } catch (e) { void source.close(); throw e; }
    }
    try {
      const size = source.size;
      if (size < 64) throw new RootError(path, '', `not a ROOT file (${size} bytes)`);
      const head = await source.read(0, 4);
      if (Buffer.from(head).toString('latin1') !== 'root') throw new RootError(path, '', 'not a ROOT file (no "root" magic)');
      await initDecompression();
      let js: JsFile;
      try { js = await jsOpen(path, source, size); } catch (e) {
        if (e instanceof RemoteError) throw e;
        throw new RootError(path, '', `cannot read file structure: ${msg(e)}`);
      }
      if (!Array.isArray(js.fKeys)) throw new RootError(path, '', 'cannot read the list of keys');
      await supplementInfos(js); // built-in streamers of core classes the file lacks (TLeaf* in groot files)
      if (js.fEND > size) throw new RootError(path, '', `file is truncated: header says ${js.fEND} bytes, file has ${size}`);
      const r = new RootFileReader(path, js, { source, size, path }, []);
      await r.listKeys(js, '', 0);
      return r;
    } catch (e) {
      void source.close();
      if (e instanceof RootError || e instanceof RemoteError) throw e;
      throw new RootError(path, '', msg(e));
    }
  }

  private async listKeys(dir: JsDirectory, prefix: string, depth: number): Promise<void> {
    if (depth > 32) throw new RootError(this.path, prefix, 'directories nested too deep (corrupt file?)');
    for (const k of dir.fKeys) {
      if (this.keyList.length > MAX_KEYS) throw new RootError(this.path, prefix, 'too many keys (corrupt file?)');
      const p = prefix + k.fName;
      if (k.fName === 'StreamerInfo' && k.fClassName === 'TList' && prefix === '') continue;
      this.keyList.push({ path: p, name: k.fName, cycle: k.fCycle, className: k.fClassName });
      if (k.fClassName === 'TDirectory' || k.fClassName === 'TDirectoryFile') {
        // A corrupt file may list a directory inside itself: each directory record is read once.
        if (this.dirsSeen.has(k.fSeekKey)) throw new RootError(this.path, p, 'directory listed twice (corrupt file?)');
        this.dirsSeen.add(k.fSeekKey);
        let sub: JsDirectory;
        try { sub = await quiet(() => this.js.readDirectory(`${p};${k.fCycle}`)); } catch (e) { throw networkFailure(this.js) ?? new RootError(this.path, p, `cannot read directory: ${msg(e)}`); }
        await this.listKeys(sub, p + '/', depth + 1);
      }
    }
  }

  keys(): KeyInfo[] { return this.keyList.slice(); }

  /** Size of the file in bytes. */
  get size(): number { return this.h.size; }

  private key(path: string): KeyInfo {
    const [name, cyc] = path.split(';') as [string, string | undefined];
    const cycle = cyc === undefined ? undefined : Number(cyc);
    let best: KeyInfo | undefined;
    for (const k of this.keyList) {
      if (k.path !== name) continue;
      if (cycle !== undefined ? k.cycle === cycle : best === undefined || k.cycle > best.cycle) best = k;
    }
    if (best === undefined) throw new RootError(this.path, path, 'no such key');
    return best;
  }

  private async readObject(k: KeyInfo): Promise<unknown> {
    this.checkOpen();
    try {
      const o = await quiet(() => this.js.readObject(`${k.path};${k.cycle}`));
      if (o === null || typeof o !== 'object') throw new Error('object could not be decoded');
      return o;
    } catch (e) {
      throw networkFailure(this.js) ?? new RootError(this.path, k.path, `cannot read ${k.className}: ${msg(e)}`);
    }
  }

  /**
   * The object of a key decoded natively (fast-decode.ts) with the infos jsroot decoded for this
   * file, or null when the decoder does not cover it or the key cannot be read: then jsroot
   * decodes it (and names any problem). jsroot's generic decoding of a TTree was most of the cost
   * of opening a small input, once per chunk.
   */
  private async fastObject(k: KeyInfo): Promise<unknown | null> {
    this.checkOpen();
    const infos = infoSetOf(this.js);
    if (infos === null) return null;
    try {
      const jk = (await quiet(() => (this.js as unknown as { getKey(n: string, c: number): Promise<JsKeyBytes> }).getKey(k.path, k.cycle)));
      const stored = jk.fNbytes - jk.fKeylen;
      if (!(stored > 0 && jk.fObjlen >= stored && jk.fSeekKey + jk.fNbytes <= this.h.size)) return null;
      let bytes = await this.readBytes(jk.fSeekKey + jk.fKeylen, stored);
      if (jk.fObjlen > stored) bytes = await decompress(bytes, jk.fObjlen);
      return decodeKeyObject(bytes, jk.fKeylen, k.className, infos);
    } catch {
      return null; // FastPathUnsupported, or unreadable: jsroot's reading says what is wrong
    }
  }

  async tree(path: string): Promise<TreeReader> {
    const k = this.key(path);
    if (k.className !== 'TTree' && k.className !== 'TNtuple' && k.className !== 'TNtupleD') {
      throw new RootError(this.path, k.path, `is a ${k.className}, not a TTree`);
    }
    const fast = await this.fastObject(k);
    treeDecodes[fast !== null ? 'fast' : 'jsroot']++;
    const t = (fast ?? (await this.readObject(k))) as JsTree;
    const entries = Number(t.fEntries);
    if (!Number.isSafeInteger(entries) || entries < 0 || !t.fBranches || !Array.isArray(t.fBranches.arr)) {
      throw new RootError(this.path, k.path, 'TTree metadata is corrupt (entries or branch list)');
    }
    try {
      const plans = leafBranches(t.fBranches.arr).flatMap((b) => planBranches(b, this.js));
      return new TreeReader(this.h, k.path, entries, plans);
    } catch (e) {
      if (e instanceof RootError) throw e;
      throw new RootError(this.path, k.path, `cannot understand the branches: ${msg(e)}`);
    }
  }

  async hist(path: string): Promise<Hist | null> {
    const k = this.key(path);
    if (!/^TH[12][FD]$/.test(k.className)) return null;
    const o = (await this.readObject(k)) as JsHist;
    try {
      return toHist(o);
    } catch (e) {
      throw new RootError(this.path, k.path, msg(e));
    }
  }

  /** Any object, as jsroot decodes it (histograms of other classes, profiles…). */
  async object(path: string): Promise<unknown> {
    return this.readObject(this.key(path));
  }

  /** Bytes [pos, pos + len) of the file: RNTuple envelopes and pages are addressed by offset. */
  async readBytes(pos: number, len: number): Promise<Uint8Array> {
    this.checkOpen();
    return readAt(this.h, pos, len);
  }

  /** A key's object bytes, decompressed (the RNTuple anchor is read this way, not through jsroot). */
  async keyObject(path: string): Promise<{ key: KeyInfo; bytes: Uint8Array }> {
    this.checkOpen();
    const k = this.key(path);
    try {
      const jk = (await quiet(() => (this.js as unknown as { getKey(n: string, c: number): Promise<JsKeyBytes> }).getKey(k.path, k.cycle)));
      const stored = jk.fNbytes - jk.fKeylen;
      let bytes = await this.readBytes(jk.fSeekKey + jk.fKeylen, stored);
      if (jk.fObjlen > stored) bytes = await decompress(bytes, jk.fObjlen);
      return { key: k, bytes };
    } catch (e) {
      throw new RootError(this.path, k.path, `cannot read ${k.className}: ${msg(e)}`);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new RootError(this.path, '', 'file is closed');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.h.source?.close();
  }
}

/** How this process's TTree objects were decoded (tests: the native path is taken, not silently skipped). */
export const treeDecodes = { fast: 0, jsroot: 0 };

/** The decoder's view of a file's infos, one per parsed StreamerInfo record (shared by files with the same record). */
const infoSets = new WeakMap<object, InfoSet>();
function infoSetOf(js: JsFile): InfoSet | null {
  const list = js.fStreamerInfos;
  if (list === null || list === undefined || !Array.isArray(list.arr)) return null;
  let set = infoSets.get(list);
  if (set === undefined) { set = new InfoSet(list.arr); infoSets.set(list, set); }
  return set;
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function openRootFile(path: string): Promise<RootFileReader> {
  return RootFileReader.open(path);
}
