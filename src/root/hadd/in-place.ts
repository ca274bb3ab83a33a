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
import type { RawKey, Source } from './keys.js';
import type { BasketRef } from '../read/branches.js';

/** Below this size an input is copied basket by basket (the kernel copy's process start costs ~2 ms). */
export const APPEND_MIN_BYTES = 4 * 1024 * 1024;
/** At most this part of an appended input may be bytes the merge does not reuse (keys' records). */
const MAX_UNUSED = 0.1;

/** An input appended whole at `base`; `used` collects the [start, end) ranges of it that merged trees reference. */
export class AppendedInput {
  private readonly used: number[] = [];
  private readonly head = new Uint8Array(26);
  private readonly patch = new Uint8Array(16);
  constructor(readonly base: number, readonly size: number) {}

  /**
   * Takes over one stored basket: checks its key against the branch's record, points the key's
   * seek fields at its new place (directory `seekPdir`), and returns its place, length and
   * uncompressed size (key + object) as the merged branch records them.
   */
  take(w: RootFileWriter, src: Source, ref: BasketRef, seekPdir: number, where: string): { seek: number; nbytes: number; tot: number } {
    const h = this.head;
    src.readInto(h, ref.seek, Math.min(h.length, ref.bytes), where);
    const dv = new DataView(h.buffer);
    const nbytes = dv.getInt32(0), version = dv.getInt16(4), objlen = dv.getInt32(6), keylen = dv.getInt16(14);
    if (nbytes !== ref.bytes || ref.bytes < 26) throw new RootError(src.path, where, `basket ${ref.index} at ${ref.seek}: key says ${nbytes} bytes, branch says ${ref.bytes}`);
    const seek = this.base + ref.seek;
    const p = new DataView(this.patch.buffer);
    if (version > 1000) {
      p.setBigInt64(0, BigInt(seek)); p.setBigInt64(8, BigInt(seekPdir));
      w.overwrite(seek + 18, this.patch);
    } else {
      p.setInt32(0, seek); p.setInt32(4, seekPdir);
      w.overwrite(seek + 18, this.patch.subarray(0, 8));
    }
    this.used.push(ref.seek, ref.seek + ref.bytes);
    return { seek, nbytes, tot: keylen + objlen };
  }

  /** Declares every byte range of this input that no merged tree took as free in the output. */
  freeUnused(w: RootFileWriter): void {
    const pairs: [number, number][] = [];
    for (let i = 0; i < this.used.length; i += 2) pairs.push([this.used[i]!, this.used[i + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [s, e] of pairs) {
      if (s > at) w.markFree(this.base + at, this.base + s - 1);
      at = Math.max(at, e);
    }
    if (at < this.size) w.markFree(this.base + at, this.base + this.size - 1);
  }
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
