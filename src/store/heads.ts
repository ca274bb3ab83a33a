// The heads of an Outdir's task records, in columns: what a build needs of every record to find
// the nodes that are up to date (status, key, result digest, recorded outputs), without one object
// per record and per output. Made from the parsed records (the slow path), or read back from the
// no-op snapshot (snapshot.ts) in a few string and typed-array decodes.
import type { OutputRecord, TaskSummary } from './records.js';

/** The columns as stored in a snapshot (JSON; numbers as base64 of their typed arrays). */
export interface HeadColumns {
  ids: string[];
  /** One character per record: 'o' ok, 'f' failed. */
  status: string;
  keys: string[];
  results: string[];
  /** Distinct output paths (relative to the node's directory). */
  paths: string[];
  /** base64 Int32Array: record i's outputs are [starts[i], starts[i + 1]). */
  starts: string;
  /** base64 Int32Array: index into `paths` per output. */
  pathIdx: string;
  /** base64 Float64Array per output. */
  sizes: string;
  mtimes: string;
}

const b64 = (a: Int32Array | Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromB64<T extends Int32Array | Float64Array>(s: string, make: (b: ArrayBuffer) => T, bytes: number): T {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % bytes !== 0) throw new Error('bad column length');
  const copy = new ArrayBuffer(buf.byteLength); // aligned (a Buffer's own offset may not be)
  new Uint8Array(copy).set(buf);
  return make(copy);
}

export class RecordHeads {
  private index: Map<string, number> | null = null;

  private constructor(
    readonly ids: readonly string[],
    private readonly statusChars: string,
    private readonly keys: readonly string[],
    private readonly results: readonly string[],
    readonly paths: readonly string[],
    /** Record i's outputs are [starts[i], starts[i + 1]). */
    readonly starts: Int32Array,
    readonly pathIdx: Int32Array,
    readonly sizes: Float64Array,
    readonly mtimes: Float64Array,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  /** The record index of a node, or -1. */
  indexOf(id: string): number {
    if (this.index === null) {
      this.index = new Map();
      for (let i = 0; i < this.ids.length; i++) this.index.set(this.ids[i]!, i);
    }
    return this.index.get(id) ?? -1;
  }

  ok(i: number): boolean {
    return this.statusChars.charCodeAt(i) === 111; // 'o'
  }

  key(i: number): string {
    return this.keys[i]!;
  }

  resultDigest(i: number): string {
    return this.results[i]!;
  }

  outputs(i: number): OutputRecord[] {
    const out: OutputRecord[] = [];
    for (let k = this.starts[i]!; k < this.starts[i + 1]!; k++) out.push({ path: this.paths[this.pathIdx[k]!]!, size: this.sizes[k]!, mtimeMs: this.mtimes[k]! });
    return out;
  }

  static fromSummaries(records: ReadonlyMap<string, TaskSummary>): RecordHeads {
    const ids: string[] = [];
    const keys: string[] = [];
    const results: string[] = [];
    let status = '';
    let n = 0;
    for (const r of records.values()) n += r.outputs.length;
    const starts = new Int32Array(records.size + 1);
    const pathIdx = new Int32Array(n);
    const sizes = new Float64Array(n);
    const mtimes = new Float64Array(n);
    const paths: string[] = [];
    const pathNo = new Map<string, number>();
    let k = 0;
    for (const r of records.values()) {
      ids.push(r.nodeId);
      keys.push(r.key);
      results.push(r.resultDigest);
      status += r.status === 'ok' ? 'o' : 'f';
      for (const o of r.outputs) {
        let p = pathNo.get(o.path);
        if (p === undefined) {
          p = paths.length;
          paths.push(o.path);
          pathNo.set(o.path, p);
        }
        pathIdx[k] = p;
        sizes[k] = o.size;
        mtimes[k] = o.mtimeMs;
        k++;
      }
      starts[ids.length] = k;
    }
    return new RecordHeads(ids, status, keys, results, paths, starts, pathIdx, sizes, mtimes);
  }

  toColumns(): HeadColumns {
    return { ids: [...this.ids], status: this.statusChars, keys: [...this.keys], results: [...this.results], paths: [...this.paths],
      starts: b64(this.starts), pathIdx: b64(this.pathIdx), sizes: b64(this.sizes), mtimes: b64(this.mtimes) };
  }

  /** Throws on columns that do not fit together (a damaged snapshot: the caller then reads the store). */
  static fromColumns(c: HeadColumns): RecordHeads {
    const n = c.ids.length;
    const starts = fromB64(c.starts, (b) => new Int32Array(b), 4);
    const pathIdx = fromB64(c.pathIdx, (b) => new Int32Array(b), 4);
    const sizes = fromB64(c.sizes, (b) => new Float64Array(b), 8);
    const mtimes = fromB64(c.mtimes, (b) => new Float64Array(b), 8);
    const outs = pathIdx.length;
    if (c.status.length !== n || c.keys.length !== n || c.results.length !== n || starts.length !== n + 1 || starts[0] !== 0 || starts[n] !== outs
      || sizes.length !== outs || mtimes.length !== outs) throw new Error('columns of different lengths');
    for (let i = 0; i < n; i++) if (starts[i + 1]! < starts[i]!) throw new Error('output ranges out of order');
    for (let k = 0; k < outs; k++) if (!(pathIdx[k]! >= 0 && pathIdx[k]! < c.paths.length)) throw new Error('output path out of range');
    return new RecordHeads(c.ids, c.status, c.keys, c.results, c.paths, starts, pathIdx, sizes, mtimes);
  }
}
