// Runs one chunk (what `heppy run-chunk DIR` and the local workers do): import the analysis bundle,
// build the chunk's component and analyzers, loop over the event window, write every output,
// log.txt and the marker in a temporary directory, then swap it into place. A failure still
// produces a chunk directory: its log.txt says why and its marker says 'failed'. Every run writes
// the spec it ran (chunk.json) and a batchScript.sh that redoes it into its result: nothing of an
// earlier run is carried forward.
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { instantiateAnalyzer, type Analyzer, type Setup } from '../config/analyzer.js';
import type { Component } from '../config/component.js';
import { isConfig, type Config } from '../config/config.js';
import { setGlobalOptions } from '../config/options.js';
import { mapStack } from '../config/load-sourcemap.js';
import { RootError } from '../root/errors.js';
import { RemoteError, failureKindOf } from '../io/errors.js';
import { bytesReadSoFar } from '../root/read/io-stats.js';
import { residentBytes } from '../util/rss.js';
import { errnoOf, errnoText, isDiskFull, systemFailure } from '../util/environment-error.js';
import { Counter, type WeightSource } from '../stats/counter.js';
import { GEN_WEIGHTS, writeStat } from '../stats/sidecar.js';
import type { Event } from './event.js';
import { formatTaskFailure, TaskFailureError, type TaskFailure } from '../util/failure.js';
import { assertNever, ok, type Failure, type Result } from '../util/result.js';
import { writeBatchScript } from '../chunkdir/batch-script.js';
import { listOutputStats, writeFreshMarker, type ChunkMarker, type RunMetrics } from '../chunkdir/marker.js';
import { MARKER_FILE, RUN_FILES, outdirOf } from '../chunkdir/layout.js';
import { writeChunkSpec, type ChunkSpec } from '../chunkdir/spec.js';
import { makeTmpDir, swapIntoPlace } from '../chunkdir/swap.js';
import { cfgText } from './cfg-text.js';
import { failureLog, successLog } from './log-text.js';
import { analysisFailure, branchesToRead, runLoop, runPhase, type LoopHooks, type LoopResult } from './looper.js';
import { AnalyzerOutputs } from './outputs.js';
import { RootChainSource, type EventSource } from './source.js';
import { eventWindow, type EventWindow } from './window.js';

/** A file of the result as the build records it (store/records.ts OutputRecord). */
export interface ResultFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ChunkOutcome {
  chunkDir: string;
  marker: ChunkMarker;
  /**
   * The result's files as chunkdir/results.ts statOutputs would find them right after the swap
   * (the marker's outputs minus the run files, then the marker), with sizes and mtimes: the build
   * records these without reading the directory again.
   */
  files: ResultFile[];
}

/** A failed chunk: where (file: the log, object: the chunk) and why, typed. */
export type ChunkFailed = Failure & { failure: TaskFailure };

export interface RunChunkHooks extends LoopHooks {
  /** Replaces the ROOT input (tests). */
  openSource?(spec: ChunkSpec): Promise<EventSource>;
  /** Replaces importing spec.bundle (tests). */
  loadConfig?(spec: ChunkSpec): Promise<unknown>;
  /** Replaces the chunk's event window (`heppy run --events A:B`), given the entries of each file. */
  window?(entriesPerFile: readonly number[]): EventWindow;
  /** Each line an analyzer logs, as it logs it (`heppy run`). */
  onLog?(analyzer: string, message: string): void;
  /** Called with the finished tmp dir right before it is swapped into place (a local worker ends itself there when its build is gone). */
  beforeSwap?(tmp: string): void;
}

/**
 * The bundles this process imported, by path: import() caches the module by URL, but each call
 * still resolves it through the ESM loader (a long-lived worker asks once per chunk).
 */
const imported = new Map<string, Promise<unknown>>();
/** Imports a bundle once per process and returns its Config. */
async function importConfig(spec: ChunkSpec): Promise<unknown> {
  setGlobalOptions(spec.options);
  let config = imported.get(spec.bundle);
  if (config === undefined) {
    config = import(pathToFileURL(spec.bundle).href).then((mod: { default?: unknown; config?: unknown }) => mod.default ?? mod.config);
    imported.set(spec.bundle, config);
    // A failed import is not kept: the next chunk tries again and reports its own failure.
    config.catch(() => imported.delete(spec.bundle));
  }
  return config;
}

/** The chunk's component as heppy's split() makes it: a copy named after the chunk with its files. */
export function chunkComponent(comp: Component, spec: ChunkSpec): Component {
  return comp.clone({ name: spec.name, files: [...spec.files], ...(spec.fineSplit ? { fineSplit: [...spec.fineSplit] } : {}) });
}

