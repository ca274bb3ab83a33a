// RootFileWriter: a TFile written front to back. Objects are appended as keys as they come
// (tree baskets stream out while filling); close() writes the StreamerInfo, the keys list of
// every directory, the free-segments record and finally the header and the top directory
// record. Until close() the file is not a valid ROOT file. Positions past 2 GB switch keys,
// directory records and the header to ROOT's 64-bit ("big file") layout.
import { openSync } from 'node:fs';
import { basename } from 'node:path';
import { randomBuffer } from '../../util/lazy-node.js';
import type { Hist } from '../hist.js';
import { RootError } from '../errors.js';
import { WBuf, rootDatime } from './wbuf.js';
import { keyLength, tstringLength, writeKeyHeader } from './keys.js';
import { BEGIN, DIR_RECORD_BYTES, START_BIG_FILE, type Dir, type KeySpec } from './file-records.js';
import { DeferredKeys, type KeyBuilder } from './deferred-keys.js';
export { keyLength, tstringLength, writeKeyHeader, type KeyHeader } from './keys.js';
import { type Compression, compressPayload, compressionSetting, defaultCompression, needsPreparing } from './compress.js';
import type { RawRecord } from './streamer-records.js';
import { writeHistBody } from './hist.js';
import { TreeWriter, type TreeSpec } from './tree.js';
import { FileBytes } from './file-bytes.js';
import { writeTail } from './file-tail.js';
import { codecThreadEnabled, worthAhead } from '../codec-ahead.js';
export { START_BIG_FILE, type KeySpec } from './file-records.js';

export interface WriterOptions {
  compression?: Compression;
  /** Compress tree baskets on the codec thread (codec-ahead.ts) while the caller goes on. */
  compressAhead?: boolean;
  /** Write the 64-bit layout (header, directories, keys) even for a small file (tests). */
  force64?: boolean;
  /** Name recorded in the file's own TFile key (default: the file's base name). */
  name?: string;
}

/** Payloads compressed on the codec thread are at least this big. */
const MIN_AHEAD_BYTES = 8 << 10;


export class RootFileWriter {
  readonly compression: Compression;
  readonly force64: boolean;
  /** Where the bytes go (appends, rewrites, free ranges, whole files copied in). */
  private readonly bytes: FileBytes;
  private closed = false;
  private readonly top: Dir;
  private readonly dirs = new Map<string, Dir>();
  private readonly trees: TreeWriter[] = [];
  /** Objects that finish when the file closes (RNTuple writers), before the StreamerInfo is written. */
  private readonly finishers: (() => void)[] = [];
  private readonly uuid = randomBuffer(16);
  private readonly fileName: string;
  private readonly datime = rootDatime();
  private readonly extraInfos: RawRecord[] = [];
  readonly compressAhead: boolean;
  /** Keys whose payload compresses on the codec thread (deferred-keys.ts): any other write first places them all. */
  private readonly deferred: DeferredKeys;
  /** Length of the top directory's record after its name (DIR_RECORD_BYTES, or more to fill a first file's record: appendFiles). */
  private topDirBytes = DIR_RECORD_BYTES;

  private constructor(readonly path: string, fd: number, opts: WriterOptions) {
    this.compression = opts.compression ?? defaultCompression;
    this.compressAhead = (opts.compressAhead ?? false) && this.compression.algorithm !== 'none' && codecThreadEnabled();
    this.force64 = opts.force64 ?? false;
    this.fileName = opts.name ?? basename(path);
    const keylen = keyLength('TFile', this.fileName, '', false);
    const nbytesName = keylen + tstringLength(this.fileName) + tstringLength('');
    this.top = {
      path: '', name: this.fileName, title: '', seekDir: BEGIN, seekParent: 0,
      recordPos: BEGIN + nbytesName, nbytesName, keys: [], children: [],
    };
    this.dirs.set('', this.top);
    this.bytes = new FileBytes(path, fd, BEGIN + nbytesName + DIR_RECORD_BYTES);
    this.deferred = new DeferredKeys(this.compression, (key, body) => this.placeKey(key, body), () => this.closed);
  }

  /**
   * Creates (truncates) the file. Throws RootError when it cannot be opened. A zstd or LZ4
   * writer needs `await prepareCompression(c)` first (its codec is loaded on demand).
   */
  static create(path: string, opts: WriterOptions = {}): RootFileWriter {
    if (opts.compression !== undefined && needsPreparing(opts.compression)) {
      throw new Error(`RootFileWriter.create(${path}): ${opts.compression.algorithm} needs \`await prepareCompression()\` first`);
    }
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (err) {
      throw new RootError(path, '', `cannot create: ${(err as Error).message}`, err);
    }
    return new RootFileWriter(path, fd, opts);
  }

  get compressionSetting(): number { return compressionSetting(this.compression); }

  /** Appends raw bytes at the end of the file; returns where they went. */
  append(bytes: Uint8Array): number {
    this.checkOpen();
    this.settle();
    return this.appendNow(bytes);
  }

