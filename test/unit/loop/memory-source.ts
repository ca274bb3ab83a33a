// An in-memory EventSource for looper tests: files given as columns of numbers.
import type { Batch } from '../../../src/root/read/index.js';
import type { Column } from '../../../src/root/types.js';
import type { EventSource } from '../../../src/loop/source.js';

export type MemFile = Record<string, number[] | number[][]>;

function column(values: number[] | number[][], start: number, stop: number): Column {
  const part = values.slice(start, stop);
  if (part.length > 0 && Array.isArray(part[0])) {
    const rows = part as number[][];
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.length));
    return { kind: 'jagged', type: 'f8', values: Float64Array.from(rows.flat()), offsets };
  }
  return { kind: 'flat', type: 'f8', values: Float64Array.from(part as number[]) };
}

export class MemorySource implements EventSource {
  readonly entriesPerFile: number[];
  readonly columnBranches: string[];
  readonly requested: string[][] = [];
  closed = false;

  constructor(private readonly files: MemFile[], private readonly batchSize = 3) {
    this.entriesPerFile = files.map((f) => (Object.values(f)[0] ?? []).length);
    this.columnBranches = files.length > 0 ? Object.keys(files[0]!) : [];
  }

  async *batches(file: number, names: string[], start: number, stop: number): AsyncIterable<Batch> {
    this.requested.push([...names]);
    for (let a = start; a < stop; a += this.batchSize) {
      const b = Math.min(stop, a + this.batchSize);
      const columns: Record<string, Column> = {};
      for (const n of names) columns[n] = column(this.files[file]![n]!, a, b);
      yield { start: a, stop: b, columns };
    }
  }

  close(): void {
    this.closed = true;
  }
}
