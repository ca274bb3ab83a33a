// The local executor: a pool of long-lived worker processes (child_process.fork), one chunk at a
// time each. A worker that dies (crash, out of memory, kill) fails only the chunk it was running,
// with the signal/exit code and the end of its stderr as the reason, and is replaced on demand.
import type { ChildProcess } from 'node:child_process';
import { childProcessModule } from '../../util/lazy-node.js';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Executor, ExecutorEvent, JobSpec, JournalEntry } from '../executor.js';
import type { TaskFailure } from '../../util/failure.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { bundledOr } from '../../util/bundled.js';
import { assertNever } from '../../util/result.js';

interface Worker {
  proc: ChildProcess;
  /**
   * The chunk the worker said it started and has not ended (`withdrawn`: taken back by withdraw()
   * while its start was on its way: its end and its death are not reported).
   */
  job: { spec: JobSpec; withdrawn: boolean } | null;
  /**
   * The chunks sent and not started yet, in order (with `job`, at most 1 + AHEAD): the worker
   * starts the next the moment it ends one, without a round trip through this process (busy with
   * a merge, or slow to answer), and says so; after a failure they wait, held, for resume() or
   * withdraw().
   */
  ahead: JobSpec[];
  stderr: string;
  /** How the process ended, once it has ('exit'); its death is handled when its channel is closed too. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** It started a chunk once: a worker that dies before that (a fork that failed) fails the first chunk sent to it. */
  startedAny: boolean;
  dead: boolean;
}

/** How long a worker's channel may stay open after its process exited (a child of it holding it). */
const CHANNEL_GRACE_MS = 2000;

export interface LocalPoolOptions {
  jobs: number;
  /** Extra Node flags for workers, e.g. ['--max-old-space-size=4096']. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** The Node binary the workers run (default: this one's; tests give a missing one). */
  execPath?: string;
}

// The bundle's worker entry when fresh (util/bundled.ts): a worker starts from a few files.
/**
 * Chunks sent ahead to each worker. One was not enough: with per-chunk timestamps in the workers
 * (1,000 trivial chunks, -j 2, load 14), a worker waited for its next chunk's message in ~75 % of
 * the gaps between chunks, the build's answer to an end taking longer than the next chunk's run.
 */
const AHEAD = 2;

const WORKER = bundledOr('worker', fileURLToPath(new URL('./worker.js', import.meta.url)));

/** Fork arguments of the workers of a pool with these options (the codec-thread rule: see workerEnv). */
function forkOptions(opts: LocalPoolOptions): { execArgv: string[]; env: NodeJS.ProcessEnv; execPath?: string } {
  const env = opts.env ?? process.env;
  const jobs = Math.max(1, opts.jobs);
  const codec = env.HEPPY_CODEC_THREAD !== undefined || 2 * jobs <= availableParallelism() ? env : { ...env, HEPPY_CODEC_THREAD: '0' };
  return { execArgv: opts.execArgv ?? [], env: codec, ...(opts.execPath !== undefined ? { execPath: opts.execPath } : {}) };
}

function forkWorker(opts: LocalPoolOptions): ChildProcess {
  return childProcessModule().fork(WORKER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], ...forkOptions(opts), serialization: 'json' });
}

/**
 * Workers forked ahead of their pool (LocalPool.prewarm: while the build plans), with their stderr
 * so far and whether they died meanwhile. Held without keeping this process alive (unref'd).
 */
interface Spare { proc: ChildProcess; stderr: string; dead: boolean }
let spares: { key: string; procs: Spare[] } | null = null;
const spareKey = (opts: LocalPoolOptions): string | null => (opts.env === undefined && opts.execPath === undefined ? JSON.stringify([Math.max(1, opts.jobs), opts.execArgv ?? []]) : null);

