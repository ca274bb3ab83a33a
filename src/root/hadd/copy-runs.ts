// Copies runs of an input's baskets to a range of the output reserved beforehand
// (RootFileWriter.reserve), on libuv's thread pool: several runs are in flight at once, each read
// into its own buffer, patched here (its keys pointed at their new places), then written at its
// place. On two cores the kernel's copies (page cache → buffer → page cache) of one run's read and
// another's write overlap each other and this thread's patching; the synchronous loop did them one
// after the other on this thread. The bytes written are the same.
import { read, write } from 'node:fs';
import { RootError } from '../errors.js';

/** A contiguous run of baskets: `len` bytes at `seek` in the input, going to `to` in the output. */
export interface RunCopy { seek: number; len: number; to: number }

/** Runs in flight at once (each with its buffer of up to a run's size, 1 MiB). */
export const LANES = 3;

const readAt = (fd: number, b: Buffer, off: number, len: number, pos: number): Promise<number> =>
  new Promise((res, rej) => read(fd, b, off, len, pos, (e, n) => (e ? rej(e) : res(n))));
const writeAt = (fd: number, b: Buffer, off: number, len: number, pos: number): Promise<number> =>
  new Promise((res, rej) => write(fd, b, off, len, pos, (e, n) => (e ? rej(e) : res(n))));

/**
 * Copies every run: read from `src` (path for errors), `patch(buf, i)` (run i's bytes, may throw a
 * RootError: then no further run starts), written to `out`. Resolves when every run is written;
 * on a failure, rejects with the first error once no operation is in flight any more (the caller
 * closes the descriptors afterwards).
 */
export async function copyRuns(src: { fd: number; path: string }, out: { fd: number; path: string }, runs: readonly RunCopy[],
  patch: (buf: Buffer, i: number) => void, bufSize: number): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const lane = async (): Promise<void> => {
    let buf = Buffer.allocUnsafe(bufSize);
    while (failed === null && next < runs.length) {
      const i = next++;
      const r = runs[i]!;
      if (buf.length < r.len) buf = Buffer.allocUnsafe(r.len);
      try {
        for (let got = 0; got < r.len;) {
          const n = await readAt(src.fd, buf, got, r.len - got, r.seek + got);
          if (n <= 0) throw new RootError(src.path, '', `short read at ${r.seek + got} (truncated?)`);
          got += n;
        }
      } catch (e) { failed ??= e instanceof RootError ? e : new RootError(src.path, '', `read failed at byte ${r.seek}: ${(e as Error).message}`); return; }
      try { patch(buf, i); } catch (e) { failed ??= e; return; }
      try {
        for (let put = 0; put < r.len;) put += await writeAt(out.fd, buf, put, r.len - put, r.to + put);
      } catch (e) { failed ??= new RootError(out.path, '', `write failed at byte ${r.to}: ${(e as Error).message}`); return; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, runs.length) }, lane));
  if (failed !== null) throw failed;
}
