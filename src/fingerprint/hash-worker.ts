// A hashing thread of the hash pool: hashes whole files (xxh64) for the main thread.
import { parentPort } from 'node:worker_threads';
import { hashFileSync } from './hash-file.js';

parentPort?.on('message', (m: { id: number; path: string }) => {
  hashFileSync(m.path).then(
    (hash) => parentPort!.postMessage({ id: m.id, hash }),
    (err: NodeJS.ErrnoException) => parentPort!.postMessage({ id: m.id, error: err.code ?? String(err.message ?? err) }),
  );
});
