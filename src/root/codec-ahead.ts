// Compression work on a second thread: the baskets of the event loop's next window decompress
// while the analysis runs on this one, and the output trees' baskets compress while it goes
// on (the event loop is single threaded; zlib inflate + deflate were ~20 % of the demo's loop).
// One long-lived worker per process, started on first use and unreferenced while idle (it never
// keeps a process alive). Jobs submitted in the same tick go in one message; the results come
// back transferred. zlib's own async API was measured first: a stream per basket costs ~100 µs
// of CPU (2× the inflate of a 20 kB basket). If the thread cannot start or dies, its jobs run
// on this thread (same bytes).
import type { Worker } from 'node:worker_threads';
import { workerThreadsModule } from '../util/lazy-node.js';
import { decompress } from './read/decompress.js';
import type { Compression } from './write/compress.js';
import type { CodecJob, CodecReply, CodecRequest } from './codec-thread.js';
import { envCodecThread } from '../util/env.js';

interface Queued { job: CodecJob; resolve(u: Uint8Array): void; reject(e: Error): void }

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
/** Jobs of the current tick, sent together in a microtask. */
let queued: Queued[] = [];
const inFlight = new Map<number, Queued[]>();

/**
 * Whether to use the codec thread: only when asked (HEPPY_CODEC_THREAD=1, or =all, which also
 * sends work of every size). Off by default: on the demo at -j 1 (2 cores) it took ≈ 0.4 s off
 * the main thread but added ≈ 0.55 s of process CPU (≈ +18 %), and the main thread still waited
 * for the deflate of each chunk's last baskets at close (bench/README.md, "Event loop").
 */
export function codecThreadEnabled(): boolean {
  if (broken) return false;
  return envCodecThread() !== 'off';
}

/**
 * Work smaller than `bytes` stays on the calling thread (a message round trip costs more); with
 * HEPPY_CODEC_THREAD=all every size goes to the thread (tests).
 */
export function worthAhead(size: number, bytes: number): boolean {
  return envCodecThread() === 'all' || size >= bytes;
}

function runHere(batch: Queued[]): void {
  for (const q of batch) {
    const j = q.job;
    if ('outLen' in j) decompress(j.src, j.outLen).then(q.resolve, q.reject);
    // Imported here: a reader (root inspect, a chunk's input) never compresses. A writer has it
    // loaded (and its codec prepared) already.
    else import('./write/compress.js').then(async (m) => { await m.prepareCompression(j.compression); q.resolve(m.compressPayload(j.src, j.compression)); }).catch(q.reject);
  }
}

/** The thread failed: its jobs run here instead (a thread problem is not the file's). */
function fail(): void {
  broken = true;
  const w = worker;
  worker = null;
  for (const batch of inFlight.values()) runHere(batch);
  inFlight.clear();
  if (w !== null) void w.terminate();
}

function start(): Worker {
  // node:worker_threads is loaded here, on the first thread: most writers (a merge's) never start one.
  const w = new (workerThreadsModule().Worker)(new URL('./codec-thread.js', import.meta.url));
  w.on('message', (r: CodecReply) => {
    const batch = inFlight.get(r.id);
    if (batch === undefined) return;
    inFlight.delete(r.id);
    if (inFlight.size === 0) w.unref();
    r.outs.forEach((o, k) => (o instanceof Uint8Array ? batch[k]!.resolve(o) : batch[k]!.reject(new Error(o.error))));
  });
  w.on('error', () => fail());
  w.on('exit', () => { if (worker === w) fail(); });
  w.unref();
  return w;
}

function send(): void {
  const batch = queued;
  queued = [];
  if (batch.length === 0) return;
  if (worker === null && !broken) {
    try { worker = start(); } catch { broken = true; }
  }
  if (worker === null) { runHere(batch); return; }
  const id = nextId++;
  inFlight.set(id, batch);
  worker.ref();
  // Each job's bytes are copied out and the copies moved: a view sent as it is would clone its
  // whole buffer (a read-ahead run of many baskets) into every message.
  const jobs = batch.map((q) => ({ ...q.job, src: q.job.src.slice() }));
  worker.postMessage({ id, jobs } satisfies CodecRequest, jobs.map((j) => j.src.buffer as ArrayBuffer));
}

function submit(job: CodecJob): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    if (queued.length === 0) queueMicrotask(send);
    queued.push({ job, resolve, reject });
  });
}

/** decompress() on the codec thread: the same bytes, or the same error message. */
export function decompressAhead(src: Uint8Array, outLen: number): Promise<Uint8Array> {
  return submit({ src, outLen });
}

/** compressPayload() on the codec thread: the same bytes. */
export function compressAhead(src: Uint8Array, compression: Compression): Promise<Uint8Array> {
  return submit({ src, compression });
}
