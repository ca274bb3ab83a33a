// The bytes of a file being written, by position: appends at the end, rewrites of bytes already
// there, ranges declared unused (ROOT's free segments) and whole files copied in (append-files.ts)
// while writing goes on. What a byte means (keys, directories, trees) is RootFileWriter's; here is
// only where bytes go and the rule that nothing is patched before the copy under it has landed.
import { closeSync, writeSync } from 'node:fs';
import { RootError } from '../errors.js';
import { WBuf } from './wbuf.js';
import { startAppend, AppendError, type AppendJob } from './append-files.js';

export class FileBytes {
  /** Unused byte ranges inside the file (first, last inclusive, as ROOT's TFree), listed in the free-segments record. */
  readonly free: [number, number][] = [];
  /** A copy of whole files under way (appendFiles). */
  private pending: Promise<boolean> | null = null;
  private job: AppendJob | null = null;

  constructor(readonly path: string, private readonly fd: number, public end: number) {}

  /** Appends bytes at the end; returns where they went. */
  append(bytes: Uint8Array): number {
    const pos = this.end;
    this.writeAt(pos, bytes);
    this.end += bytes.length;
    return pos;
  }

  writeAt(pos: number, bytes: Uint8Array): void {
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, pos + off);
    } catch (err) {
      throw new RootError(this.path, '', `write failed at byte ${pos}: ${(err as Error).message}`, err);
    }
  }

  /** Whether a copy of whole files is under way (started, not yet awaited). */
  get copying(): boolean { return this.pending !== null; }

  /** Starts the copy of whole files at `start` (see RootFileWriter.appendFiles); returns where each begins. */
  appendFiles(start: number, paths: readonly string[], sizes: readonly number[]): number[] {
    if (this.pending !== null) throw new Error(`${this.path}: an append is already under way`);
    const at: number[] = [];
    let pos = start;
    for (const n of sizes) { at.push(pos); pos += n; }
    const job = startAppend(this.path, start, paths, sizes);
    this.job = job;
    this.pending = job.done.catch((e: unknown) => {
      if (e instanceof AppendError) throw new RootError(e.file, '', e.message);
      throw e;
    });
    this.pending.catch(() => undefined); // awaited by appended() or the writer's close()
    this.end = Math.max(this.end, pos);
    return at;
  }

  /** The position up to which the files of appendFiles are in place (all of the file when no copy is under way). */
  copiedTo(): number { return this.pending === null || this.job === null ? this.end : this.job.copiedTo(); }

  /** Waits for the files of appendFiles to be in place; whether the kernel copy did it (false: none pending, or user space). */
  async appended(): Promise<boolean> {
    const p = this.pending;
    if (p === null) return false;
    try { return await p; } finally { this.pending = null; this.job = null; }
  }

  /** Rewrites bytes already in the file, below copiedTo(). */
  overwrite(pos: number, bytes: Uint8Array): void {
    if (pos + bytes.length > this.copiedTo()) throw new Error(`${this.path}: overwrite at ${pos} before the copy reached it`);
    if (pos < 0 || pos + bytes.length > this.end) throw new Error(`${this.path}: overwrite of ${bytes.length} bytes at ${pos} outside the ${this.end} written`);
    this.writeAt(pos, bytes);
  }

  /** overwrite() of many small fields: field i is bytes [i·stride, i·stride + len[i]) of `bytes`, written at pos[i]. */
  overwriteMany(bytes: Uint8Array, stride: number, pos: readonly number[], len: readonly number[]): void {
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
    const n = last - first + 1;
    if (n <= 0) return;
    if (last >= this.copiedTo()) throw new Error(`${this.path}: markFree of ${first}-${last} before the copy reached it`);
    if (first < 0 || last >= this.end) throw new Error(`${this.path}: free segment ${first}-${last} outside the ${this.end} written`);
    this.free.push([first, last]);
    if (n >= 4) { const b = new WBuf(4); b.i32(-Math.min(n, 2000000000)); this.writeAt(first, b.bytes()); }
  }

  close(): void { closeSync(this.fd); }
}
