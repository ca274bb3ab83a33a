// The build's store: one LMDB environment (default `cache/` next to the heppyfile) holding task
// records, file digests and the batch job journal. Only the build process writes it.
// Task and job keys are scoped by the absolute Outdir, so one cache can serve several Outdirs:
//   task:<outdir>|<nodeId>     TaskSummary (the record without its key parts: read in bulk)
//   parts:<outdir>|<nodeId>    KeyParts (read only to explain why a node runs)
//   job:<outdir>|<nodeId>|<attempt>   JournalEntry
//   digest:<absolute path>     DigestRecord (shared: a file's content does not depend on the Outdir)
//   digestset:<hash of a file list>   a digest of those files' stats + their digests (the no-op path)
//   schema:<digest>|<tree>     that tree's branches in the file of that content (src/schema)
//   plan:<outdir>              PlanHead: the last build's node set and its digest (engine/plan-record.ts)
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RootDatabase } from 'lmdb';
import type { JournalEntry } from '../exec/executor.js';
import { loadLmdb } from './lmdb-load.js';
import type { DigestRecord, KeyParts, PlanHead, TaskRecord, TaskSummary } from './records.js';
import { batchPolicy, WriteBatch, type BatchPolicy } from './write-batch.js';
import { StoreWrites } from './write-failure.js';

export type { DigestRecord, PlanHead, TaskRecord, TaskSummary, OutputRecord, KeyParts } from './records.js';

const END = '\uffff';

/** One LMDB environment in `dir`, lmdb loaded on first use (lmdb-load.ts: a no-op build never loads it). */
export function openDb(dir: string): RootDatabase {
  const { open } = loadLmdb();
  // commitDelay groups the other writes (digests, journal entries) made close together into one
  // commit; task records have their own, longer batches (write-batch.ts).
  return open({ path: dir, compression: false, noMemInit: true, commitDelay: 25 }) as RootDatabase;
}

/** Values read by key that a snapshot keeps (not task records: those are its heads). */
const SNAPSHOT_PREFIXES = ['digestset:', 'digest:', 'schema:', 'plan:'];
/** Keys kept at most; of them `digest:` keys (a cold plan reads one per input: not worth keeping all). */
const SNAPSHOT_MAX_KEYS = 256;
const SNAPSHOT_MAX_DIGESTS = 64;

/** A record in an older or damaged form is ignored: the node is then re-adopted from its marker or rerun. */
function parseSummary(value: unknown): TaskSummary | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const rec = JSON.parse(value) as TaskSummary;
    return typeof rec === 'object' && rec !== null && typeof rec.nodeId === 'string' ? rec : undefined;
  } catch {
    return undefined;
  }
}

export class Store {
  private readonly taskPrefix: string;
  private readonly partsPrefix: string;
  private readonly jobPrefix: string;

  /** Task records (and their key parts) waiting for their batched commit (write-batch.ts). */
  private readonly batch: WriteBatch;

  private opened: RootDatabase | null = null;
  /** Values served without opening LMDB (a valid snapshot's); a key written is dropped from it. */
  private served: Map<string, unknown> | null = null;
  /** Keys read one by one (for the next snapshot), in order, at most SNAPSHOT_MAX_KEYS. */
  private readonly readKeys = new Set<string>();
  /** Every LMDB write's outcome: a failed commit (a full disk) is kept here, never an unhandled rejection. */
  private readonly writes: StoreWrites;

  private constructor(private readonly opener: () => RootDatabase, readonly cacheDir: string, readonly outdir: string, policy: BatchPolicy) {
    this.taskPrefix = `task:${outdir}|`;
    this.partsPrefix = `parts:${outdir}|`;
    this.jobPrefix = `job:${outdir}|`;
    this.writes = new StoreWrites(join(cacheDir, 'data.mdb'));
    this.batch = new WriteBatch(policy, async (writes) => {
      const done: Array<Promise<boolean>> = [];
      for (const [key, p] of writes) done.push(this.writes.track(p === null ? this.db.remove(key) : this.db.put(key, p.value)));
      await Promise.all(done);
      await this.writes.unlessFailed(this.db.flushed);
    });
  }

  /** Opens (creating) the store in `cacheDir`, scoped to the task records of `outdir`. */
  static open(cacheDir: string, outdir: string, policy: BatchPolicy = batchPolicy()): Store {
    const dir = resolve(cacheDir);
    mkdirSync(dir, { recursive: true });
    const store = new Store(() => openDb(dir), dir, resolve(outdir), policy);
    void store.db;
    return store;
  }

  /**
   * A store opened only when first needed: reads of `served` keys (a valid snapshot's values) are
   * answered without LMDB; any other read, and any write, opens it through `opener` (open.ts: the
   * damage checks), once.
   */
  static lazy(cacheDir: string, outdir: string, opener: () => RootDatabase, served: Map<string, unknown>, policy: BatchPolicy = batchPolicy()): Store {
    const store = new Store(opener, resolve(cacheDir), resolve(outdir), policy);
    store.served = served;
    return store;
  }