export class LocalPool implements Executor {
  readonly kind = 'local' as const;
  /**
   * 1 + AHEAD per worker: each worker has its next chunks sent ahead (Worker.ahead), and starts the
   * first the moment it ends one, without waiting for the build to confirm the last one and submit
   * the next.
   */
  readonly capacity: number;
  private readonly maxWorkers: number;
  private readonly workers: Worker[] = [];
  private readonly queue: JobSpec[] = [];
  private events: ExecutorEvent[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  /** cancelAll() was called: workers dying now were stopped by heppy (Ctrl-C), not by a fault. */
  private cancelling = false;
  /**
   * An attempt failed: nothing more starts until the scheduler has seen it and resumes (it may
   * stop the build instead, and withdraw what waits).
   */
  private held = false;

  constructor(private readonly opts: LocalPoolOptions) {
    this.maxWorkers = Math.max(1, opts.jobs);
    this.capacity = (1 + AHEAD) * this.maxWorkers;
  }

  private push(e: ExecutorEvent): void {
    this.events.push(e);
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /**
   * Forks the workers of a pool with these options now (the build calls it while it plans, when
   * the Outdir has never been built: there is work to run), so that their start-up (Node, heppy,
   * jsroot) overlaps the planning; the next pool with the same options takes them. Unused ones
   * do not keep this process alive, and exit with it. A worker's codec thread
   * (src/root/codec-ahead.ts) is turned off when the workers and their threads would outnumber the
   * cores (the thread then only competes with the other workers), unless HEPPY_CODEC_THREAD is set.
   * `chunks`: how many chunks the build has at most; no more workers than that are forked (the
   * pool itself forks one per chunk it runs at once: -j 64 for 3 chunks forks 3, not 64).
   */
  static prewarm(opts: LocalPoolOptions, chunks = Infinity): void {
    const key = spareKey(opts);
    if (key === null || spares !== null) return;
    const procs: Spare[] = [];
    for (let i = 0; i < Math.min(Math.max(1, opts.jobs), chunks); i++) {
      const s: Spare = { proc: forkWorker(opts), stderr: '', dead: false };
      s.proc.stderr?.on('data', (d: Buffer) => { s.stderr = (s.stderr + d.toString()).slice(-4000); });
      s.proc.once('exit', () => { s.dead = true; });
      s.proc.on('error', () => { s.dead = true; });
      s.proc.unref();
      (s.proc.channel as { unref?(): void } | undefined)?.unref?.();
      (s.proc.stderr as { unref?(): void } | null)?.unref?.();
      procs.push(s);
    }
    spares = { key, procs };
  }

  /** A prewarmed worker for this pool's options, if one is left and alive. */
  private takeSpare(): Spare | null {
    if (spares === null || spares.key !== spareKey(this.opts)) return null;
    for (let s = spares.procs.shift(); s !== undefined; s = spares.procs.shift()) {
      if (s.dead || s.proc.exitCode !== null || s.proc.signalCode !== null || !s.proc.connected) continue;
      s.proc.ref();
      (s.proc.channel as { ref?(): void } | undefined)?.ref?.();
      (s.proc.stderr as { ref?(): void } | null)?.ref?.();
      s.proc.stderr?.removeAllListeners('data');
      s.proc.removeAllListeners('exit');
      s.proc.removeAllListeners('error');
      return s;
    }
    return null;
  }

  private spawn(): Worker {
    const spare = this.takeSpare();
    const proc = spare?.proc ?? forkWorker(this.opts);
    const w: Worker = { proc, job: null, ahead: [], stderr: spare?.stderr ?? '', exited: null, startedAny: false, dead: false };
    proc.stderr?.on('data', (d: Buffer) => { w.stderr = (w.stderr + d.toString()).slice(-4000); });
    proc.on('message', (m: FromWorker) => this.onMessage(w, m));
    // A death is judged once every message the worker got out has been heard (its channel closed
    // after them): its last `started` without an `ended` names the chunk it killed.
    proc.on('exit', (code, signal) => {
      w.exited = { code, signal };
      if (!proc.connected) this.onDeath(w);
      else setTimeout(() => this.onDeath(w), CHANNEL_GRACE_MS).unref();
    });
    proc.on('disconnect', () => { if (w.exited !== null) this.onDeath(w); });
    // A fork that failed (EAGAIN: the user's process limit; ENOENT) emits 'error' and 'close', never
    // 'exit': its chunk fails with the error named, instead of waiting for an end forever.
    proc.on('error', (e) => { w.stderr = (w.stderr + `\n${e.message}`).slice(-4000); });
    proc.on('close', (code, signal) => { w.exited ??= { code, signal }; this.onDeath(w); });
    this.workers.push(w);
    return w;
  }

  private onMessage(w: Worker, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        break;
      case 'started': {
        // The head of `ahead`, unless withdraw() took it back while this was on its way.
        const first = w.ahead[0];
        const mine = first !== undefined && first.nodeId === m.nodeId && first.attempt === m.attempt;
        if (mine) w.ahead.shift();
        w.startedAny = true;
        w.job = { spec: mine ? first : { nodeId: m.nodeId, name: m.nodeId, chunkDir: '', attempt: m.attempt }, withdrawn: !mine };
        if (mine) this.push({ type: 'started', nodeId: m.nodeId, attempt: m.attempt });
        break;
      }
      case 'progress':
        this.push({ type: 'progress', nodeId: m.nodeId, events: m.events, ...(m.expected !== undefined ? { expected: m.expected } : {}) });
        break;
      case 'ended': {
        const job = w.job;
        if (job === null || job.spec.nodeId !== m.nodeId || job.spec.attempt !== m.attempt) break;
        w.job = null;
        if (!m.ok) this.hold();
        if (!job.withdrawn) this.push({ type: 'ended', end: m.ok
          ? { nodeId: m.nodeId, attempt: m.attempt, status: 'succeeded', eventsProcessed: m.eventsProcessed, ...(m.reported ? { reported: m.reported } : {}) }
          : { nodeId: m.nodeId, attempt: m.attempt, status: 'failed', failure: m.failure } });
        this.dispatch();
        break;
      }
      default:
        assertNever(m, 'worker message');
    }
  }

  /** The worker died (its exit and its last messages heard): it fails the chunk it had started, and only that one. */
  private onDeath(w: Worker): void {
    if (w.dead) return;
    w.dead = true;
    const { code, signal } = w.exited ?? { code: null, signal: null };
    this.workers.splice(this.workers.indexOf(w), 1);
    const ahead = w.ahead;
    // A worker that never came up (a fork that failed) fails the chunk waiting for it, with the
    // reason named, rather than passing it on to the next fork that would fail the same way.
    const job = w.job ?? (!w.startedAny && ahead.length > 0 ? { spec: ahead.shift()!, withdrawn: false } : null);
    w.job = null;
    w.ahead = [];
    // The chunks sent ahead never started: back to the front of the queue (withdrawn if the build stops).
    if (ahead.length > 0 && !this.closed) this.queue.unshift(...ahead);
    if (job && !job.withdrawn && !this.closed) {
      this.hold();
      const failure: TaskFailure = this.cancelling ? { kind: 'interrupted', reason: `stopped by heppy (worker ${signal ?? `exit ${code}`})` } : workerDeath(code, signal, w.stderr);
      this.push({ type: 'ended', end: { nodeId: job.spec.nodeId, attempt: job.spec.attempt, status: 'failed', failure, exitCode: code ?? undefined } });
    }
    if (!this.closed && !this.cancelling) this.dispatch();
  }

  /** A failure: nothing more starts until resume(); workers are told not to start what they were sent ahead. */
  private hold(): void {
    if (this.held) return;
    this.held = true;
    for (const w of this.workers) if (!w.dead && w.ahead.length > 0) this.tell(w, { type: 'hold' });
  }

  private tell(w: Worker, m: ToWorker): void {
    try { w.proc.send(m); } catch { /* a worker that just died: its exit is reported */ }
  }

  private dispatch(): void {
    const load = (x: Worker): number => (x.job !== null ? 1 : 0) + x.ahead.length;
    while (this.queue.length > 0 && !this.held) {
      // An idle worker (none idle: a new one), else the one with the fewest chunks sent and not ended.
      let w = this.workers.find((x) => load(x) === 0 && !x.dead);
      if (!w && this.workers.length < this.maxWorkers) w = this.spawn();
      for (const x of this.workers) if (!x.dead && load(x) <= AHEAD && (!w || load(x) < load(w))) w = x;
      if (!w) return;
      const job = this.queue.shift()!;
      const msg: ToWorker = { type: 'run', nodeId: job.nodeId, attempt: job.attempt, chunkDir: job.chunkDir, ...(job.spec !== undefined ? { spec: job.spec } : {}),
        ...(job.keepIn !== undefined ? { keepIn: job.keepIn } : {}) };
      w.proc.send(msg);
      w.ahead.push(job); // started when the worker says so
    }
  }

  async submit(jobs: JobSpec[]): Promise<void> {
    this.queue.push(...jobs);
    this.dispatch();
  }

  /**
   * Jobs submitted but not started: taken back, they will not run (a worker drops what it was sent
   * ahead). A worker that ends its chunk OK before the drop reaches it starts the one sent ahead
   * anyway (its `started` says so; its end and its death are not reported; the next build adopts
   * that chunk from its marker).
   */
  withdraw(): JobSpec[] {
    const out = this.queue.splice(0);
    for (const w of this.workers) {
      if (w.ahead.length === 0) continue;
      out.push(...w.ahead);
      w.ahead = [];
      if (!w.dead) this.tell(w, { type: 'drop' });
    }
    return out;
  }

  /** The scheduler has seen the failures so far and goes on: waiting jobs may start. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    // A worker held since its last end starts what it was sent ahead now (and says so).
    for (const w of this.workers) if (!w.dead) this.tell(w, { type: 'resume' });
    this.dispatch();
  }

  /** Local workers die with their build: there is never anything to re-attach to. */
  async adopt(_entries: JournalEntry[]): Promise<JournalEntry[]> {
    return [];
  }

  async next(): Promise<ExecutorEvent[]> {
    if (this.events.length === 0) await new Promise<void>((res) => { this.wake = res; });
    const out = this.events;
    this.events = [];
    return out;
  }

  async cancelAll(): Promise<void> {
    this.cancelling = true;
    this.queue.length = 0;
    for (const w of this.workers) w.proc.kill('SIGTERM');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    const exits = this.workers.map((w) => new Promise<void>((res) => {
      if (w.dead) return res();
      w.proc.once('exit', () => res());
      w.proc.disconnect?.();
      setTimeout(() => { if (!w.dead) w.proc.kill('SIGKILL'); }, 2000).unref();
    }));
    await Promise.all(exits);
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/**
 * Why a worker died while running a chunk: V8's heap limit or a kill by a signal (the kernel's OOM
 * killer sends SIGKILL) is a resource failure; any other exit (the worker lost its way: a crash of
 * Node itself, an exit nobody asked for) an infrastructure one.
 */
export function workerDeath(code: number | null, signal: NodeJS.Signals | null, stderr: string): TaskFailure {
  const tail = stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' | ');
  const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
  const heap = /heap out of memory|Allocation failed/i.test(stderr);
  const reason = `worker process ${how}${heap ? ' (out of memory)' : ''}${tail ? `: ${tail}` : ''}`;
  if (heap) return { kind: 'resource', resource: 'memory', reason, ...(signal ? { signal } : {}) };
  if (signal) return { kind: 'resource', resource: 'signal', signal, reason };
  return { kind: 'infrastructure', reason };
}
