// One event as analyzers see it: fast access to the current row of the columns read in batches.
// Analyzers may attach their own data to it (event.leptons = …), as in heppy.
import type { Column, NumArray } from '../root/types.js';
import type { Setup } from '../config/analyzer.js';

/** This event's values of an array branch: `values[start] … values[end - 1]`. */
export interface ArrayRange {
  values: NumArray;
  start: number;
  end: number;
}

/** One column of the current batch, with the reusable range object of `event.range()`. */
export interface ColumnSlot {
  col: Column;
  range: ArrayRange;
}

/** The per-batch lookup table the looper builds once per batch (a Map: fast for dynamic names). */
export function columnSlots(columns: Record<string, Column>): Map<string, ColumnSlot> {
  const m = new Map<string, ColumnSlot>();
  for (const [name, col] of Object.entries(columns)) m.set(name, { col, range: { values: col.values, start: 0, end: 0 } });
  return m;
}

export class Event {
  [attr: string]: unknown;
  /** Weight analyzers may set and use (heppy's eventWeight). */
  eventWeight = 1;

  constructor(
    /** Index of the event in the chunk's input (concatenated files), as heppy's iEv. */
    readonly iEv: number,
    private readonly columns: ReadonlyMap<string, ColumnSlot>,
    private readonly row: number,
    readonly setup: Setup,
  ) {}

  /** A scalar branch as a number, an array branch as a typed-array view of this event's values. */
  get(branch: string): number | NumArray {
    const c = this.col(branch);
    return c.kind === 'flat' ? Number(c.values[this.row]!) : this.array(branch);
  }

  /** A scalar branch as a number (an error for array branches). */
  scalar(branch: string): number {
    const c = this.col(branch);
    if (c.kind !== 'flat') throw new Error(`branch ${branch} is an array (${c.kind}); use event.array('${branch}')`);
    return Number(c.values[this.row]!);
  }

  /** An array branch (fixed or variable length) as a typed-array view. */
  array(branch: string): NumArray {
    const r = this.range(branch);
    return r.values.subarray(r.start, r.end);
  }

  /**
   * An array branch without allocating: the values are `values[start] … values[end - 1]`. The
   * returned object is reused (overwritten by the next range() of the same branch): read it at once.
   */
  range(branch: string): ArrayRange {
    const slot = this.columns.get(branch);
    if (slot === undefined) throw missing(branch);
    const c = slot.col, r = slot.range;
    switch (c.kind) {
      case 'flat': throw new Error(`branch ${branch} is a scalar; use event.scalar('${branch}')`);
      case 'fixed': r.start = this.row * c.size; r.end = r.start + c.size; return r;
      case 'jagged': r.start = c.offsets[this.row]!; r.end = c.offsets[this.row + 1]!; return r;
    }
  }

  /** The branches read for this event (in reading order). */
  branchNames(): string[] {
    return [...this.columns.keys()];
  }

  /** Whether the branch was read (analyzers that declare `static branches` get only those). */
  has(branch: string): boolean {
    return this.columns.has(branch);
  }

  private col(branch: string): Column {
    const slot = this.columns.get(branch);
    if (slot === undefined) throw missing(branch);
    return slot.col;
  }
}

function missing(branch: string): Error {
  return new Error(`branch '${branch}' was not read: it is not in the tree, or missing from the analyzers' static branches list`);
}
