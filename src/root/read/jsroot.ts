// The slice of jsroot's object model the reader uses. jsroot ships no types, so the
// objects it returns are described here and checked where the reader depends on them.
import type { ByteSource } from '../../io/source.js';
import { RemoteError } from '../../io/errors.js';
// 'jsroot/io' is imported on the first open (~10 ms of start-up that commands which read no
// ROOT file do not pay); the 'jsroot' entry point would pull in the drawing code (~100 ms).
import { decompress } from './decompress.js';
import { countRead } from './io-stats.js';
import { adoptInfos, cachedInfos, infosKey, storeInfos } from './streamers.js';
import type { ParsedInfos } from './streamers.js';

export interface JsArr<T> { arr: (T | null)[] }

export interface JsKey { fName: string; fClassName: string; fCycle: number; fTitle: string; fSeekKey: number; fNbytes: number; fObjlen: number; fKeylen: number }

export interface JsLeaf {
  _typename: string; fName: string; fTitle: string; fLen: number; fLenType: number; fIsUnsigned: boolean;
  fLeafCount: JsLeaf | null; fType?: number;
}

export interface JsBuffer { arr: DataView; length: number }

export interface JsBasket {
  fKeylen: number; fNevBuf: number; fLast: number; fNevBufSize: number; fBufferSize?: number;
  fBufferRef?: JsBuffer; fEntryOffset?: ArrayLike<number>;
}

export interface JsBranch {
  _typename: string; fName: string; fTitle: string; fEntries: number; fWriteBasket: number;
  fEntryOffsetLen: number;
  fBasketSeek: ArrayLike<number>; fBasketBytes: ArrayLike<number>; fBasketEntry: ArrayLike<number>;
  fBaskets: JsArr<JsBasket>; fBranches: JsArr<JsBranch>; fLeaves: JsArr<JsLeaf>;
  fStreamerType?: number; fClassName?: string; fType?: number; fID?: number;
}

export interface JsTree { _typename: string; fName: string; fEntries: number; fBranches: JsArr<JsBranch> }

export interface JsAxis {
  fNbins: number; fXmin: number; fXmax: number; fXbins: ArrayLike<number>; fTitle: string;
  fLabels: JsArr<{ fString: string; fUniqueID: number }> | null;
}

export interface JsHist {
  _typename: string; fName: string; fTitle: string; fXaxis: JsAxis; fYaxis: JsAxis;
  fArray: ArrayLike<number>; fSumw2: ArrayLike<number>; fEntries: number;
  fTsumw: number; fTsumw2: number; fTsumwx: number; fTsumwx2: number;
  fTsumwy?: number; fTsumwy2?: number; fTsumwxy?: number;
  fNcells: number;
}

export interface JsStreamerElement {
  fName: string; fTypeName: string; fType: number; fArrayLength: number; fArrayDim: number; fMaxIndex?: ArrayLike<number>;
  fCountName?: string; fBaseVersion?: number; fFactor?: number; fXmin?: number; fXmax?: number; fTitle?: string;
}
export interface JsStreamerInfo { fName: string; fClassVersion: number; fCheckSum?: number; fElements: JsArr<JsStreamerElement> | null }

export interface JsDirectory { fKeys: JsKey[] }

export interface JsFile extends JsDirectory {
  fEND: number; fVersion: number; fBEGIN: number; fCompress: number; fSeekInfo: number; fNbytesInfo: number;
  fSeekFree: number; fNbytesFree: number; fUnits: number;
  fStreamerInfos?: JsArr<JsStreamerInfo> | null;
  readObject(name: string, cycle?: number): Promise<unknown>;
  readDirectory(name: string, cycle?: number): Promise<JsDirectory>;
  findStreamerInfo(clname: string, clversion?: number): JsStreamerInfo | null;
  fd?: unknown;
}

interface JsrootIo {
  openFile(proxy: object): Promise<unknown>;
  FileProxy: new () => object;
  TBuffer: new (dv: DataView, pos: number, file: unknown) => object;
}
interface Proxy { readonly source: ByteSource; failure: RemoteError | null }
type ProxyClass = new (path: string, source: ByteSource, size: number) => Proxy;
let io: JsrootIo | null = null;
let CheckedProxy: ProxyClass | null = null;

async function loadJsroot(): Promise<{ io: JsrootIo; Checked: ProxyClass }> {
  // @ts-ignore jsroot has no type declarations for its modules
  io ??= (await import('jsroot/io')) as JsrootIo;
  CheckedProxy ??= checkedProxyClass(io.FileProxy);
  return { io, Checked: CheckedProxy };
}

function isChecked(proxy: unknown): boolean {
  return CheckedProxy !== null && proxy instanceof CheckedProxy;
}

/**
 * jsroot reads through this proxy, on heppy's byte source (local file, XRootD, HTTP): every read
 * is checked against the file size here, so that corrupt seeks or lengths become rejected promises
 * (jsroot's own node reader throws them from an fs callback, which kills the process). Several
 * blocks asked at once are one vector read. A network error is kept: jsroot may swallow it.
 */
