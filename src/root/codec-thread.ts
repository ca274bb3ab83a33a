// The codec thread's side: decompresses the basket bodies the reader sends (any codec
// decompress() knows) and compresses the tree baskets the writer sends (compressPayload), and
// sends the buffers back without a copy (transferred). Loaded by codec-ahead.ts as a
// worker_threads Worker; holds no state between messages.
import { parentPort } from 'node:worker_threads';
import { decompress, initDecompression } from './read/decompress.js';
import { compressPayload, prepareCompression, type Compression } from './write/compress.js';

/** Decompress src into outLen bytes, or compress it with a file's setting. */
export type CodecJob = { src: Uint8Array; outLen: number } | { src: Uint8Array; compression: Compression };
export interface CodecRequest { id: number; jobs: CodecJob[] }
/** One result per job: the bytes, or the reason decompress() gave. */
export interface CodecReply { id: number; outs: Array<Uint8Array | { error: string }> }

const port = parentPort;
if (port !== null) {
  await initDecompression();
  port.on('message', (req: CodecRequest) => {
    void (async () => {
      const outs: CodecReply['outs'] = [];
      const transfer: ArrayBuffer[] = [];
      for (const j of req.jobs) {
        try {
          if (!('outLen' in j)) await prepareCompression(j.compression); // once per codec: this thread loads its own
          let u = 'outLen' in j ? await decompress(j.src, j.outLen) : compressPayload(j.src, j.compression);
          // Transferred whole: a view of a shared (pooled) buffer is copied out first.
          if (u.byteOffset !== 0 || u.byteLength !== u.buffer.byteLength || transfer.includes(u.buffer as ArrayBuffer)) u = u.slice();
          outs.push(u);
          transfer.push(u.buffer as ArrayBuffer);
        } catch (e) {
          outs.push({ error: (e as Error).message });
        }
      }
      port.postMessage({ id: req.id, outs } satisfies CodecReply, transfer);
    })();
  });
}
