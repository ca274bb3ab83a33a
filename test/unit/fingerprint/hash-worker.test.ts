import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xxh64 } from '@node-rs/xxhash';
import { hex } from '../../../src/fingerprint/hash.js';

const script = new URL('../../../src/fingerprint/hash-worker.js', import.meta.url);

test('hash-worker: answers each {id, path} with the file\'s xxh64, or the error code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-hash-worker-'));
  const w = new Worker(script);
  try {
    const big = Buffer.alloc(600_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'small.txt'), 'heppy');
    const replies = new Map<number, { hash?: string; error?: string }>();
    const done = new Promise<void>((resolve, reject) => {
      w.on('error', reject);
      w.on('message', (m: { id: number; hash?: string; error?: string }) => { replies.set(m.id, m); if (replies.size === 3) resolve(); });
    });
    w.postMessage({ id: 1, path: join(dir, 'big.bin') });
    w.postMessage({ id: 2, path: join(dir, 'small.txt') });
    w.postMessage({ id: 3, path: join(dir, 'absent') });
    await done;
    assert.equal(replies.get(1), { id: 1, hash: hex(xxh64(big)) });
    assert.equal(replies.get(2), { id: 2, hash: hex(xxh64(Buffer.from('heppy'))) });
    assert.equal(replies.get(3), { id: 3, error: 'ENOENT' });
  } finally {
    await w.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
