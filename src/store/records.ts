// The records the build keeps in its store. Plain JSON-able objects (lmdb encodes them with msgpack).
import type { TaskFailure } from '../util/failure.js';

/** One output file of a node, relative to the node's directory, as it was when the node succeeded. */
export interface OutputRecord {
  path: string;
  size: number;
  mtimeMs: number;
}

export type { KeyParts } from '../graph/keys.js';
import type { KeyParts } from '../graph/keys.js';

/** The last result of one node (a chunk or a hadd), without its key parts (read in bulk). */
export type TaskSummary = Omit<TaskRecord, 'keyParts'>;

/** The last result of one node (a chunk or a hadd). */
export interface TaskRecord {
  nodeId: string;
  kind: 'chunk' | 'hadd';
  status: 'ok' | 'failed';
  key: string;
  keyParts: KeyParts;
  /** Digest over the outputs (names, sizes, mtimes): what a hadd node's key is computed from. */
  resultDigest: string;
  outputs: OutputRecord[];
  /** The number of its last attempt (numbers continue across builds and resubmissions). */
  attempts: number;
  eventsProcessed: number;
  reason?: string;
  /** Why the last attempt failed, typed (status 'failed'). */
  failure?: TaskFailure;
  log?: string;
  finishedAt: number;
  durationMs: number;
  /** When the output cache entry it was restored from was built (absent: it ran). */
  restoredFrom?: string;
}

/** A cached file digest, valid while (size, mtime, inode) are unchanged. */
export interface DigestRecord {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

/** The node set the last build of an Outdir planned (its full form is Outdir/.heppy/plan.json). */
export interface PlanHead {
  /** Digest of the plan (node ids and keys, bundle, options, -N): unchanged plans are not rewritten. */
  digest: string;
  /** Node ids, chunks then merges. */
  nodes: string[];
  createdAt: number;
}
