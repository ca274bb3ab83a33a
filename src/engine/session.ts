// The common first half of build, status, why and graph: load the heppyfile, find the Outdir,
// open the store and plan. A bad heppyfile or flag becomes a UserError (one line, exit 2) before
// anything is written to Outdir.
import { loadHeppyfile, type LoadedAnalysis } from '../config/load.js';
import { splitAll } from '../graph/split.js';
import { FileDigests } from '../fingerprint/digests.js';
import { initHash } from '../fingerprint/hash.js';
import { acquireLock, outdirProblem, type Lock } from '../store/lock.js';
import type { ValidConfig } from '../config/validate.js';
import { cacheDirProblem, openFailureError, openStore, openStoreLazy, readRecords } from '../store/open.js';
import { RecordHeads } from '../store/heads.js';
import { readSnapshot, storeState, trustSnapshot, writeSnapshot } from '../store/snapshot.js';
import type { TaskSummary } from '../store/records.js';
import { checkSchemas, confirmSchemas, schemaRequests } from '../schema/check.js';
import { isRemote, storeSchemaCache } from '../schema/store-cache.js';
import type { Store } from '../store/store.js';
import { fail, failureError, formatFailure, ok, UserError, type Result } from '../util/result.js';
import type { NetRetry } from './input-digests.js';
import { heppyVersion, parseOptions, resolveOutdir, resolvePaths, type Paths } from './workspace.js';
import { makePlan, type BuildPlan } from './plan.js';
import { startEarlyCheck, startOutputCheck, warmOutputCheck } from './output-check.js';
import { DEFAULT_FAN_IN, dirOfNodeId } from '../graph/dag.js';
import { envFlag } from '../util/env.js';
import { markFormat, refuseNewer } from '../cache/format.js';

export interface SessionFlags {
  file?: string;
  cacheDir?: string;
  outdir?: string;
  options?: string[];
  maxEvents?: number;
  /** --merge-fan-in (wins over the Config's mergeFanIn). */
  mergeFanIn?: number;
  force?: boolean;
  /** Type-check the heppyfile when its bundle is not cached (default true). */
  typecheck?: boolean;
  /**
   * Explain why each node runs by the key parts that changed (default true: status, why, --dry-run).
   * false (a build): a changed key is just 'key changed', and no recorded key parts are read.
   */
  explain?: boolean;
  /** Take the Outdir lock (build, clean) before reading the records. */
  lock?: string;
  /** Remote inputs digested by their content (read whole) instead of their server's metadata. */
  deep?: boolean;
  /** Remote inputs that did not answer while planning: digested again after this back-off (build: its --retries/--retry-delay). */
  netRetry?: NetRetry;
  /** Told the Outdir and the number of chunks as soon as they are known, before planning (build: starts its local workers then). */
  onOutdir?: (outdir: string, chunks: number) => void;
}

export interface Session {
  paths: Paths;
  outdir: string;
  analysis: LoadedAnalysis;
  options: Record<string, string | boolean>;
  maxEvents: number | null;
  store: Store;
  digests: FileDigests;
  plan: BuildPlan;
  lock: Lock | null;
  close(): Promise<void>;
}

/** HEPPY_TIMING=1 prints how long each phase of the planning took (for benchmarks). */
const timing = envFlag('HEPPY_TIMING') === true;
let last = performance.now();
let lastCpu = process.cpuUsage();
/** Wall time and CPU (user+sys of the process: with HEPPY_OUTPUT_THREAD=0, this thread's) of a phase. */
function phase(name: string): void {
  if (!timing) return;
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  process.stderr.write(`[timing] ${name}: ${(now - last).toFixed(1)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms (since start ${now.toFixed(0)} ms)\n`);
  last = now;
  lastCpu = process.cpuUsage();
}

/**
 * With HEPPY_TIMING=1 and `node --expose-gc`: the live heap after a full collection (the
 * coordinator's memory per node is (after planning - before loading) / nodes; bench/plan-scale).
 */
export function heap(name: string): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!timing || gc === undefined) return;
  gc();
  process.stderr.write(`[heap] ${name}: ${process.memoryUsage().heapUsed} bytes\n`);
  if (process.env.HEPPY_HEAPSNAP && name.startsWith('kept')) void import('node:v8').then((v8) => v8.writeHeapSnapshot(process.env.HEPPY_HEAPSNAP));
  last = performance.now();
  lastCpu = process.cpuUsage();
}

/**
 * Closes the store; with `snapshot` (a build holding the lock, whose store is not exactly its
 * valid snapshot's) first reads back what it committed and, once closed, writes the snapshot the
 * next build starts from. A snapshot that cannot be written is only a slower next build.
 */
