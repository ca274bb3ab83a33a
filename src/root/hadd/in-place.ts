// Inputs appended whole to the output. Copying baskets through user space (read + write of every
// byte) costs more than twice a kernel copy; so an input made mostly of tree baskets is appended
// to the output file as a whole (RootFileWriter.appendFiles: copy_file_range through `cat`), and
// the merged trees point at its baskets where they now lie: only each basket key's fSeekKey and
// fSeekPdir are rewritten. What no merged tree uses (the input's header, keys lists, StreamerInfo,
// TTree metadata, histograms: rewritten or added anew) is declared free, as ROOT's TFile does
// for deleted records. The output stays an ordinary ROOT file; it is larger than a copy-only
// merge by those unused bytes, which is why only inputs where they are a small part qualify.
import { START_BIG_FILE, type RootFileWriter } from '../write/file.js';
import { RootError } from '../errors.js';
import { readSync } from 'node:fs';
import type { RawKey, Source } from './keys.js';
import type { BasketRef } from '../read/branches.js';

/** Below this size an input is copied basket by basket (the kernel copy's process start costs ~2 ms). */
export const APPEND_MIN_BYTES = 4 * 1024 * 1024;
/** At most this part of an appended input may be bytes the merge does not reuse (keys' records). */
const MAX_UNUSED = 0.1;
/** A basket key's fixed fields up to fSeekPdir in the 64-bit form. */
const KEY_HEAD = 34;

/**
 * An input appended whole at `base`. Its baskets are taken while the copy may still be under
 * way: the new seek fields of their keys are queued and written by `patch`, once the copy has
 * passed the input. At base 0 (the output starts with it) its baskets' keys already point at
 * themselves and nothing is queued for them; its first `reserved` bytes are the output's header
 * and top directory record.
 */
export class AppendedInput {
  /** [start, end) ranges of the input that merged trees reference. */
  private readonly used: number[] = [];
  /** Per taken basket whose key must change: its new position, its directory's seek, whether its key is 64-bit (1) or not (0). */
  private readonly patches: number[] = [];
  private readonly head = new Uint8Array(KEY_HEAD);
  private readonly headView = new DataView(this.head.buffer);
  /** Whether `patch` has written the queued fields. */
  patched = false;
  constructor(readonly base: number, readonly size: number, readonly reserved = 0) {}

  /** Where the input ends in the output. */
  get end(): number { return this.base + this.size; }

  /**
   * Takes over one stored basket: checks its key against the branch's record and returns its
   * place, length and uncompressed size (key + object) as the merged branch records them.
   * Called once per basket (tens of thousands in a large merge, mostly before the JIT has
   * compiled it): one read, no allocation but the result.
   */
  take(src: Source, ref: BasketRef, seekPdir: number, where: string): { seek: number; nbytes: number; tot: number } {
    if (ref.bytes < 26 || ref.seek + ref.bytes > src.size) throw new RootError(src.path, where, `basket ${ref.index}: ${ref.bytes} bytes at ${ref.seek} do not hold a key inside the file (${src.size} bytes)`);
    const want = Math.min(KEY_HEAD, ref.bytes);
    if (readSync(src.fd, this.head, 0, want, ref.seek) !== want) throw new RootError(src.path, where, `basket ${ref.index}: short read at ${ref.seek}`);
    const dv = this.headView;
    const nbytes = dv.getInt32(0), version = dv.getInt16(4), objlen = dv.getInt32(6), keylen = dv.getInt16(14);
    if (nbytes !== ref.bytes) throw new RootError(src.path, where, `basket ${ref.index} at ${ref.seek}: key says ${nbytes} bytes, branch says ${ref.bytes}`);
    const big = version > 1000;
    const seek = this.base + ref.seek;
    // A key that already says where it is and in which directory (the input at byte 0 of the output) stays as it is.
    const same = big ? want >= 34 && Number(dv.getBigInt64(18)) === seek && Number(dv.getBigInt64(26)) === seekPdir
      : dv.getInt32(18) === seek && dv.getInt32(22) === seekPdir;
    if (!same) this.patches.push(seek, seekPdir, big ? 1 : 0);
    this.used.push(ref.seek, ref.seek + ref.bytes);
    return { seek, nbytes, tot: keylen + objlen };
  }

