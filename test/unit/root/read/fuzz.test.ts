// Fuzz: shared ROOT files truncated or with corrupted bytes (fixed seed). Every read must
// either succeed or fail with a RootError, and finish within a time bound (no hang).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sharedRootDir } from '../../../util/shared.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import type { FuzzReply } from './fuzz-worker.js';

const FILES = [
  'uproot-simple.root', 'uproot-leaflist.root', 'uproot-histograms.root', 'uproot-issue33.root',
  'uproot-HZZ-zlib.root', 'uproot-HZZ-lz4.root', 'uproot-HZZ-zstd.root', 'uproot-HZZ-lzma.root',
  'uproot-sample-6.20.04-zlib.root', 'uproot-nesteddirs.root', 'uproot-issue38a.root',
  'written-by-uproot/uproot4-int64-edge.root', 'written-by-uproot/uproot4-jagged-zlib.root',
  'uproot-from-geant4.root', 'uproot-issue-750.root', 'uproot-issue60.root',
  // Uncompressed metadata: corruption reaches jsroot's streamers instead of failing in zlib.
  'uproot-HZZ-uncompressed.root', 'uproot-sample-6.20.04-uncompressed.root', 'uproot-simple.root',
];
const CASES_PER_FILE = 18;
const BOUND_MS = 10_000;

/** mulberry32: a small deterministic PRNG, so that every run tries the same cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case { id: number; name: string; what: string; bytes: Uint8Array }

/** Byte ranges of a file's top-level keys (TTree metadata, histograms, StreamerInfo, keys list). */
async function keyRegions(path: string): Promise<[number, number][]> {
  const f = await openRootFile(path);
  const keys = (f.js as unknown as { fKeys: { fSeekKey: number; fNbytes: number }[] }).fKeys;
  f.close();
  return keys.map((k) => [k.fSeekKey, k.fNbytes]);
}

function mutate(src: Uint8Array, r: () => number, id: number, name: string, regions: [number, number][]): Case {
  const b = Uint8Array.from(src);
  const at = (lo = 0) => lo + Math.floor(r() * (b.length - lo));
  const kind = id % 5;
  if (kind === 4 && regions.length > 0) {
    const [start, len] = regions[Math.floor(r() * regions.length)]!;
    const k = 1 + Math.floor(r() * 4);
    const where: number[] = [];
    for (let i = 0; i < k; i++) { const p = start + Math.floor(r() * len); b[p] = Math.floor(r() * 256); where.push(p); }
    return { id, name, what: `key-region bytes at ${where.join(',')}`, bytes: b };
  }
  if (kind === 0) {
    const n = Math.floor(r() * b.length);
    return { id, name, what: `truncated to ${n} bytes`, bytes: b.subarray(0, n) };
  }
  if (kind === 1) {
    const k = 1 + Math.floor(r() * 8);
    const where: number[] = [];
    for (let i = 0; i < k; i++) { const p = at(); b[p] = Math.floor(r() * 256); where.push(p); }
    return { id, name, what: `random bytes at ${where.join(',')}`, bytes: b };
  }
  if (kind === 2) {
    const p = at(), len = 4 + Math.floor(r() * 60);
    for (let i = p; i < Math.min(b.length, p + len); i++) b[i] = Math.floor(r() * 256);
    return { id, name, what: `${len} random bytes from ${p}`, bytes: b };
  }
  // Metadata lives in the first few hundred bytes and at the end (keys list, TTree, streamers).
  const p = r() < 0.5 ? Math.floor(r() * Math.min(400, b.length)) : b.length - 1 - Math.floor(r() * Math.min(6000, b.length));
  b[p] = b[p]! ^ (1 << Math.floor(r() * 8));
  return { id, name, what: `bit flip at ${p}`, bytes: b };
}

const dir = sharedRootDir();
if (dir !== null) {
  const d = dir;
  test(`fuzz: ${FILES.length * CASES_PER_FILE} mutated files read or fail with a RootError within ${BOUND_MS / 1000} s each`, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'heppy-fuzz-'));
    const r = rng(Number(process.env.HEPPY_FUZZ_SEED ?? 20261125)); // another seed explores other cases
    const cases: Case[] = [];
    for (const name of FILES) {
      const src = new Uint8Array(readFileSync(join(d, name)));
      const regions = await keyRegions(join(d, name));
      for (let i = 0; i < CASES_PER_FILE; i++) cases.push(mutate(src, r, cases.length, name, regions));
    }
    const counts = { ok: 0, 'root-error': 0 };
    const problems: string[] = [];
    let worker: Worker | null = null;
    const start = (): Worker => new Worker(new URL('./fuzz-worker.js', import.meta.url));
    try {
      for (const c of cases) {
        const path = join(tmp, `case${c.id}.root`);
        writeFileSync(path, c.bytes);
        worker ??= start();
        const w = worker;
        const reply = await new Promise<FuzzReply | 'timeout' | Error>((resolve) => {
          const timer = setTimeout(() => resolve('timeout'), BOUND_MS);
          const done = (v: FuzzReply | Error) => { clearTimeout(timer); w.off('message', onMsg); w.off('error', onErr); resolve(v); };
          const onMsg = (m: FuzzReply) => { if (m.id === c.id) done(m); };
          const onErr = (e: Error) => done(e);
          w.on('message', onMsg);
          w.on('error', onErr);
          w.postMessage({ id: c.id, path });
        });
        const label = `case ${c.id} (${c.name}, ${c.what})`;
        if (reply === 'timeout') {
          problems.push(`${label}: no answer within ${BOUND_MS} ms`);
          await w.terminate();
          worker = null;
        } else if (reply instanceof Error) {
          problems.push(`${label}: worker died: ${reply.message}`);
          worker = null;
        } else if (reply.outcome === 'other-error') {
          problems.push(`${label}: not a RootError: ${reply.message.split('\n').slice(0, 3).join(' | ')}`);
        } else {
          counts[reply.outcome]++;
          if (reply.outcome === 'root-error' && !reply.message.includes(`case${c.id}.root`)) problems.push(`${label}: error does not name the file: ${reply.message}`);
        }
        rmSync(path, { force: true });
      }
    } finally {
      if (worker) await worker.terminate();
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`fuzz: ${cases.length} cases, ${counts.ok} read, ${counts['root-error']} RootError, ${problems.length} problems`);
    assert.ok(counts['root-error'] > cases.length / 10, 'the mutations do break files');
    if (problems.length > 0) assert.unreachable(`${problems.length} cases misbehaved:\n  ${problems.slice(0, 25).join('\n  ')}`);
  });
}

test.run();