/**
 * The failure of an exception that reached the chunk runner outside an analyzer's call: a typed one
 * as thrown (schema), ROOT I/O (input: names the file), a system error (errno code: disk full, an
 * unreadable bundle: infrastructure), anything else thrown while loading the analysis (analysis).
 */
export function classifyError(e: unknown): TaskFailure {
  if (e instanceof TaskFailureError) return e.failure;
  // Before RootError: the ROOT writer's failed write names the file, its cause says the disk is full.
  const system = systemFailure(errnoOf(e), diskText(e));
  if (system !== null) return system;
  if (e instanceof RootError) return { kind: 'input', file: e.file, reason: e.reason, ...(e.object ? { object: e.object } : {}) };
  // A remote input: the network or a busy server is worth retrying (infrastructure), a missing file is not (input).
  if (e instanceof RemoteError) {
    return failureKindOf(e.kind) === 'input' ? { kind: 'input', file: e.url, reason: e.reason } : { kind: 'infrastructure', reason: `${e.url}: ${e.reason}` };
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && typeof code === 'string') return { kind: 'infrastructure', reason: errnoText(code, e.message) };
  if (e instanceof Error) return { kind: 'analysis', reason: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { kind: 'analysis', reason: String(e) };
}

/** A full disk's reason: Node's errno text said once, or the wrapping error's (it names the file). */
function diskText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? errnoText(code, (e as Error).message) : String((e as Error | null)?.message ?? e);
}

/** The Failure shape of a chunk's TaskFailure: the file at fault (else the log), chunk: object, reason. */
function culprit(f: TaskFailure, chunk: string, log: string): Failure {
  switch (f.kind) {
    case 'input':
      return { file: f.file, object: [chunk, f.object].filter(Boolean).join(': '), reason: f.reason };
    case 'schema':
      return { file: f.file, object: `${chunk}: ${f.tree}${f.branch !== undefined ? `/${f.branch}` : ''}`, reason: f.reason };
    case 'analysis':
      return { file: log, object: [chunk, f.analyzer].filter(Boolean).join(': '), reason: f.event !== undefined ? `event ${f.event}: ${f.reason}` : f.reason };
    case 'resource':
    case 'infrastructure':
    case 'interrupted':
      return { file: log, object: chunk, reason: f.reason };
    default:
      return assertNever(f, 'failure');
  }
}

/**
 * The resident set size sampled at most every 20 ms across the process's runs (a long-lived worker
 * runs chunk after chunk: a run of a few ms takes the latest sample instead of reading again).
 */
const rssSample = { at: -Infinity, bytes: 0 };
function sampledRss(force: boolean): number {
  const t = performance.now();
  if (force || t - rssSample.at >= 20) {
    rssSample.at = t;
    rssSample.bytes = residentBytes();
  }
  return rssSample.bytes;
}

/** Measures a run: wall and CPU time, bytes read, and the peak RSS sampled by sample(). */
class Meter {
  private readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private readonly bytes0 = bytesReadSoFar();
  private peak = sampledRss(false);
  /** At most every 20 ms (per process): reading the RSS is a system call. */
  sample(): void {
    const r = sampledRss(false);
    if (r > this.peak) this.peak = r;
  }
  metrics(): RunMetrics {
    // A run longer than the sampling interval is sampled at its end too.
    const r = sampledRss(performance.now() - this.t0 >= 20);
    if (r > this.peak) this.peak = r;
    const cpu = process.cpuUsage(this.cpu0);
    return { wallMs: Math.round(performance.now() - this.t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssBytes: this.peak, bytesRead: bytesReadSoFar() - this.bytes0 };
  }
}

/** The component's generator-weight branch (`genWeightBranch`), with the counter summing it. */
function genWeights(comp: Component, weightFrom: WeightSource): { branch: string; counter: Counter } | undefined {
  const branch = comp.genWeightBranch;
  if (typeof branch !== 'string' || branch === '') return undefined;
  const counter = new Counter(GEN_WEIGHTS).register('events');
  counter.weightFrom = weightFrom;
  return { branch, counter };
}

/** This host's name, asked once per process (a uname system call per chunk otherwise). */
let host: string | undefined;
const hostName = (): string => (host ??= hostname());

/** Closes the analyzers' open ROOT files after a failure (a long-lived worker must not leak them). */
async function abandon(outputs: AnalyzerOutputs[]): Promise<void> {
  for (const o of outputs) await o.abandon();
}

export async function runChunk(spec: ChunkSpec, chunkDir: string, hooks: RunChunkHooks = {}): Promise<Result<ChunkOutcome, ChunkFailed>> {
  return new ChunkRun(spec, chunkDir, hooks).run();
}

/** The chunk's Config and its component as this chunk runs it. */
interface Loaded { config: Config; chunkComp: Component; componentText: string }

/** What the write phase needs of the run. */
interface Written { analyzers: Analyzer<object>[]; setup: Setup; gen: { counter: Counter } | undefined; componentText: string }

/** One run of a chunk: its steps, and what its log and marker need, gathered as it goes. */
class ChunkRun {
  private readonly startedAt = new Date().toISOString();
  private readonly meter = new Meter();
  private readonly tmp: string;
  private componentText: string | null = null;
  private expectedEvents: number | null = null;
  private source: EventSource | null = null;
  private readonly outputs: AnalyzerOutputs[] = [];

