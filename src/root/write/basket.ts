// One TBasket key: header (always the 64-bit key form, as ROOT 6 writes baskets), the values
// and, for variable-length branches, the entry-offset table after fLast (count n+1, offsets
// counted from the key start, as ROOT and uproot write them).
import { WBuf } from './wbuf.js';
import { compressPayload } from './compress.js';
import { keyLength, writeKeyHeader } from './keys.js';
import type { RootFileWriter } from './file.js';

export interface BasketInput {
  branch: string;
  tree: string;
  dirSeek: number;
  /** Big-endian values of the basket's entries. */
  values: Uint8Array;
  /** Byte offset of each entry in values (n + 1 numbers, from 0) for jagged branches, else null. */
  offsets: ArrayLike<number> | null;
  n: number;
  nevBufSize: number;
  bufferSize: number;
}

export interface BasketWritten { seek: number; nbytes: number; objlen: number; keylen: number }

export function writeBasket(f: RootFileWriter, b: BasketInput): BasketWritten {
  const { keylen, data } = basketPayload(b);
  const body = compressPayload(data, f.compression);
  const seek = f.position;
  f.append(basketKey(b, keylen, data.length, body, seek));
  return { seek, nbytes: keylen + body.length, objlen: data.length, keylen };
}

/**
 * Like writeBasket, with the payload compressed on the decoding thread: `done` gets where the
 * basket went once it is written (in the order of the calls, see RootFileWriter.appendCompressed).
 */
export function writeBasketLater(f: RootFileWriter, b: BasketInput, done: (r: BasketWritten) => void): void {
  // The payload is taken now (values copied: the caller reuses its buffer); the key needs only sizes later.
  const { keylen, data } = basketPayload(b, true);
  f.appendCompressed(data, (body, seek) => {
    done({ seek, nbytes: keylen + body.length, objlen: data.length, keylen });
    return basketKey(b, keylen, data.length, body, seek);
  });
}

/** The basket's key length and its uncompressed payload (values, then the entry offsets of jagged branches). */
function basketPayload(b: BasketInput, own = false): { keylen: number; data: Uint8Array } {
  const keylen = keyLength('TBasket', b.branch, b.tree, true) + 19;
  let data = own && b.offsets === null ? b.values.slice() : b.values;
  if (b.offsets !== null) { // a new buffer either way
    const d = new Uint8Array(b.values.length + 4 + 4 * (b.n + 1));
    d.set(b.values);
    const dv = new DataView(d.buffer);
    let p = b.values.length;
    dv.setInt32(p, b.n + 1); p += 4;
    for (let i = 0; i < b.n; i++) { dv.setInt32(p, keylen + b.offsets[i]!); p += 4; }
    dv.setInt32(p, 0);
    data = d;
  }
  return { keylen, data };
}

/** The basket's key: header, then the (compressed) payload. */
function basketKey(b: BasketInput, keylen: number, objlen: number, body: Uint8Array, seek: number): Uint8Array {
  const w = new WBuf(keylen + body.length);
  writeKeyHeader(w, {
    nbytes: keylen + body.length, objlen, datime: 0, keylen, cycle: 1,
    seekKey: seek, seekPdir: b.dirSeek, big: true, className: 'TBasket', name: b.branch, title: b.tree,
  });
  w.u16(3); // TBasket version
  w.i32(b.bufferSize);
  w.i32(b.nevBufSize);
  w.i32(b.n);
  w.i32(keylen + b.values.length); // fLast
  w.u8(0); // header only: the offsets, when present, follow the data
  if (w.pos !== keylen) throw new Error(`basket key length ${w.pos} != ${keylen}`);
  w.raw(body);
  return w.bytes();
}
