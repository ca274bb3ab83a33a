// One event as analyzers see it: fast access to the current row of the columns read in batches.
// Analyzers may attach their own data to it (event.leptons = …), as in heppy.
import type { Column, NumArray } from '../root/types.js';
import type { Setup } from '../config/analyzer.js';

export class Event {
  [attr: string]: unknown;
  /** Weight analyzers may set and use (heppy's eventWeight). */
  eventWeight = 1;

  constructor(
    /** Index of the event in the chunk's input (concatenated files), as heppy's iEv. */
    readonly iEv: number,
    /** The current batch's columns (a Map: faster than a many-keyed object for dynamic names). */
    private readonly columns: ReadonlyMap<string, Column>,
    private readonly row: number,
    readonly setup: Setup,
  ) {}

  /** A scalar branch as a number, an array branch as a typed-array view of this event's values. */
  get(branch: string): number | NumArray {
    const c = this.col(branch);
    switch (c.kind) {
      case 'flat': return Number(c.values[this.row]!);
      case 'fixed': return c.values.subarray(this.row * c.size, (this.row + 1) * c.size);
      case 'jagged': return c.values.subarray(c.offsets[this.row]!, c.offsets[this.row + 1]!);
    }
  }

  /** A scalar branch as a number (an error for array branches). */
  scalar(branch: string): number {
    const c = this.col(branch);
    if (c.kind !== 'flat') throw new Error(`branch ${branch} is an array (${c.kind}); use event.array('${branch}')`);
    return Number(c.values[this.row]!);
  }

  /** An array branch (fixed or variable length) as a typed-array view. */
  array(branch: string): NumArray {
    const c = this.col(branch);
    switch (c.kind) {
      case 'flat': throw new Error(`branch ${branch} is a scalar; use event.scalar('${branch}')`);
      case 'fixed': return c.values.subarray(this.row * c.size, (this.row + 1) * c.size);
      case 'jagged': return c.values.subarray(c.offsets[this.row]!, c.offsets[this.row + 1]!);
    }
  }

  /** Whether the branch was read (analyzers that declare `static branches` get only those). */
  has(branch: string): boolean {
    return this.columns.has(branch);
  }

  private col(branch: string): Column {
    const c = this.columns.get(branch);
    if (c === undefined) {
      throw new Error(`branch '${branch}' was not read: it is not in the tree, or missing from the analyzers' static branches list`);
    }
    return c;
  }
}
