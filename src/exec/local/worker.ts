// A long-lived local worker: takes chunk after chunk from the pool over IPC and runs each with
// runChunk in this process, so the analysis bundle (and heppy, jsroot…) is imported once per
// worker, not once per chunk. The runner module can be replaced (HEPPY_WORKER_RUNNER, a module URL
// exporting runChunk) for tests of the pool itself.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskFailure } from '../../util/failure.js';
import type { ReportedResult, ResultFile } from '../executor.js';
import type { ChunkMarker } from '../../chunkdir/marker.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { assertNever } from '../../util/result.js';
// node:fs and node:url only, and nothing runs at its load: cheap for a worker to start with.
import { msOfNs } from '../../util/stat-numbers.js';

/** What runChunk returns of a success (src/loop/run-chunk.ts ChunkOutcome). */
interface Outcome {
  marker?: { eventsProcessed?: number | null; key?: string; status?: string };
  files?: ResultFile[];
}

/** runChunk's shape (src/loop/run-chunk.ts): a failure carries its typed TaskFailure. */
type RunChunk = (spec: unknown, chunkDir: string, hooks?: unknown) => Promise<
  { ok: true; value: Outcome | undefined } | { ok: false; error: { reason: string; file?: string; object?: string; failure?: TaskFailure } }>;

/**
 * The modules a keep needs, imported once per worker (not for a build without a cache; a dynamic
 * import() of a loaded module still resolves it through the ESM loader on every call).
 */
let keepModules: Promise<[typeof import('../../cache/output-cache.js'), typeof import('../../chunkdir/layout.js')]> | null = null;

/** Keeps a successful result in the output cache (hashing here, on the workers, not in the build). */
async function keep(keepIn: string, spec: { key?: string; name?: string }, chunkDir: string, out: Outcome): Promise<string | undefined> {
  keepModules ??= Promise.all([import('../../cache/output-cache.js'), import('../../chunkdir/layout.js')]);
  const [{ OutputCache }, { BATCH_SCRIPT, CHUNK_SPEC_FILE, MARKER_FILE }] = await keepModules;
  const key = out.marker?.key ?? '';
  // The keep backdates the mtime of every file it keeps (cache/entry.ts, BACKDATE_S): the new mtime
  // is reported from the keep, without a stat. An entry already there leaves the result files as they were.
  const byPath = new Map((out.files ?? []).map((f) => [f.path, f]));
  const saved = await OutputCache.at(keepIn).save(key, chunkDir, { kind: 'chunk', node: spec.name ?? key, marker: out.marker,
    exclude: [CHUNK_SPEC_FILE, BATCH_SCRIPT, MARKER_FILE], ...(out.files ? { files: out.files.map((f) => f.path) } : {}),
    onStamped: (rel, mtimeNs) => {
      const f = byPath.get(rel);
      if (f !== undefined) f.mtimeMs = msOfNs(BigInt(mtimeNs));
    } });
  if (!saved.ok) return [saved.error.file, saved.error.object, saved.error.reason].filter(Boolean).join(': ');
  return undefined;
}

/**
 * The build that forked this worker. Its kill -9 re-parents this process at once, so getppid()
 * (asked anew each time) tells, also while a chunk keeps the event loop busy and the channel's
 * close is not heard yet ('disconnect' waits for the loop). A closed channel means the same.
 */
const coordinator = process.ppid;
const orphaned = (): boolean => process.ppid !== coordinator || !process.connected;

/**
 * Ends this worker when its build is gone: the next build may already hold the Outdir and remove
 * or replace what this one would put there, so nothing more is written (`tmp`: the chunk's
 * unfinished directory, removed) and nothing is renamed into place.
 */
function quitIfOrphaned(tmp?: string): void {
  if (!orphaned()) return;
  if (tmp !== undefined) try { rmSync(tmp, { recursive: true, force: true }); } catch { /* the next build's */ }
  process.exit(0);
}

const send = (m: FromWorker): void => void process.send!(m);
/** Sends `m`; resolves once it is written to the channel (a closed channel: the process exits on 'disconnect'). */
const sendFlushed = (m: FromWorker): Promise<void> => new Promise((res) => { process.send!(m, undefined, undefined, () => res()); });