async function closeStore(store: Store, snapshot: boolean, cacheDir: string, outdir: string, plan: BuildPlan | null): Promise<void> {
  let heads: RecordHeads | null = null;
  let values: Map<string, unknown> | null = null;
  if (snapshot) {
    try {
      await store.flush();
      heads = RecordHeads.fromSummaries(store.allTasks());
      values = store.readValues();
    } catch {
      heads = null;
    }
  }
  await store.close();
  if (heads === null || values === null) return;
  try {
    writeSnapshot(cacheDir, outdir, heppyVersion, heads, values, plan?.keyContext !== undefined && chunkKeysRecorded(plan, heads) ? plan.keyContext : null);
  } catch {
    // not written: the next build reads the records from the store
  }
}

/** No recorded key parts (a plan that need not explain a changed key). */
const noParts = (): undefined => undefined;

/** Whether every chunk of `plan` has a record whose key is the one the plan computed (then its key context may be recorded). */
function chunkKeysRecorded(plan: BuildPlan, heads: RecordHeads): boolean {
  for (const n of plan.nodes.values()) {
    if (n.kind !== 'chunk') continue;
    const at = heads.indexOf(n.id);
    if (at < 0 || heads.key(at) !== n.key) return false;
  }
  return true;
}

export async function openSession(f: SessionFlags): Promise<Session> {
  phase('modules loaded');
  heap('before loading');
  const paths = resolvePaths(f.file, f.cacheDir);
  // Its version file first (cache/format.ts): a cache of a newer heppy is one line, exit 2, untouched.
  refuseNewer('cache', paths.cacheDir);
  // Before the loader writes its bundle cache there: a cache that is a file is one line, exit 2.
  const unusable = cacheDirProblem(paths.cacheDir);
  if (unusable) throw new UserError(unusable);
  const options = parseOptions(f.options ?? []);
  if (f.maxEvents !== undefined && (!Number.isInteger(f.maxEvents) || f.maxEvents < 1)) throw new UserError(`-N must be a positive whole number, got ${f.maxEvents}`);
  const maxEvents = f.maxEvents ?? null;
  // With the output-check thread (HEPPY_OUTPUT_THREAD=1, output-check.ts), a build starts its output
  // stats now in that thread, on the last build's snapshot (output-early.ts); they stand only if
  // nothing can have changed an output before the lock. Other planning commands only warm it up.
  const early = f.lock !== undefined ? startEarlyCheck(paths.cacheDir, heppyVersion) : null;
  if (early === null) warmOutputCheck();
  await initHash();
  // A command that takes the Outdir's lock (build, clean) refuses an Outdir it cannot write before it
  // writes anything (the bundle cache, the store): the lock itself is taken after the schema check,
  // which must not create the Outdir.
  let unwritable: string | null = null;
  const beforeCommit = f.lock === undefined ? undefined : (config: ValidConfig): Result<void> => {
    const dir = resolveOutdir(f.outdir, config.outdir, paths.heppyfile);
    refuseNewer('outdir', dir);
    unwritable = outdirProblem(dir);
    return unwritable === null ? ok(undefined) : fail({ file: dir, reason: unwritable });
  };
  const loaded = await loadHeppyfile(paths.heppyfile, paths.cacheDir, options, { typecheck: f.typecheck ?? true, ...(beforeCommit ? { beforeCommit } : {}) });
  if (!loaded.ok && unwritable !== null) throw new UserError(formatFailure(loaded.error), 1);
  if (!loaded.ok) throw failureError(loaded.error);
  phase('heppyfile loaded (bundle, import, validate)');
  const outdir = resolveOutdir(f.outdir, loaded.value.config.outdir, paths.heppyfile);
  if (f.lock === undefined) refuseNewer('outdir', outdir);  // status, why, graph: before reading its records
  const split = splitAll(loaded.value.config.components);
  f.onOutdir?.(outdir, split.chunks.length);
  // The store is opened before the lock, the records read after it. A damaged store is moved
  // aside (one line) and replaced by an empty one: never a crash. A build first looks for its
  // snapshot (store/snapshot.ts): while the store is exactly as the last build left it, the reads
  // of a no-op build are answered from it, and LMDB is opened only if something else is needed.
  let pre = early === null ? null : await early;
  if (pre !== null && pre.file.outdir !== outdir) {
    pre.cancel();                                        // the snapshot of another Outdir
    pre = null;
  }
  let snap = f.lock === undefined ? null : pre !== null ? trustSnapshot(pre.file, paths.cacheDir, outdir) : readSnapshot(paths.cacheDir, outdir, heppyVersion);
  let first: Store;
  let firstNotice: string | null = null;
  if (snap !== null) {
    first = openStoreLazy(paths.cacheDir, outdir, snap.values, (line) => process.stderr.write(line + '\n'));
  } else {
    const opened = openStore(paths.cacheDir, outdir, false);
    if (!opened.ok) throw openFailureError(opened.error);
    if (opened.value.notice) process.stderr.write(opened.value.notice + '\n');
    first = opened.value.store;
    firstNotice = opened.value.notice;
  }
  // A build checks its inputs' trees and branches before it writes anything (exit 2 on a miss).
  const schema = f.lock !== undefined ? await checkSchemas(schemaRequests(loaded.value.config), storeSchemaCache(first), undefined, isRemote) : null;
  if (schema !== null && !schema.ok) {
    pre?.cancel();
    await first.close();
    throw new UserError(schema.error.reason);
  }
  let lock: Lock | null = null;
  // Compared right before this process changes `.heppy` itself by taking the lock.
  let earlyHolds = pre !== null && snap !== null && pre.holds();
  if (f.lock !== undefined) {
    const l = acquireLock(outdir, f.lock);
    if (!l.ok) {
      pre?.cancel();
      await first.close();
      throw new UserError(formatFailure(l.error), 1);
    }
    lock = l.value;
    markFormat('outdir', outdir, heppyVersion);
    markFormat('cache', paths.cacheDir, heppyVersion);
  }
  let store: Store;
  let heads: RecordHeads;
  let recordOf: (id: string) => TaskSummary | undefined;
  // Checked again now that the lock is held: a commit since (e.g. by a build that held the lock a
  // moment ago) makes the snapshot stale; its values read so far are facts keyed by content.
  if (snap !== null && storeState(paths.cacheDir) === snap.state) {
    store = first;
    heads = snap.heads;
    recordOf = (id) => first.getSummary(id);
  } else {
    if (snap !== null) first.forgetServed();
    snap = null;
    earlyHolds = false;
    let withRecords;
    try {
      withRecords = readRecords(paths.cacheDir, outdir, { store: first, records: new Map(), notice: firstNotice });
    } catch (err) {
      lock?.release();
      throw err;
    }
    if (!withRecords.ok) {
      lock?.release();
      throw openFailureError(withRecords.error);
    }
    const { records, notice } = withRecords.value;
    store = withRecords.value.store;
    if (notice && notice !== firstNotice) process.stderr.write(notice + '\n');
    heads = RecordHeads.fromSummaries(records);
    recordOf = (id) => records.get(id);
  }
  phase(`store ${snap !== null ? `served by its snapshot${earlyHolds ? ' (outputs stat-ed early)' : ''}` : 'opened'}, schema checked, lock taken, ${heads.size} task records read`);
  const fromSnapshot = snap !== null;
  let planned: BuildPlan | null = null;
  const close = async (): Promise<void> => {
    try {
      await closeStore(store, lock !== null && (!fromSnapshot || store.isOpen), paths.cacheDir, outdir, planned);
    } finally {
      lock?.release();
    }
  };
  try {
    const digests = new FileDigests(store, f.deep ?? false);
    if (!earlyHolds) pre?.cancel();
    const changedOutputs = f.force ? undefined : earlyHolds && pre !== null ? pre.changed(heads) : startOutputCheck(heads, (id) => `${outdir}/${dirOfNodeId(id)}`);
    const plan = await makePlan({ config: loaded.value.config, code: loaded.value.code, heppyVersion, options, maxEvents,
      outdir, force: f.force ?? false, fanIn: f.mergeFanIn ?? loaded.value.config.mergeFanIn ?? DEFAULT_FAN_IN, split, records: heads,
      recordedKeyContext: snap?.keyContext ?? null, recordOf, partsOf: f.explain === false ? noParts : (id) => store.getParts(id), digests, changedOutputs, netRetry: f.netRetry });
    // A remote input's server still unreachable after the retries: exit 3, nothing was run or written.
    if (!plan.ok) throw failureError(plan.error);
    planned = plan.value;
    phase(`planned ${plan.value.nodes.size} nodes (input stats/digests, keys, output stats)`);
    heap(`planned ${plan.value.nodes.size} nodes`);
    if (schema?.ok && (schema.value.read.length > 0 || schema.value.deferred.length > 0 || schema.value.cached.some((c) => isRemote(c.request.file)))) {
      await store.flush();                                 // the digests the plan wrote: the schemas' keys
      // Remote inputs: the digests planning got from the server (memoised: no new request).
      const remote = [...new Set([...schema.value.deferred, ...schema.value.cached.map((c) => c.request)].map((r) => r.file).filter(isRemote))];
      const planned = new Map<string, string>();
      for (const [u, d] of await digests.digestAll(remote)) if (d.ok) planned.set(u, d.value);
      const confirmed = await confirmSchemas(schema.value, storeSchemaCache(store, planned));
      if (!confirmed.ok) throw new UserError(confirmed.error.reason);
    }
    return { paths, outdir, analysis: loaded.value, options, maxEvents, store, digests, plan: plan.value, lock, close };
  } catch (err) {
    await close();
    throw err;
  }
}