  constructor(private readonly spec: ChunkSpec, private readonly chunkDir: string, private readonly hooks: RunChunkHooks) {
    this.tmp = makeTmpDir(outdirOf(chunkDir), spec.name, spec.attempt);
  }

  async run(): Promise<Result<ChunkOutcome, ChunkFailed>> {
    try {
      return await this.steps();
    } catch (e) {
      await abandon(this.outputs);
      return this.failed(classifyError(e));
    } finally {
      this.source?.close();
    }
  }

  private async steps(): Promise<Result<ChunkOutcome, ChunkFailed>> {
    const { spec, hooks } = this;
    const loaded = await this.load();
    if (!loaded.ok) return this.failed(loaded.error);
    const { config, chunkComp, componentText } = loaded.value;
    const source = this.source = hooks.openSource ? await hooks.openSource(spec) : await RootChainSource.open(spec.files, spec.tree);
    const total = source.entriesPerFile.reduce((a, b) => a + b, 0);
    const window = hooks.window ? hooks.window(source.entriesPerFile) : eventWindow(total, spec.fineSplit, spec.maxEvents);
    this.expectedEvents = window.n;

    const setup: Setup = { config, services: config.services, component: chunkComp };
    // Counters weigh each entry with the eventWeight of the event going through the sequence.
    const current: { event: Event | null } = { event: null };
    const gen = genWeights(chunkComp, current);
    const analyzers = await this.makeAnalyzers(config, chunkComp, current);
    if (!analyzers.ok) return this.failed(analyzers.error);
    const branches = branchesToRead(analyzers.value, source.columnBranches, gen ? [gen.branch] : []);
    if (source instanceof RootChainSource) source.check(branches, spec.files, spec.tree);

    const loop = await runLoop(analyzers.value, source, window, branches, setup, this.loopHooks(), { current, ...(gen ? { genWeight: gen } : {}) });
    if (!loop.ok) { await abandon(this.outputs); return this.failed(loop.error); }
    return this.write({ analyzers: analyzers.value, setup, gen, componentText }, loop.value);
  }

  /** Imports the analysis and builds the chunk's component (its text goes into log.txt). */
  private async load(): Promise<Result<Loaded, TaskFailure>> {
    const { spec, hooks } = this;
    const cfg = await (hooks.loadConfig ?? importConfig)(spec);
    if (!isConfig(cfg)) return { ok: false, error: { kind: 'analysis', file: spec.bundle, reason: 'the analysis bundle does not export a Config (export default new Config({...}))' } };
    const config = cfg as Config;
    const comp = config.component(spec.component);
    if (comp === undefined) return { ok: false, error: { kind: 'analysis', file: spec.bundle, reason: `the Config has no component named ${spec.component}` } };
    const chunkComp = chunkComponent(comp, spec);
    const componentText = this.componentText = cfgText(comp.constructor.name, chunkComp as Record<string, unknown>);
    if (spec.fineSplit !== null && spec.fineSplit[1] > 1 && spec.files.length !== 1) {
      return { ok: false, error: { kind: 'analysis', reason: `fineSplit needs exactly one file per chunk, this chunk has ${spec.files.length}` } };
    }
    return ok({ config, chunkComp, componentText });
  }

  /** The sequence's analyzers, each with its outputs in the tmp dir; a constructor that throws fails the chunk. */
  private async makeAnalyzers(config: Config, chunkComp: Component, current: { event: Event | null }): Promise<Result<Analyzer<object>[], TaskFailure>> {
    const analyzers: Analyzer<object>[] = [];
    for (const decl of config.sequence) {
      const out = new AnalyzerOutputs(decl.name, decl.params as Record<string, unknown>, chunkComp, join(this.tmp, decl.name), current, this.hooks.onLog);
      try {
        analyzers.push(instantiateAnalyzer(decl.analyzerClass!, out));
      } catch (e) {
        await abandon(this.outputs);
        return { ok: false, error: analysisFailure(e, decl.name, { phase: 'constructor' }) };
      }
      this.outputs.push(out);
    }
    return ok(analyzers);
  }

