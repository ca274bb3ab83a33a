// What the engine needs of a store, declared here and implemented by the LMDB store (src/store/)
// and by MemoryStore below: the engine's tests run on it, and `heppy check --resubmit` uses it for
// an Outdir whose store is not known (directories made elsewhere).
import type { JournalEntry } from '../exec/executor.js';
import type { DigestStore } from '../fingerprint/digests.js';
import type { DigestRecord, KeyParts, PlanHead, TaskRecord, TaskSummary } from '../store/records.js';

export interface TaskStore extends DigestStore {
  readonly outdir: string;
  getTask(nodeId: string): TaskRecord | undefined;
  /** The record without its key parts (one read fewer: what a node's attempt number needs). */
  getSummary(nodeId: string): TaskSummary | undefined;
  getParts(nodeId: string): KeyParts | undefined;
  allTasks(): Map<string, TaskSummary>;
  putTask(rec: TaskRecord): Promise<unknown>;
  deleteTask(nodeId: string): Promise<unknown>;
  /** Removes every record, journal entry and the plan of this Outdir; returns the number of task records. */
  clearOutdir(): Promise<number>;
  getPlan(): PlanHead | undefined;
  putPlan(p: PlanHead): Promise<unknown>;
  putJob(entry: JournalEntry): Promise<unknown>;
  listJobs(nodeId?: string): JournalEntry[];
  deleteJob(nodeId: string, attempt: number): Promise<unknown>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A store that lives as long as the process. */
export class MemoryStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly jobs = new Map<string, JournalEntry>();
  private readonly digests = new Map<string, DigestRecord>();
  private readonly sets = new Map<string, string>();
  private plan: PlanHead | undefined;

  constructor(readonly outdir: string) {}

  getTask(nodeId: string): TaskRecord | undefined {
    return this.tasks.get(nodeId);
  }

  getSummary(nodeId: string): TaskSummary | undefined {
    return this.tasks.get(nodeId);
  }

  getParts(nodeId: string): KeyParts | undefined {
    return this.tasks.get(nodeId)?.keyParts;
  }

  allTasks(): Map<string, TaskSummary> {
    const out = new Map<string, TaskSummary>();
    for (const [id, { keyParts: _, ...summary }] of this.tasks) out.set(id, summary);
    return out;
  }

  async putTask(rec: TaskRecord): Promise<unknown> {
    return this.tasks.set(rec.nodeId, rec);
  }

  async deleteTask(nodeId: string): Promise<unknown> {
    return this.tasks.delete(nodeId);
  }

  async clearOutdir(): Promise<number> {
    const n = this.tasks.size;
    this.tasks.clear();
    this.jobs.clear();
    this.plan = undefined;
    return n;
  }

  getPlan(): PlanHead | undefined {
    return this.plan;
  }

  async putPlan(p: PlanHead): Promise<unknown> {
    return (this.plan = p);
  }

  async putJob(e: JournalEntry): Promise<unknown> {
    return this.jobs.set(`${e.nodeId}|${e.attempt}`, e);
  }

  listJobs(nodeId?: string): JournalEntry[] {
    return [...this.jobs.values()].filter((j) => nodeId === undefined || j.nodeId === nodeId);
  }

  async deleteJob(nodeId: string, attempt: number): Promise<unknown> {
    return this.jobs.delete(`${nodeId}|${attempt}`);
  }

  getDigest(path: string): DigestRecord | undefined {
    return this.digests.get(path);
  }

  async putDigest(path: string, rec: DigestRecord): Promise<unknown> {
    return this.digests.set(path, rec);
  }

  getDigestSet(key: string, stats: string): string[] | undefined {
    const v = this.sets.get(key);
    return v !== undefined && v.startsWith(stats + '\u0000') ? v.slice(stats.length + 1).split(' ') : undefined;
  }

  async putDigestSet(key: string, stats: string, hashes: readonly string[]): Promise<unknown> {
    return this.sets.set(key, `${stats}\u0000${hashes.join(' ')}`);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