  /** The LMDB environment, opened on first use. */
  private get db(): RootDatabase {
    if (this.opened === null) {
      this.opened = this.opener();
      this.writes.open();
    }
    return this.opened;
  }

  /** Stops serving snapshot values (the store they came from was replaced). */
  forgetServed(): void {
    this.served = null;
  }

  /** Whether LMDB was opened (a no-op build served by its snapshot never opens it). */
  get isOpen(): boolean {
    return this.opened !== null;
  }

  /** A value by key: from the snapshot's values when it has it, else from LMDB (noted for the next snapshot). */
  private getValue(key: string): unknown {
    if (this.served?.has(key)) {
      this.note(key);
      return this.served.get(key);
    }
    const v = this.db.get(key) as unknown;
    this.note(key);
    return v;
  }

  private digestKeys = 0;

  private note(key: string): void {
    if (this.readKeys.size >= SNAPSHOT_MAX_KEYS || this.readKeys.has(key) || !SNAPSHOT_PREFIXES.some((p) => key.startsWith(p))) return;
    // The schema check's few digests come first; a cold plan's thousands would crowd out the rest.
    if (key.startsWith('digest:') && ++this.digestKeys > SNAPSHOT_MAX_DIGESTS) return;
    this.readKeys.add(key);
  }

  /** A write (or removal) of `key` through LMDB: the snapshot's value of it is no longer the truth. */
  private written(key: string): RootDatabase {
    this.served?.delete(key);
    return this.db;
  }

  /**
   * The values of the keys read one by one, as LMDB has them now (call after flush()), and this
   * Outdir's journal (under the key `job:<outdir>|`): a snapshot's.
   */
  readValues(): Map<string, unknown> {
    const out = new Map<string, unknown>([[this.jobPrefix, this.listJobs()]]);
    for (const k of this.readKeys) {
      const v = this.db.get(k) as unknown;
      if (v !== undefined) out.set(k, v);
    }
    return out;
  }

  // ---- task records ----

  getTask(nodeId: string): TaskRecord | undefined {
    const t = parseSummary(this.read(this.taskPrefix + nodeId));
    if (t === undefined) return undefined;
    return { ...t, keyParts: this.getParts(nodeId) ?? { parts: {}, files: {} } };
  }

  getParts(nodeId: string): KeyParts | undefined {
    return this.read(this.partsPrefix + nodeId) as KeyParts | undefined;
  }

  /** One node's record without its key parts (what allTasks() holds for it). */
  getSummary(nodeId: string): TaskSummary | undefined {
    return parseSummary(this.read(this.taskPrefix + nodeId));
  }

  /** A value as the next commit will leave it (a pending write wins over the database). */
  private read(key: string): unknown {
    const p = this.batch.get(key);
    return p === undefined ? this.db.get(key) : p === null ? undefined : p.value;
  }

  /** Every task record of this Outdir (without key parts), read in one pass (the no-op build path). */
  allTasks(): Map<string, TaskSummary> {
    const out = new Map<string, TaskSummary>();
    for (const { value } of this.db.getRange({ start: this.taskPrefix, end: this.taskPrefix + END })) {
      const rec = parseSummary(value);
      if (rec) out.set(rec.nodeId, rec);
    }
    for (const [key, p] of this.batch.entries(this.taskPrefix)) {
      const rec = p === null ? undefined : parseSummary(p.value);
      if (rec) out.set(rec.nodeId, rec);
      else out.delete(key.slice(this.taskPrefix.length));
    }
    return out;
  }

  /**
   * Batched write: committed with the other records of the next half second (or 512 writes), or
   * by flush()/close(); resolves when committed. A record lost to a kill before its commit is
   * rebuilt from the chunk's marker by the next build (adopted).
   */
  putTask(rec: TaskRecord): Promise<boolean> {
    const { keyParts, ...summary } = rec;
    void this.batch.put(this.partsPrefix + rec.nodeId, keyParts);
    // Stored as JSON text: 10,000 of these are parsed on every build, and JSON.parse beats msgpack here.
    return this.batch.put(this.taskPrefix + rec.nodeId, JSON.stringify(summary));
  }

  deleteTask(nodeId: string): Promise<boolean> {
    void this.batch.remove(this.partsPrefix + nodeId);
    return this.batch.remove(this.taskPrefix + nodeId);
  }

  /** Removes every task record and journal entry of this Outdir (`heppy clean`). */
  async clearOutdir(): Promise<number> {
    await this.batch.flush();
    let n = 0;
    this.served = null;
    await this.writes.track(this.db.transaction(() => {
      this.db.removeSync(`plan:${this.outdir}`);
      for (const prefix of [this.taskPrefix, this.partsPrefix, this.jobPrefix]) {
        for (const key of this.db.getKeys({ start: prefix, end: prefix + END })) {
          this.db.removeSync(key);
          if (prefix === this.taskPrefix) n++;
        }
      }
    }));
    this.writes.check();
    return n;
  }

