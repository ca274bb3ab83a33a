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
import { readSnapshot, storeState, trustSnapshot, writeSnapshot, type Snapshot } from '../store/snapshot.js';
import type { TaskSummary } from '../store/records.js';
import { checkSchemas, confirmSchemas, schemaRequests, type SchemaOutcome } from '../schema/check.js';
import { isRemote, storeSchemaCache } from '../schema/store-cache.js';
import type { Store } from '../store/store.js';
import { fail, failureError, formatFailure, ok, UserError, type Result } from '../util/result.js';
import type { NetRetry } from './input-digests.js';
import { heppyVersion, parseOptions, resolveOutdir, resolvePaths, type Paths } from './workspace.js';
import { makePlan, type BuildPlan } from './plan.js';
import { startEarlyCheck, startOutputCheck, warmOutputCheck, type EarlyCheck } from './output-check.js';
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
  const { paths, options, maxEvents } = checkFlags(f);
  // With the output-check thread (HEPPY_OUTPUT_THREAD=1, output-check.ts), a build starts its output
  // stats now in that thread, on the last build's snapshot (output-early.ts); they stand only if
  // nothing can have changed an output before the lock. Other planning commands only warm it up.
  const early = f.lock !== undefined ? startEarlyCheck(paths.cacheDir, heppyVersion) : null;
  if (early === null) warmOutputCheck();
  await initHash();
  const analysis = await load(f, paths, options);
  phase('heppyfile loaded (bundle, import, validate)');
  const outdir = resolveOutdir(f.outdir, analysis.config.outdir, paths.heppyfile);
  if (f.lock === undefined) refuseNewer('outdir', outdir);  // status, why, graph: before reading its records
  const split = splitAll(analysis.config.components);
  f.onOutdir?.(outdir, split.chunks.length);
  // The store is opened before the lock, the records read after it. A damaged store is moved
  // aside (one line) and replaced by an empty one: never a crash. A build first looks for its
  // snapshot (store/snapshot.ts): while the store is exactly as the last build left it, the reads
  // of a no-op build are answered from it, and LMDB is opened only if something else is needed.
  const opened = await openFirst(f, paths.cacheDir, outdir, early);
  const { pre } = opened;
  const schema = f.lock !== undefined ? await checkInputs(analysis.config, opened) : null;
  // Compared right before this process changes `.heppy` itself by taking the lock.
  const earlyHeld = pre !== null && opened.snap !== null && pre.holds();
  const lock = await takeLock(f, paths.cacheDir, outdir, opened);
  const read = readHeads(paths.cacheDir, outdir, opened, lock);
  const fromSnapshot = read.snap !== null;
  const earlyHolds = earlyHeld && fromSnapshot;
  phase(`store ${fromSnapshot ? `served by its snapshot${earlyHolds ? ' (outputs stat-ed early)' : ''}` : 'opened'}, schema checked, lock taken, ${read.heads.size} task records read`);
  const { store, heads } = read;
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
    const plan = await makePlan({ config: analysis.config, code: analysis.code, heppyVersion, options, maxEvents,
      outdir, force: f.force ?? false, fanIn: f.mergeFanIn ?? analysis.config.mergeFanIn ?? DEFAULT_FAN_IN, split, records: heads,
      recordedKeyContext: read.snap?.keyContext ?? null, recordOf: read.recordOf, partsOf: f.explain === false ? noParts : (id) => store.getParts(id), digests, changedOutputs, netRetry: f.netRetry });
    // A remote input's server still unreachable after the retries: exit 3, nothing was run or written.
    if (!plan.ok) throw failureError(plan.error);
    planned = plan.value;
    phase(`planned ${plan.value.nodes.size} nodes (input stats/digests, keys, output stats)`);
    heap(`planned ${plan.value.nodes.size} nodes`);
    if (schema !== null) await confirmRemoteSchemas(schema, store, digests);
    return { paths, outdir, analysis, options, maxEvents, store, digests, plan: plan.value, lock, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The paths, options and -N of the flags; a cache of a newer heppy, or one that is a file, is refused here. */
function checkFlags(f: SessionFlags): { paths: Paths; options: Record<string, string | boolean>; maxEvents: number | null } {
  const paths = resolvePaths(f.file, f.cacheDir);
  // Its version file first (cache/format.ts): a cache of a newer heppy is one line, exit 2, untouched.
  refuseNewer('cache', paths.cacheDir);
  // Before the loader writes its bundle cache there: a cache that is a file is one line, exit 2.
  const unusable = cacheDirProblem(paths.cacheDir);
  if (unusable) throw new UserError(unusable);
  const options = parseOptions(f.options ?? []);
  if (f.maxEvents !== undefined && (!Number.isInteger(f.maxEvents) || f.maxEvents < 1)) throw new UserError(`-N must be a positive whole number, got ${f.maxEvents}`);
  return { paths, options, maxEvents: f.maxEvents ?? null };
}

/** Loads the heppyfile (bundle, import, validate); a failure is a UserError. */
async function load(f: SessionFlags, paths: Paths, options: Record<string, string | boolean>): Promise<LoadedAnalysis> {
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
  return loaded.value;
}

/** The store as first opened: the early output check (if for this Outdir), the snapshot a build trusts, and the store. */
interface FirstOpen {
  pre: EarlyCheck | null;
  snap: Snapshot | null;
  first: Store;
  firstNotice: string | null;
}

/** Opens the store before the lock: lazily on a build's snapshot, else LMDB itself. */
async function openFirst(f: SessionFlags, cacheDir: string, outdir: string, early: Promise<EarlyCheck | null> | null): Promise<FirstOpen> {
  let pre = early === null ? null : await early;
  if (pre !== null && pre.file.outdir !== outdir) {
    pre.cancel();                                        // the snapshot of another Outdir
    pre = null;
  }
  const snap = f.lock === undefined ? null : pre !== null ? trustSnapshot(pre.file, cacheDir, outdir) : readSnapshot(cacheDir, outdir, heppyVersion);
  if (snap !== null) {
    return { pre, snap, first: openStoreLazy(cacheDir, outdir, snap.values, (line) => process.stderr.write(line + '\n')), firstNotice: null };
  }
  const opened = openStore(cacheDir, outdir, false);
  if (!opened.ok) throw openFailureError(opened.error);
  if (opened.value.notice) process.stderr.write(opened.value.notice + '\n');
  return { pre, snap, first: opened.value.store, firstNotice: opened.value.notice };
}

/** A build checks its inputs' trees and branches before it writes anything (exit 2 on a miss). */
async function checkInputs(config: ValidConfig, o: FirstOpen): Promise<SchemaOutcome> {
  const schema = await checkSchemas(schemaRequests(config), storeSchemaCache(o.first), undefined, isRemote);
  if (!schema.ok) {
    o.pre?.cancel();
    await o.first.close();
    throw new UserError(schema.error.reason);
  }
  return schema.value;
}

/** Takes the Outdir's lock (build, clean) and marks the formats; a lock held elsewhere is one line, exit 1. */
async function takeLock(f: SessionFlags, cacheDir: string, outdir: string, o: FirstOpen): Promise<Lock | null> {
  if (f.lock === undefined) return null;
  const l = acquireLock(outdir, f.lock);
  if (!l.ok) {
    o.pre?.cancel();
    await o.first.close();
    throw new UserError(formatFailure(l.error), 1);
  }
  markFormat('outdir', outdir, heppyVersion);
  markFormat('cache', cacheDir, heppyVersion);
  return l.value;
}

/** The records' heads, from the snapshot while it still holds (snap), else read from the store (snap null). */
interface Heads {
  store: Store;
  heads: RecordHeads;
  recordOf: (id: string) => TaskSummary | undefined;
  snap: Snapshot | null;
}

function readHeads(cacheDir: string, outdir: string, o: FirstOpen, lock: Lock | null): Heads {
  const { snap, first, firstNotice } = o;
  // Checked again now that the lock is held: a commit since (e.g. by a build that held the lock a
  // moment ago) makes the snapshot stale; its values read so far are facts keyed by content.
  if (snap !== null && storeState(cacheDir) === snap.state) return { store: first, heads: snap.heads, recordOf: (id) => first.getSummary(id), snap };
  if (snap !== null) first.forgetServed();
  let withRecords;
  try {
    withRecords = readRecords(cacheDir, outdir, { store: first, records: new Map(), notice: firstNotice });
  } catch (err) {
    lock?.release();
    throw err;
  }
  if (!withRecords.ok) {
    lock?.release();
    throw openFailureError(withRecords.error);
  }
  const { records, notice } = withRecords.value;
  if (notice && notice !== firstNotice) process.stderr.write(notice + '\n');
  return { store: withRecords.value.store, heads: RecordHeads.fromSummaries(records), recordOf: (id) => records.get(id), snap: null };
}

/** Confirms the schemas checked before planning against the digests the plan wrote (remote inputs: as planning got them). */
async function confirmRemoteSchemas(schema: SchemaOutcome, store: Store, digests: FileDigests): Promise<void> {
  if (!(schema.read.length > 0 || schema.deferred.length > 0 || schema.cached.some((c) => isRemote(c.request.file)))) return;
  await store.flush();                                 // the digests the plan wrote: the schemas' keys
  // Remote inputs: the digests planning got from the server (memoised: no new request).
  const remote = [...new Set([...schema.deferred, ...schema.cached.map((c) => c.request)].map((r) => r.file).filter(isRemote))];
  const planned = new Map<string, string>();
  for (const [u, d] of await digests.digestAll(remote)) if (d.ok) planned.set(u, d.value);
  const confirmed = await confirmSchemas(schema, storeSchemaCache(store, planned));
  if (!confirmed.ok) throw new UserError(confirmed.error.reason);
}
