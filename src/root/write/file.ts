// RootFileWriter: a TFile written front to back. Objects are appended as keys as they come
// (tree baskets stream out while filling); close() writes the StreamerInfo, the keys list of
// every directory, the free-segments record and finally the header and the top directory
// record. Until close() the file is not a valid ROOT file. Positions past 2 GB switch keys,
// directory records and the header to ROOT's 64-bit ("big file") layout.
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { randomBuffer } from '../../util/lazy-node.js';
import type { Hist } from '../hist.js';
import { RootError } from '../errors.js';
import { WBuf, rootDatime } from './wbuf.js';
import { keyLength, tstringLength, writeKeyHeader } from './keys.js';
import { BEGIN, DIR_RECORD_BYTES, START_BIG_FILE, dirRecordBytes, fileHeaderBytes, freeListBytes, freeListLength, topKeyBytes, type Dir } from './file-records.js';
import { DeferredKeys, type KeyBuilder } from './deferred-keys.js';
export { keyLength, tstringLength, writeKeyHeader, type KeyHeader } from './keys.js';
import { type Compression, compressPayload, compressionSetting, defaultCompression, needsPreparing } from './compress.js';
import { streamerInfoPayload } from './streamers.js';
import type { RawRecord } from './streamer-records.js';
import { writeHistBody } from './hist.js';
import { TreeWriter, type TreeSpec } from './tree.js';
import { startAppend, AppendError, type AppendJob } from './append-files.js';
import { codecThreadEnabled, worthAhead } from '../codec-ahead.js';
export { START_BIG_FILE } from './file-records.js';

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

export interface KeySpec {
  className: string;
  name: string;
  title: string;
  dir: Dir;
  /** Built once the key length is known, because object references count from the key start. */
  payload: (keylen: number) => Uint8Array;
  compress: boolean;
  big?: boolean;
  cycle?: number;
  list?: boolean;
}

export class RootFileWriter {
  readonly compression: Compression;
  readonly force64: boolean;
  private end: number;
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
  /** Unused byte ranges inside the file (first, last inclusive, as ROOT's TFree), listed in the free-segments record. */
  private readonly free: [number, number][] = [];
  readonly compressAhead: boolean;
  /** Keys whose payload compresses on the codec thread (deferred-keys.ts): any other write first places them all. */
  private readonly deferred: DeferredKeys;
  /** A copy of whole files under way (appendFiles). */
  private pending: Promise<boolean> | null = null;
  private job: AppendJob | null = null;
  /** Length of the top directory's record after its name (DIR_RECORD_BYTES, or more to fill a first file's record: appendFiles). */
  private topDirBytes = DIR_RECORD_BYTES;

  private constructor(readonly path: string, private readonly fd: number, opts: WriterOptions) {
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
    this.end = BEGIN + nbytesName + DIR_RECORD_BYTES;
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

  private appendNow(bytes: Uint8Array): number {
    const pos = this.end;
    this.writeAt(pos, bytes);
    this.end += bytes.length;
    return pos;
  }

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
    if (this.pending !== null) throw new Error(`${this.path}: an append is already under way`);
    let start = this.end;
    if (overHead !== undefined) {
      if (!this.canStartWith(overHead)) throw new Error(`${this.path}: cannot start with a file whose head is ${overHead} bytes`);
      start = 0;
      this.topDirBytes = overHead - this.top.recordPos;
    }
    const at: number[] = [];
    let pos = start;
    for (const n of sizes) { at.push(pos); pos += n; }
    const job = startAppend(this.path, start, paths, sizes);
    this.job = job;
    this.pending = job.done.catch((e: unknown) => {
      if (e instanceof AppendError) throw new RootError(e.file, '', e.message);
      throw e;
    });
    this.pending.catch(() => undefined); // awaited by appended() or close()
    this.end = Math.max(this.end, pos);
    return at;
  }

  /**
   * Whether a file whose header and top directory record end at `headEnd` can be appended at 0
   * (appendFiles' `overHead`): nothing written yet, and this file's header and top directory
   * record fit in those bytes.
   */
  canStartWith(headEnd: number): boolean {
    const own = this.top.recordPos + DIR_RECORD_BYTES;
    return this.end === own && this.pending === null && this.top.keys.length === 0 && this.dirs.size === 1 && this.trees.length === 0 && headEnd >= own;
  }

  /** The position up to which the files of appendFiles are in place (all of the file when no copy is under way). */
  copiedTo(): number { return this.pending === null || this.job === null ? this.end : this.job.copiedTo(); }

  /** Waits for the files of appendFiles to be in place; whether the kernel copy did it (false: none pending, or user space). */
  async appended(): Promise<boolean> {
    const p = this.pending;
    if (p === null) return false;
    try { return await p; } finally { this.pending = null; this.job = null; }
  }

  /** Rewrites bytes already in the file (e.g. the seek fields of a key appended with appendFiles). */
  overwrite(pos: number, bytes: Uint8Array): void {
    this.checkOpen();
    if (pos + bytes.length > this.copiedTo()) throw new Error(`${this.path}: overwrite at ${pos} before the copy reached it`);
    if (pos < 0 || pos + bytes.length > this.end) throw new Error(`${this.path}: overwrite of ${bytes.length} bytes at ${pos} outside the ${this.end} written`);
    this.writeAt(pos, bytes);
  }

