// Copying one branch's stored baskets into the merged file (tree.ts): a key pointed at its new
// place, or a basket rebuilt from its entries (embedded in a TTree key, or a 32-bit key that would
// land past 2 GB), or recompressed with the writer's compression (same key, new body).
import type { BasketRef, BranchPlan } from '../read/branches.js';
import { readAt, readRawBasket, type FileHandle } from '../read/basket.js';
import type { JsBranch } from '../read/jsroot.js';
import { RootError } from '../errors.js';
import { START_BIG_FILE, type RootFileWriter } from '../write/file.js';
import { writeBasket } from '../write/basket.js';
import { compressPayload, type Compression } from '../write/compress.js';
import { decompress } from '../read/decompress.js';
import type { Source } from './keys.js';
import type { BasketRuns, MergedBaskets } from './basket-runs.js';

/** Points a copied key at its new place: fSeekKey and fSeekPdir (64-bit or 32-bit form). */
export function patchKey(dv: DataView, off: number, seek: number, seekPdir: number): void {
  if (dv.getInt16(off + 4) > 1000) { dv.setBigInt64(off + 18, BigInt(seek)); dv.setBigInt64(off + 26, BigInt(seekPdir)); } else { dv.setInt32(off + 18, seek); dv.setInt32(off + 22, seekPdir); }
}

export interface Placed { seek: number; nbytes: number; tot: number }

/**
 * Checks and re-points the keys of run r (read into `dv`) that lands at `runStart`, and records
 * each basket in its merged branch (`out[j]`, at `base[j]` + its index). Returns -1, or the
 * sorted position of the first basket whose key disagrees with its branch on its size (nothing
 * is recorded from it on). One synchronous loop over every basket of a large merge (17,600 in
 * bench/merge.js): kept apart from mergeTree's async body so that V8 compiles it on its own, with
 * the key fields read and written in place (no call per field through patchKey).
 */
export function placeRun(dv: DataView, runs: BasketRuns, r: number, runStart: number, seekPdir: number, out: readonly MergedBaskets[], base: readonly number[]): number {
  const { branch, index, bytes } = runs;
  for (let s = runs.start[r]!, s1 = runs.start[r + 1]!, off = 0; s < s1; s++) {
    const n = bytes[s]!;
    if (dv.getInt32(off) !== n) return s;
    const seek = runStart + off;
    if (dv.getInt16(off + 4) > 1000) { dv.setBigInt64(off + 18, BigInt(seek)); dv.setBigInt64(off + 26, BigInt(seekPdir)); } else { dv.setInt32(off + 18, seek); dv.setInt32(off + 22, seekPdir); }
    const j = branch[s]!;
    out[j]!.put(base[j]! + index[s]!, seek, n, dv.getInt16(off + 14) + dv.getInt32(off + 6));
    off += n;
  }
  return -1;
}

/**
 * Sets the merged entry numbers of one input branch's baskets (entry `offset` is its input's
 * first); returns whether every one of them has a place (else the caller writes the others out).
 */
export function fillEntries(acc: MergedBaskets, start: readonly number[], n: number, k0: number, offset: number): boolean {
  let all = true;
  const entry = acc.entry, seek = acc.seek;
  for (let i = 0; i < n; i++) {
    entry[k0 + i] = offset + start[i]!;
    if (seek[k0 + i] === 0) all = false;
  }
  return all;
}

/** Whether every basket key of a run (read into buf) is in the 64-bit form, so that the run can land past 2 GB. */
export function allBigKeys(buf: Buffer, runs: BasketRuns, r: number): boolean {
  const len = runs.seek[runs.start[r + 1]! - 1]! + runs.bytes[runs.start[r + 1]! - 1]! - runs.seek[runs.start[r]!]!;
  for (let s = runs.start[r]!, off = 0; s < runs.start[r + 1]!; s++) {
    if (off + 6 > len || buf.readInt16BE(off + 4) <= 1000) return false;
    off += runs.bytes[s]!;
  }
  return true;
}

export class BasketCopier {
  constructor(private readonly w: RootFileWriter, private readonly dirSeek: number, private readonly treeName: string) {}

  /** A basket rebuilt from its entries (embedded ones, or a 32-bit key that would land past 2 GB). */
  async rewrite(h: FileHandle, b: JsBranch, ref: BasketRef, where: string): Promise<Placed> {
    const plan = { hasOffsets: b.fEntryOffsetLen > 0 } as BranchPlan;
    let raw;
    try { raw = await readRawBasket(h, plan, ref); } catch (e) { throw new RootError(h.path, where, `basket ${ref.index}: ${(e as Error).message}`); }
    let nevBufSize = b.fEntryOffsetLen > 0 ? b.fEntryOffsetLen : 0, bufferSize = 32000;
    if (ref.embedded !== null) { nevBufSize = ref.embedded.nevBufSize; bufferSize = ref.embedded.bufferSize || bufferSize; } else {
      const k = await readHeaderFields(h, ref);
      if (k) { nevBufSize = k.nevBufSize; bufferSize = k.bufferSize; }
    }
    const r = writeBasket(this.w, {
      branch: b.fName, tree: this.treeName, dirSeek: this.dirSeek, values: raw.data, offsets: raw.offsets, n: raw.n,
      nevBufSize, bufferSize,
    });
    return { seek: r.seek, nbytes: r.nbytes, tot: r.keylen + r.objlen };
  }

  /** A stored basket recompressed with the writer's compression: same key (length, offsets), new body. */
  async recompress(src: Source, ref: BasketRef, where: string, alg: Compression): Promise<Placed> {
    const raw = src.read(ref.seek, ref.bytes, where);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const objlen = dv.getInt32(6), keylen = dv.getInt16(14);
    const body = raw.subarray(keylen);
    let u: Uint8Array;
    try { u = body.length === objlen ? body : await decompress(body, objlen); } catch (e) { throw new RootError(src.path, where, `basket ${ref.index}: ${(e as Error).message}`); }
    const z = compressPayload(u, alg);
    const out = new Uint8Array(keylen + z.length);
    out.set(raw.subarray(0, keylen));
    out.set(z, keylen);
    const odv = new DataView(out.buffer);
    odv.setInt32(0, out.length);
    const seek = this.w.position;
    if (odv.getInt16(4) <= 1000 && seek + out.length >= START_BIG_FILE) throw new RootError(src.path, where, 'a 32-bit basket key cannot be placed past 2 GB when recompressing');
    patchKey(odv, 0, seek, this.dirSeek);
    this.w.append(out);
    return { seek, nbytes: out.length, tot: keylen + objlen };
  }
}

async function readHeaderFields(h: FileHandle, ref: BasketRef): Promise<{ nevBufSize: number; bufferSize: number } | null> {
  if (ref.bytes < 40) return null;
  const head = await readAt(h, ref.seek, Math.min(ref.bytes, 512));
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const keylen = dv.getInt16(14);
  if (keylen < 19 || keylen > head.length) return null;
  const p = keylen - 19; // TBasket: version(2) fBufferSize(4) fNevBufSize(4) fNevBuf(4) fLast(4) flag(1)
  return { bufferSize: dv.getInt32(p + 2), nevBufSize: Math.abs(dv.getInt32(p + 6)) };
}