  // ---- the recorded plan ----

  getPlan(): PlanHead | undefined {
    const v = this.getValue(`plan:${this.outdir}`) as PlanHead | undefined;
    return typeof v === 'object' && v !== null && typeof v.digest === 'string' && Array.isArray(v.nodes) ? v : undefined;
  }

  putPlan(p: PlanHead): Promise<boolean> {
    return this.writes.track(this.written(`plan:${this.outdir}`).put(`plan:${this.outdir}`, p));
  }

  // ---- file digests ----

  // Digests are stored as one string 'size mtimeMs ino hash' (decoded 10,000 times per no-op build).
  getDigest(path: string): DigestRecord | undefined {
    const v = this.getValue('digest:' + path);
    if (typeof v !== 'string') return undefined;
    const [size, mtimeMs, ino, hash] = v.split(' ');
    if (hash === undefined) return undefined;
    return { size: Number(size), mtimeMs: Number(mtimeMs), ino: Number(ino), hash };
  }

  putDigest(path: string, rec: DigestRecord): Promise<boolean> {
    return this.writes.track(this.written('digest:' + path).put('digest:' + path, `${rec.size} ${rec.mtimeMs} ${rec.ino} ${rec.hash}`));
  }

  /**
   * The digests of a list of files (key: a hash of the list), stored after `stats` (what the files'
   * stats were, fingerprint/digests.ts: a digest of every file's size, mtime and inode): returned
   * only when `stats` is exactly the stored one (a no-op build of 10,000 inputs reads one record
   * instead of 10,000). One record per list: a new one replaces it.
   */
  getDigestSet(key: string, stats: string): string[] | undefined {
    const v = this.getValue('digestset:' + key);
    if (typeof v !== 'string' || v.length < stats.length + 1 || v.charCodeAt(stats.length) !== 0 || !v.startsWith(stats)) return undefined;
    return v.slice(stats.length + 1).split(' ');
  }

  putDigestSet(key: string, stats: string, hashes: readonly string[]): Promise<boolean> {
    return this.writes.track(this.written('digestset:' + key).put('digestset:' + key, `${stats}\u0000${hashes.join(' ')}`));
  }

  // ---- input structures (the schema check) ----

  /** A file's tree structure (src/schema), by its content digest: JSON text, or undefined. */
  getSchema(digest: string, tree: string): string | undefined {
    const v = this.getValue(`schema:${digest}|${tree}`);
    return typeof v === 'string' ? v : undefined;
  }

  putSchema(digest: string, tree: string, json: string): Promise<boolean> {
    return this.writes.track(this.written(`schema:${digest}|${tree}`).put(`schema:${digest}|${tree}`, json));
  }

  // ---- batch job journal ----

  private jobKey(nodeId: string, attempt: number): string {
    return `${this.jobPrefix}${nodeId}|${String(attempt).padStart(4, '0')}`;
  }

  /** Records a submitted job. Durable before it resolves, so that a killed build can re-attach. */
  putJob(entry: JournalEntry): Promise<boolean> {
    return this.writes.track(this.written(this.jobPrefix).put(this.jobKey(entry.nodeId, entry.attempt), entry));
  }

  /** Every journal entry of this Outdir, or only those of one node. */
  listJobs(nodeId?: string): JournalEntry[] {
    // Every build reads the whole journal (jobs to re-attach or cancel): a snapshot keeps it.
    const served = nodeId === undefined ? this.served?.get(this.jobPrefix) : undefined;
    if (Array.isArray(served)) return [...(served as JournalEntry[])];
    const start = nodeId === undefined ? this.jobPrefix : `${this.jobPrefix}${nodeId}|`;
    const out: JournalEntry[] = [];
    for (const { value } of this.db.getRange({ start, end: start + END })) out.push(value as JournalEntry);
    return out;
  }

  deleteJob(nodeId: string, attempt: number): Promise<boolean> {
    return this.writes.track(this.written(this.jobPrefix).remove(this.jobKey(nodeId, attempt)));
  }

  /** Commits the pending task records and waits until every queued write is on disk. */
  async flush(): Promise<void> {
    await this.writes.settle(async () => {
      await this.batch.flush();
      if (this.opened) await this.writes.unlessFailed(this.opened.flushed);
    });
  }

  private readonly closedHooks: Array<() => void> = [];

  /** Runs `fn` after a clean close (open.ts notes then that the data file is sound as written). */
  onClosed(fn: () => void): void {
    this.closedHooks.push(fn);
  }

  async close(): Promise<void> {
    await this.writes.settle(async () => {
      try {
        await this.batch.flush();
      } finally {
        if (this.opened) {
          await this.writes.unlessFailed(this.opened.flushed);
          await this.writes.unlessFailed(this.opened.close());
          this.writes.closed();
        }
      }
    });
    // Only a store closed with every write on disk is noted as sound (open.ts).
    for (const fn of this.closedHooks) fn();
  }
}