  private appendNow(bytes: Uint8Array): number { return this.bytes.append(bytes); }

  private get end(): number { return this.bytes.end; }

  /** Where the next key goes (after the keys still compressing, written first). */
  get position(): number { this.settle(); return this.end; }

  /**
   * Appends a key whose payload `data` is compressed on the codec thread (here without
   * compressAhead): `key(body, seek)` builds its bytes once the compressed body is there and its
   * place in the file known. Keys go in the order of the calls.
   */
  appendCompressed(data: Uint8Array, key: KeyBuilder): void {
    this.checkOpen();
    // Small payloads compress here: a message round trip would cost more.
    if (!this.compressAhead || !worthAhead(data.length, MIN_AHEAD_BYTES)) { this.settle(); this.placeKey(key, compressPayload(data, this.compression)); return; }
    this.deferred.add(data, key);
  }

  private placeKey(key: KeyBuilder, body: Uint8Array): void {
    this.appendNow(key(body, this.end));
  }

  /** Before any other write: every deferred key is written first. */
  private settle(): void { this.deferred.settle(); }

  /** Waits for the codec thread's pending compressions, then writes their keys. */
  async drain(): Promise<void> { await this.deferred.drain(); }

  /**
   * Appends whole files at the end (a kernel copy in another process where possible, see
   * append-files.ts) and returns where each one begins at once: the writer may go on appending
   * after them meanwhile; `appended()` waits for the copy. Their bytes are the caller's to
   * account for: what it does not use must be declared with markFree, what it reuses patched
   * with overwrite, both below `copiedTo()` (or after `appended()`).
   *
   * With `overHead` (see `canStartWith`), nothing having been written yet, the first file goes at
   * byte 0 instead: its baskets keep their places (no key to patch). Its first `overHead` bytes
   * (its header and top directory record) are this file's header and top directory record,
   * written by close() over them (the record padded to the same length).
   */
  appendFiles(paths: readonly string[], sizes: readonly number[], overHead?: number): number[] {
    this.checkOpen();
    this.settle();
    if (this.bytes.copying) throw new Error(`${this.path}: an append is already under way`);
    let start = this.end;
    if (overHead !== undefined) {
      if (!this.canStartWith(overHead)) throw new Error(`${this.path}: cannot start with a file whose head is ${overHead} bytes`);
      start = 0;
      this.topDirBytes = overHead - this.top.recordPos;
    }
    return this.bytes.appendFiles(start, paths, sizes);
  }

  /**
   * Whether a file whose header and top directory record end at `headEnd` can be appended at 0
   * (appendFiles' `overHead`): nothing written yet, and this file's header and top directory
   * record fit in those bytes.
   */
  canStartWith(headEnd: number): boolean {
    const own = this.top.recordPos + DIR_RECORD_BYTES;
    return this.end === own && !this.bytes.copying && this.top.keys.length === 0 && this.dirs.size === 1 && this.trees.length === 0 && headEnd >= own;
  }

  /** The position up to which the files of appendFiles are in place (all of the file when no copy is under way). */
  copiedTo(): number { return this.bytes.copiedTo(); }

  /** Waits for the files of appendFiles to be in place; whether the kernel copy did it (false: none pending, or user space). */
  appended(): Promise<boolean> { return this.bytes.appended(); }

  /** Rewrites bytes already in the file (e.g. the seek fields of a key appended with appendFiles), below copiedTo(). */
  overwrite(pos: number, bytes: Uint8Array): void { this.checkOpen(); this.bytes.overwrite(pos, bytes); }

  /** overwrite() of many small fields: field i is bytes [i·stride, i·stride + len[i]) of `bytes`, written at pos[i]. */
  overwriteMany(bytes: Uint8Array, stride: number, pos: readonly number[], len: readonly number[]): void {
    this.checkOpen();
    this.bytes.overwriteMany(bytes, stride, pos, len);
  }

  /** Declares bytes [first, last] unused (a free segment, skipped by readers): FileBytes.markFree. */
  markFree(first: number, last: number): void { this.checkOpen(); this.bytes.markFree(first, last); }

  private checkOpen(): void {
    if (this.closed) throw new Error(`${this.path}: writer already closed`);
  }

  bigAt(pos: number): boolean { return this.force64 || pos > START_BIG_FILE; }

  /** Writes one key at the end of the file and lists it in its directory. */
  writeKey(spec: KeySpec): { seek: number; nbytes: number; keylen: number } {
    this.checkOpen();
    this.settle();
    const pos = this.end;
    const big = spec.big ?? this.bigAt(pos);
    const keylen = keyLength(spec.className, spec.name, spec.title, big);
    const raw = spec.payload(keylen);
    const body = spec.compress ? compressPayload(raw, this.compression) : raw;
    this.putKey(spec.dir, { ...spec, objlen: raw.length, body, big, cycle: spec.cycle }, keylen, spec.list !== false);
    return { seek: pos, nbytes: keylen + body.length, keylen };
  }