  /** overwrite() of many small fields: field i is bytes [i·stride, i·stride + len[i]) of `bytes`, written at pos[i]. */
  overwriteMany(bytes: Uint8Array, stride: number, pos: readonly number[], len: readonly number[]): void {
    this.checkOpen();
    const fd = this.fd, end = this.end, copied = this.copiedTo();
    for (let i = 0; i < pos.length; i++) {
      const p = pos[i]!, n = len[i]!;
      if (p + n > copied) throw new Error(`${this.path}: overwrite at ${p} before the copy reached it`);
      if (p < 0 || p + n > end) throw new Error(`${this.path}: overwrite of ${n} bytes at ${p} outside the ${end} written`);
      let off = 0;
      try { while (off < n) off += writeSync(fd, bytes, i * stride + off, n - off, p + off); } catch (err) {
        throw new RootError(this.path, '', `write failed at byte ${p + off}: ${(err as Error).message}`, err);
      }
    }
  }

  /**
   * Declares bytes [first, last] unused: listed as a free segment, and (as ROOT's TFile::MakeFree)
   * marked with their negated length in their first 4 bytes, so that a reader walking the records
   * one after the other skips them.
   */
  markFree(first: number, last: number): void {
    this.checkOpen();
    const n = last - first + 1;
    if (n <= 0) return;
    if (last >= this.copiedTo()) throw new Error(`${this.path}: markFree of ${first}-${last} before the copy reached it`);
    if (first < 0 || last >= this.end) throw new Error(`${this.path}: free segment ${first}-${last} outside the ${this.end} written`);
    this.free.push([first, last]);
    if (n >= 4) { const b = new WBuf(4); b.i32(-Math.min(n, 2000000000)); this.writeAt(first, b.bytes()); }
  }

  private writeAt(pos: number, bytes: Uint8Array): void {
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, pos + off);
    } catch (err) {
      throw new RootError(this.path, '', `write failed at byte ${pos}: ${(err as Error).message}`, err);
    }
  }

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
    const cycle = spec.cycle ?? 1 + Math.max(0, ...spec.dir.keys.filter((k) => k.name === spec.name).map((k) => k.cycle));
    const b = new WBuf(keylen + body.length);
    writeKeyHeader(b, {
      nbytes: keylen + body.length, objlen: raw.length, datime: this.datime, keylen, cycle,
      seekKey: pos, seekPdir: spec.dir.seekDir, big, className: spec.className, name: spec.name, title: spec.title,
    });
    const header = b.bytes().slice();
    b.raw(body);
    this.append(b.bytes());
    if (spec.list !== false) spec.dir.keys.push({ name: spec.name, cycle, header });
    return { seek: pos, nbytes: keylen + body.length, keylen };
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
    const keylen = keyLength(k.className, k.name, k.title, big);
    const cycle = k.cycle ?? 1 + Math.max(0, ...d.keys.filter((x) => x.name === k.name).map((x) => x.cycle));
    const b = new WBuf(keylen + k.body.length);
    writeKeyHeader(b, {
      nbytes: keylen + k.body.length, objlen: k.objlen, datime: this.datime, keylen, cycle,
      seekKey: pos, seekPdir: d.seekDir, big, className: k.className, name: k.name, title: k.title,
    });
    const header = b.bytes().slice();
    b.raw(k.body);
    this.append(b.bytes());
    d.keys.push({ name: k.name, cycle, header });
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
      if (this.pending !== null) await this.appended();
      // The trees' last baskets compress on the codec thread too, before the trees' keys.
      if (this.deferred.length > 0 || this.compressAhead) {
        for (const t of this.trees) t.flush();
        await this.drain();
      }
      for (const t of this.trees) t.finish();
      for (const f of this.finishers) f();
      const si = this.writeKey({
        className: 'TList', name: 'StreamerInfo', title: 'Doubly linked list', dir: this.top,
        compress: true, list: false, cycle: 1, payload: (keylen) => streamerInfoPayload(keylen, this.extraInfos),
      });
      const allDirs = [...this.dirs.values()].reverse();
      const keysLists = new Map<Dir, { seek: number; nbytes: number }>();
      for (const d of allDirs) {
        keysLists.set(d, this.writeKey({
          className: d === this.top ? 'TFile' : 'TDirectory', name: d.name, title: d.title, dir: d,
          compress: false, list: false, cycle: 1,
          payload: () => {
            const b = new WBuf(4 + d.keys.reduce((n, k) => n + k.header.length, 0));
            b.i32(d.keys.length);
            for (const k of d.keys) b.raw(k.header);
            return b.bytes();
          },
        }));
      }
      // Free segments: the unused ranges declared with markFree, then one TFree from the end of the file to "infinity".
      const bigFree = this.bigAt(this.end + 200 + 18 * this.free.length);
      const freeKey = this.writeKey({
        className: 'TFile', name: this.fileName, title: '', dir: this.top, compress: false, list: false, cycle: 1,
        payload: () => new Uint8Array(freeListLength(this.free, this.force64, bigFree)),
      });
      const fileEnd = this.end;
      this.writeAt(freeKey.seek + freeKey.keylen, freeListBytes(this.free, this.force64, fileEnd, bigFree));
      const stamp = { datime: this.datime, uuid: this.uuid };
      for (const d of this.dirs.values()) {
        const kl = keysLists.get(d)!;
        const len = d === this.top ? this.topDirBytes : DIR_RECORD_BYTES;
        this.writeAt(d.recordPos, dirRecordBytes(d, stamp, kl.seek, kl.nbytes, this.bigAt(Math.max(kl.seek, d.seekDir)), len));
      }
      this.writeAt(BEGIN, topKeyBytes(this.top, this.fileName, this.topDirBytes, this.datime));
      this.writeAt(0, fileHeaderBytes({
        fileEnd, seekFree: freeKey.seek, nbytesFree: freeKey.nbytes, seekInfo: si.seek, nbytesInfo: si.nbytes,
        nbytesName: this.top.nbytesName, compressionSetting: this.compressionSetting, big: this.bigAt(fileEnd),
      }, this.uuid));
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }
}