  /**
   * Once the copy has passed this input (RootFileWriter.copiedTo): points every taken basket's
   * key at its new place (fSeekKey, fSeekPdir). Again after a copy that fell back to user space
   * (it wrote the input anew).
   */
  patch(w: RootFileWriter): void {
    const ps = this.patches;
    this.patched = true;
    if (ps.length === 0) return;
    // All seek fields in one buffer, written field by field (8 bytes for a 32-bit key, 16 for a 64-bit one).
    const buf = new Uint8Array((ps.length / 3) * 16), dv = new DataView(buf.buffer);
    const pos: number[] = [], len: number[] = [];
    for (let i = 0, o = 0; i < ps.length; i += 3) {
      const seek = ps[i]!, pdir = ps[i + 1]!;
      if (ps[i + 2] === 1) { dv.setBigInt64(o, BigInt(seek)); dv.setBigInt64(o + 8, BigInt(pdir)); len.push(16); } else { dv.setInt32(o, seek); dv.setInt32(o + 4, pdir); len.push(8); }
      pos.push(seek + 18);
      o += 16;
    }
    w.overwriteMany(buf, 16, pos, len);
  }

  /** After the copy (RootFileWriter.appended): declares every range no merged tree took (nor the output's head) as free. */
  freeUnused(w: RootFileWriter): void {
    // Ranges sorted by start: the starts in a typed array (a numeric sort, no comparator), each one's end by an index.
    const n = this.used.length / 2 + (this.reserved > 0 ? 1 : 0);
    const order = new Float64Array(n), ends = new Map<number, number>();
    let k = 0;
    if (this.reserved > 0) { order[k++] = 0; ends.set(0, this.reserved); }
    for (let i = 0; i < this.used.length; i += 2) {
      const s = this.used[i]!, e = this.used[i + 1]!;
      order[k++] = s;
      ends.set(s, Math.max(e, ends.get(s) ?? e));
    }
    order.sort();
    let at = 0;
    for (const s of order) {
      if (s > at) w.markFree(this.base + at, this.base + s - 1);
      at = Math.max(at, ends.get(s)!);
    }
    if (at < this.size) w.markFree(this.base + at, this.base + this.size - 1);
  }
}

/**
 * Where a file's header and top directory record end (its TFile key at fBEGIN = 100, as ROOT and
 * heppy write it), or null: the bytes an output starting with this file replaces with its own.
 */
export function headEnd(src: Source): number | null {
  if (src.size < 104) return null;
  const h = src.read(0, 104, 'header');
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (dv.getUint32(0) !== 0x726f6f74 || dv.getInt32(8) !== 100) return null; // "root", fBEGIN
  const n = dv.getInt32(100);
  return n > 0 && 100 + n <= src.size ? 100 + n : null;
}

/** 'auto': inputs worth it (see worthAppending); 'always': every input that can be (tests); 'never': none. */
export type AppendPolicy = 'auto' | 'always' | 'never';

/**
 * Whether an input is appended whole: it holds a tree (and no RNTuple, whose pages are copied
 * anew) and ends below 2 GB in the output (its 32-bit keys must stay there); with 'auto', it is
 * also large enough and made of tree baskets (the bytes of its listed keys, which the merge
 * rewrites, are at most a tenth of it).
 */
export function worthAppending(keys: readonly RawKey[], size: number, outAt: number, policy: AppendPolicy): boolean {
  if (policy === 'never' || outAt + size >= START_BIG_FILE) return false;
  let listed = 0, trees = 0;
  for (const k of keys) {
    if (k.className === 'ROOT::RNTuple') return false;
    if (/^(TTree|TNtuple|TNtupleD)$/.test(k.className)) trees++;
    listed += k.nbytes;
  }
  if (trees === 0) return false;
  return policy === 'always' || (size >= APPEND_MIN_BYTES && listed <= MAX_UNUSED * size);
}