function checkedProxyClass(Base: new () => object): ProxyClass {
  return class extends Base {
    failure: RemoteError | null = null;
    constructor(private readonly path: string, readonly source: ByteSource, private readonly size: number) { super(); }
    async openFile(): Promise<boolean> { return true; }
    getFileName(): string { return this.path; }
    getFileSize(): number { return this.size; }
    private range(pos: number, len: number): { pos: number; len: number } {
      if (!Number.isSafeInteger(pos) || !Number.isSafeInteger(len) || pos < 0 || len < 0 || pos > this.size) {
        throw new Error(`read of ${len} bytes at ${pos} is outside the file (${this.size} bytes)`);
      }
      return { pos, len: Math.min(len, this.size - pos) }; // jsroot reads fixed-size headers that may pass the end
    }
    async readBuffer(pos: number, len: number): Promise<DataView> {
      const r = this.range(pos, len);
      countRead(r.len);
      return view(await this.kept(this.source.read(r.pos, r.len)));
    }
    async readBuffers(place: number[]): Promise<DataView[]> {
      const ranges: { pos: number; len: number }[] = [];
      for (let k = 0; k + 1 < place.length; k += 2) ranges.push(this.range(place[k]!, place[k + 1]!));
      for (const r of ranges) countRead(r.len);
      return (await this.kept(this.source.readv(ranges))).map(view);
    }
    private async kept<T>(p: Promise<T>): Promise<T> {
      try { return await p; } catch (e) { if (e instanceof RemoteError) this.failure ??= e; throw e; }
    }
    closeFile(): void { /* the source belongs to RootFileReader */ }
  };
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The network error behind a failed jsroot call on this file, if there was one. */
export function networkFailure(f: JsFile | Proxy | null | undefined): RemoteError | null {
  const p = f !== null && f !== undefined && 'proxy' in f ? (f as { proxy?: Proxy }).proxy : f as Proxy | null | undefined;
  return p?.failure ?? null;
}

export async function jsOpen(path: string, source: ByteSource, size: number): Promise<JsFile> {
  const { io: js, Checked } = await loadJsroot();
  const proxy = new Checked(path, source, size);
  let f: JsFile | false;
  try {
    f = await quiet(async () => (await openCapturing(js, proxy)) as JsFile | false);
  } catch (e) {
    throw proxy.failure ?? e;
  }
  if (!f) throw proxy.failure ?? new Error('jsroot could not open the file');
  useNativeDecompression(f as unknown as ObjBufferReader);
  if (patchProxyFileClass(f as unknown as ObjBufferReader)) await seedInfos(f, source, size);
  return f;
}

let classPatched = false;

/**
 * jsroot.openFile, patching jsroot's TProxyFile class on the very first call, before the file
 * reads its StreamerInfo record: otherwise the first file of a process has that record inflated
 * by jsroot's JavaScript inflate (~15-20 ms of a cold process) and misses the cache. jsroot
 * does not export the class, so the instance is caught as its constructor assigns fFullURL:
 * a one-shot setter on Object.prototype, present only during the synchronous part of this call.
 */
function openCapturing(js: JsrootIo, proxy: Proxy): Promise<unknown> {
  if (classPatched) return js.openFile(proxy);
  let caught: object | null = null;
  try {
    Object.defineProperty(Object.prototype, 'fFullURL', {
      configurable: true, enumerable: false,
      set(this: object, v: unknown) {
        delete (Object.prototype as { fFullURL?: unknown }).fFullURL;
        Object.defineProperty(this, 'fFullURL', { value: v, writable: true, enumerable: true, configurable: true });
        if (caught === null) caught = this;
      },
    });
  } catch {
    return js.openFile(proxy); // a frozen Object.prototype: patched after this open instead
  }
  let pending: Promise<unknown>;
  try {
    pending = js.openFile(proxy);
  } finally {
    delete (Object.prototype as { fFullURL?: unknown }).fFullURL;
  }
  const f = caught as (ObjBufferReader & { proxy?: unknown }) | null;
  if (f !== null && f.proxy === proxy) patchProxyFileClass(f);
  return pending;
}

/**
 * The StreamerInfo of a file is read while jsroot opens it, before the instance can be
 * patched; so after the first open, jsroot's TProxyFile class gets the native path too,
 * for files read through heppy's CheckedProxy only (other proxies keep jsroot's code).
 */
function patchProxyFileClass(instance: ObjBufferReader): boolean {
  if (classPatched) return false;
  classPatched = true;
  const proto = Object.getPrototypeOf(instance) as ObjBufferReader & { proxy?: unknown };
  const original = proto.readObjBuffer, extract = proto.extractStreamerInfos;
  if (typeof original !== 'function' || typeof extract !== 'function') return false;
  proto.readObjBuffer = function (this: ObjBufferReader & { proxy?: unknown }, key: JsKeyBytes): Promise<unknown> {
    if (isChecked(this.proxy)) return nativeObjBuffer(this, key);
    return original.call(this, key);
  };
  proto.extractStreamerInfos = function (this: ObjBufferReader & ParsedInfos & { proxy?: unknown }, buf: InfosBuffer | null): void {
    if (!isChecked(this.proxy) || !buf) { extract.call(this, buf); return; }
    if (buf.heppyInfos !== undefined) { adoptInfos(this, buf.heppyInfos); return; }
    extract.call(this, buf);
    if (buf.heppyInfosKey !== undefined) storeInfos(buf.heppyInfosKey, this);
  };
  return true;
}

/** The first file opened (before the class was patched) puts its parsed infos in the cache too. */
async function seedInfos(f: JsFile, source: ByteSource, size: number): Promise<void> {
  const k = f.fKeys.find((x) => x.fName === 'StreamerInfo' && x.fSeekKey === f.fSeekInfo);
  if (k === undefined) return;
  const pos = k.fSeekKey + k.fKeylen, len = k.fNbytes - k.fKeylen;
  if (!(pos >= 0 && len > 0 && pos + len <= size && k.fObjlen >= len)) return;
  let bytes: Uint8Array;
  try { bytes = await source.read(pos, len); } catch { return; } // not cached; jsroot read it already
  try { if (k.fObjlen > len) bytes = await decompress(bytes, k.fObjlen); } catch { return; } // jsroot read it: not cached
  storeInfos(infosKey(bytes), f as unknown as ParsedInfos);
}

interface JsKeyBytes { fSeekKey: number; fKeylen: number; fNbytes: number; fObjlen: number }
interface ObjBufferReader {
  readBuffer(place: number[]): Promise<DataView>;
  readObjBuffer(key: JsKeyBytes): Promise<unknown>;
  extractStreamerInfos(buf: InfosBuffer | null): void;
  fSeekInfo: number;
}
/** A buffer of the StreamerInfo record, tagged with its cache key or its cached parse. */
interface InfosBuffer { heppyInfosKey?: bigint; heppyInfos?: ParsedInfos }

/**
 * Objects (TTree metadata, histograms, directories) of this file are decompressed by heppy
 * (node's zlib, multi-chunk LZMA) rather than jsroot's JavaScript inflate: several times
 * faster, and it reads LZMA metadata that jsroot cannot. Set on this instance only.
 */
function useNativeDecompression(file: ObjBufferReader): void {
  file.readObjBuffer = (key: JsKeyBytes): Promise<unknown> => nativeObjBuffer(file, key);
}

async function nativeObjBuffer(file: ObjBufferReader, key: JsKeyBytes): Promise<unknown> {
  const stored = key.fNbytes - key.fKeylen;
  if (!(stored >= 0) || !(key.fObjlen >= 0)) throw new Error(`key with ${key.fNbytes} bytes, key length ${key.fKeylen}, object length ${key.fObjlen}`);
  const blob = await file.readBuffer([key.fSeekKey + key.fKeylen, stored]);
  let bytes = new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
  // The StreamerInfo record: parsed once per distinct content (see streamers.ts).
  if (key.fObjlen > stored) bytes = await decompress(bytes, key.fObjlen);
  const infos = key.fSeekKey === file.fSeekInfo ? infosKey(bytes) : undefined;
  const buf = new io!.TBuffer(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, file) as { fTagOffset: number } & InfosBuffer;
  buf.fTagOffset = key.fKeylen;
  if (infos !== undefined) {
    buf.heppyInfosKey = infos;
    const hit = cachedInfos(infos);
    if (hit !== undefined) buf.heppyInfos = hit;
  }
  return buf;
}

/**
 * Runs a jsroot call with its console chatter ("Missmatch in …", "Fail to UNZIP …")
 * muted: heppy reports problems as RootErrors instead, in one line.
 */
// Counted, because calls overlap (files read concurrently): the first one in saves the real
// console, the last one out restores it (a plain save/restore per call could restore `drop`).
let quietDepth = 0;
let savedConsole: { error: typeof console.error; warn: typeof console.warn; log: typeof console.log } | null = null;
export async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  if (quietDepth++ === 0) {
    savedConsole = { error: console.error, warn: console.warn, log: console.log };
    const drop = (): void => {};
    console.error = drop; console.warn = drop; console.log = drop;
  }
  try {
    return await fn();
  } finally {
    if (--quietDepth === 0 && savedConsole) {
      console.error = savedConsole.error; console.warn = savedConsole.warn; console.log = savedConsole.log;
      savedConsole = null;
    }
  }
}

/** Decodes a StreamerInfo record (a TList of TStreamerInfo, uncompressed) with jsroot's streamers. */
export async function decodeInfoList(file: JsFile, bytes: Uint8Array, keylen: number): Promise<JsStreamerInfo[]> {
  const { io: js } = await loadJsroot();
  const buf = new js.TBuffer(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, file) as { fTagOffset: number; classStreamer(o: object, cls: string): unknown };
  buf.fTagOffset = keylen;
  const list = buf.classStreamer({}, 'TList') as JsArr<JsStreamerInfo & { _typename?: string }>;
  return (list.arr ?? []).filter((x): x is JsStreamerInfo => x !== null && (x as { _typename?: string })._typename === 'TStreamerInfo');
}