let runChunkP: Promise<RunChunk> | null = null;
function runner(): Promise<RunChunk> {
  runChunkP ??= (async () => {
    const url = process.env.HEPPY_WORKER_RUNNER;
    // A literal specifier: the bundled worker (dist/cli/worker.js) carries the runner in its chunks.
    const mod = (url !== undefined ? await import(url) : await import('../../loop/run-chunk.js')) as { runChunk: RunChunk };
    return mod.runChunk;
  })();
  return runChunkP;
}

let lastOptions = '';
async function applyOptions(options: Record<string, string | boolean> | undefined): Promise<void> {
  const key = JSON.stringify(options ?? {});
  if (key === lastOptions) return;
  lastOptions = key;
  const mod = (await import(new URL('../../config/options.js', import.meta.url).href)) as { setGlobalOptions?: (o: unknown) => void };
  mod.setGlobalOptions?.(options ?? {});
}

type RunMessage = Extract<ToWorker, { type: 'run' }>;
type Ended = Extract<FromWorker, { type: 'ended' }>;

async function run(m: RunMessage): Promise<Ended> {
  let reply: Ended;
  try {
    // The spec comes with the message (local builds) or from the chunk directory (anything else).
    const spec = (m.spec ?? JSON.parse(readFileSync(join(m.chunkDir, 'chunk.json'), 'utf8'))) as { options?: Record<string, string | boolean>; attempt?: number; name?: string; key?: string };
    await applyOptions(spec.options);
    const runChunk = await runner();
    let lastSent = Date.now(); // short chunks (most) send no progress at all, only their end
    const r = await runChunk(spec, m.chunkDir, {
      onProgress: (events: number, expected: number) => {
        quitIfOrphaned();
        const now = Date.now();
        if (now - lastSent > 250) { lastSent = now; send({ type: 'progress', nodeId: m.nodeId, events, expected }); }
      },
      beforeSwap: (tmp: string) => quitIfOrphaned(tmp),
    });
    if (r.ok) {
      const out = r.value;
      let reported: ReportedResult | undefined;
      if (out?.files !== undefined && out.marker?.status === 'ok' && typeof out.marker.key === 'string') {
        const cacheWarning = m.keepIn !== undefined ? await keep(m.keepIn, spec, m.chunkDir, out) : undefined;
        reported = { key: out.marker.key, files: out.files, marker: out.marker as ChunkMarker, ...(cacheWarning !== undefined ? { cacheWarning } : {}) };
      }
      reply = { type: 'ended', nodeId: m.nodeId, attempt: m.attempt, ok: true, eventsProcessed: out?.marker?.eventsProcessed ?? 0, ...(reported ? { reported } : {}) };
    } else reply = { type: 'ended', nodeId: m.nodeId, attempt: m.attempt, ok: false,
      failure: r.error.failure ?? { kind: 'infrastructure', reason: [r.error.file, r.error.object, r.error.reason].filter(Boolean).join(': ') } };
  } catch (err) {
    // runChunk reports failures as values; an exception here is a bug or an unreadable chunk.json.
    reply = { type: 'ended', nodeId: m.nodeId, attempt: m.attempt, ok: false,
      failure: { kind: 'infrastructure', reason: err instanceof Error ? (err.stack ?? err.message) : String(err) } };
  }
  return reply;
}

// Chunks sent ahead, run one at a time in order; after a failure (here or, told by `hold`,
// elsewhere) none starts until `resume`. A chunk is announced (`started`) only when it is taken,
// so the pool is never told of a start that does not happen; each message has left this process
// before the chunk after it runs, so a chunk that kills the process cannot take the end of the
// one before (or its own start) with it. The pool then knows exactly whose death it is.
const pending: RunMessage[] = [];
let running = false;
let hold = false;
async function pump(): Promise<void> {
  if (running) return;
  running = true;
  while (pending.length > 0 && !hold) {
    const m = pending.shift()!;
    quitIfOrphaned();
    await sendFlushed({ type: 'started', nodeId: m.nodeId, attempt: m.attempt });
    const reply = await run(m);
    if (!reply.ok) hold = true;
    await sendFlushed(reply);
  }
  running = false;
}

process.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'run': pending.push(m); break;
    case 'hold': hold = true; break;
    case 'resume': hold = false; break;
    case 'drop': pending.length = 0; break;
    default: return assertNever(m, 'pool message');
  }
  void pump();
});
// The parent's death (kill -9 of the build) closes the channel: do not linger as an orphan.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
// Import the chunk runner (heppy, jsroot, the ROOT reader) now, while the build sends the first
// chunk, not after it arrives. A failure to import is reported by the first run.
runner().catch(() => undefined);