  /** Writes a key (header, then its stored body) at the end, listed in `dir` when `list`. */
  private putKey(dir: Dir, k: { className: string; name: string; title: string; objlen: number; body: Uint8Array; big: boolean; cycle?: number | undefined }, keylen: number, list: boolean): void {
    const pos = this.end;
    const cycle = k.cycle ?? 1 + Math.max(0, ...dir.keys.filter((x) => x.name === k.name).map((x) => x.cycle));
    const b = new WBuf(keylen + k.body.length);
    writeKeyHeader(b, {
      nbytes: keylen + k.body.length, objlen: k.objlen, datime: this.datime, keylen, cycle,
      seekKey: pos, seekPdir: dir.seekDir, big: k.big, className: k.className, name: k.name, title: k.title,
    });
    const header = b.bytes().slice();
    b.raw(k.body);
    this.append(b.bytes());
    if (list) dir.keys.push({ name: k.name, cycle, header });
  }

  /** The directory for a path ('' = top), created with its parents when missing. */
  mkdir(path: string): void { this.dir(path, true); }

  dir(path: string, create = true): Dir {
    const clean = path.split('/').filter((s) => s !== '').join('/');
    const found = this.dirs.get(clean);
    if (found) return found;
    if (!create) throw new RootError(this.path, clean, 'no such directory');
    const cut = clean.lastIndexOf('/');
    const parent = this.dir(cut < 0 ? '' : clean.slice(0, cut), true);
    const name = clean.slice(cut + 1);
    const d: Dir = { path: clean, name, title: name, seekDir: 0, seekParent: parent.seekDir, recordPos: 0, nbytesName: 0, keys: [], children: [] };
    const k = this.writeKey({
      className: 'TDirectory', name, title: name, dir: parent, compress: false,
      payload: () => new Uint8Array(DIR_RECORD_BYTES),
    });
    d.seekDir = k.seek;
    d.recordPos = k.seek + k.keylen;
    d.nbytesName = k.keylen;
    parent.children.push(d);
    this.dirs.set(clean, d);
    return d;
  }

  writeHist(h: Hist, dir = ''): void {
    const d = this.dir(dir, true);
    this.writeKey({
      className: h.kind, name: h.name, title: h.title, dir: d, compress: true,
      payload: (keylen) => { const b = new WBuf(1024 + h.contents.length * 16, keylen); writeHistBody(b, h); return b.bytes(); },
    });
  }

  /**
   * Adds TStreamerInfo records (of objects copied or written from other files' classes) to the
   * file's StreamerInfo; each (class, version) is written once.
   */
  addStreamerInfos(records: RawRecord[]): void { this.extraInfos.push(...records); }

  /**
   * Copies an object's key (its stored, possibly compressed bytes) from another file unchanged.
   * The key length must stay the source's (references inside the object count from the key
   * start): same key form, name, title and class name.
   */
  writeRawObject(dir: string, k: { className: string; name: string; title: string; objlen: number; body: Uint8Array; big?: boolean; cycle?: number }): void {
    const d = this.dir(dir, true);
    this.settle();
    const pos = this.end;
    // Same key form as the source: references inside the object count from the key start.
    const big = (k.big ?? false) || this.bigAt(pos);
    if (big && !(k.big ?? false)) throw new RootError(this.path, k.name, 'a copied object with a 32-bit key cannot be placed past 2 GB');
    this.putKey(d, { ...k, big }, keyLength(k.className, k.name, k.title, big), true);
  }

  /** Runs `finish` when the file closes, after the trees, before StreamerInfo and keys lists. */
  onClose(finish: () => void): void { this.finishers.push(finish); }

  createTree(spec: TreeSpec): TreeWriter {
    const t = new TreeWriter(this, spec, this.dir(spec.dir ?? '', true));
    this.trees.push(t);
    return t;
  }

  /** Finishes every tree, writes StreamerInfo, keys lists, free segments and the header. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.bytes.copying) await this.appended();
      // The trees' last baskets compress on the codec thread too, before the trees' keys.
      if (this.deferred.length > 0 || this.compressAhead) {
        for (const t of this.trees) t.flush();
        await this.drain();
      }
      for (const t of this.trees) t.finish();
      for (const f of this.finishers) f();
      writeTail({
        writeKey: (spec) => this.writeKey(spec), writeAt: (pos, bytes) => this.bytes.writeAt(pos, bytes), end: () => this.end,
        bigAt: (pos) => this.bigAt(pos), top: this.top, dirs: [...this.dirs.values()], free: this.bytes.free,
        extraInfos: this.extraInfos, fileName: this.fileName, force64: this.force64, datime: this.datime, uuid: this.uuid,
        topDirBytes: this.topDirBytes, compressionSetting: this.compressionSetting,
      });
    } finally {
      this.closed = true;
      this.bytes.close();
    }
  }
}