  private loopHooks(): LoopHooks {
    const { hooks, meter } = this;
    return {
      onProgress: (processed, expected) => { meter.sample(); hooks.onProgress?.(processed, expected); },
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.clock ? { clock: hooks.clock } : {}),
      ...(hooks.eventLineIntervalMs !== undefined ? { eventLineIntervalMs: hooks.eventLineIntervalMs } : {}),
      ...(hooks.afterEvent ? { afterEvent: hooks.afterEvent } : {}),
    };
  }

  /** After the loop: the analyzers' write phase, their files closed, the weights' sidecar, log.txt, and the ok marker. */
  private async write(w: Written, r: LoopResult): Promise<Result<ChunkOutcome, ChunkFailed>> {
    const { analyzers, setup, gen, componentText } = w;
    const written = await runPhase(analyzers, 'write', setup);
    if (!written.ok) { await abandon(this.outputs); return this.failed(written.error, r.early); }
    for (const [i, o] of this.outputs.entries()) {
      try {
        await o.finish();
      } catch (e) {
        await abandon(this.outputs);
        // Writing an analyzer's files: ROOT I/O or the file system, not the analysis.
        const f = classifyError(e);
        return this.failed(f.kind === 'analysis' ? { ...f, analyzer: analyzers[i]!.name } : f, r.early);
      }
    }
    if (gen) writeStat(this.tmp, gen.counter);
    writeFileSync(join(this.tmp, 'log.txt'), successLog({
      early: r.early, componentText, timeReport: r.timeReport, analyzersCounter: r.analyzersCounter, eventsProcessed: r.eventsProcessed,
    }));
    return ok(this.finish('ok', r.eventsProcessed, r.userStop));
  }

  private finish(status: 'ok' | 'failed', eventsProcessed: number | null, userStop: boolean, failure?: TaskFailure): ChunkOutcome {
    const { spec, tmp, chunkDir } = this;
    // What this run ran, and the script that runs it again (never a copy of an earlier run's).
    // The tmp dir is seen by nobody before the swap: files go in directly, the marker last.
    writeChunkSpec(tmp, spec, true);
    writeBatchScript(chunkDir, {}, { attempt: spec.attempt, key: spec.key }, tmp);
    const stats = listOutputStats(tmp);
    const marker: ChunkMarker = {
      kind: 'chunk', status, key: spec.key, attempt: spec.attempt, exitCode: status === 'ok' ? 0 : 1,
      eventsProcessed, expectedEvents: this.expectedEvents, userStop, ...(failure !== undefined ? { reason: `${spec.name}: ${formatTaskFailure(failure)}`, failure } : {}),
      outputs: stats.map(({ path, size }) => ({ path, size })), host: hostName(), pid: process.pid, startedAt: this.startedAt, finishedAt: new Date().toISOString(),
      metrics: this.meter.metrics(),
    };
    const m = writeFreshMarker(tmp, marker);
    // No fsync: a kill -9 loses nothing written; after a crash of the machine, a file cut short
    // differs from the size its marker lists, and the build runs the chunk again (engine/decide.ts).
    this.hooks.beforeSwap?.(tmp);
    swapIntoPlace(tmp, chunkDir);
    const files = [...stats.filter((f) => !RUN_FILES.has(f.path)), { path: MARKER_FILE, ...m }];
    return { chunkDir, marker, files };
  }

  private failed(raw: TaskFailure, early: string[] = []): Result<ChunkOutcome, ChunkFailed> {
    const { spec, tmp, chunkDir } = this;
    // An exception in the analysis names the user's .ts file:line:col, not the bundle's.
    const f: TaskFailure = raw.kind === 'analysis' && raw.stack !== undefined ? { ...raw, ...mapStack(raw.stack, spec.bundle) } : raw;
    const reason = formatTaskFailure(f);
    try {
      writeFileSync(join(tmp, 'log.txt'), failureLog(early, this.componentText, `${spec.name}: ${reason}`, f.kind === 'analysis' ? f.stack : undefined));
      this.finish('failed', null, false, f);
    } catch (e) {
      // Nothing of this attempt stays in .heppy/tmp (a full disk would keep what filled it).
      rmSync(tmp, { recursive: true, force: true });
      const disk = isDiskFull(e) || (f.kind === 'resource' && f.resource === 'disk');
      // The new failure's kind is printed before its reason: a disk failure does not say "resource" twice.
      const first = f.kind === 'resource' && f.resource === 'disk' ? f.reason : reason;
      const why = `${first}; and the failed chunk could not be recorded: ${(e as Error).message}`;
      const failure: TaskFailure = disk ? { kind: 'resource', resource: 'disk', reason: why } : { kind: 'infrastructure', reason: why };
      return { ok: false, error: { file: chunkDir, object: spec.name, reason: failure.reason, failure } };
    }
    return { ok: false, error: { ...culprit(f, spec.name, join(chunkDir, 'log.txt')), failure: f } };
  }
}
