// One event as analyzers see it: fast access to the current row of the columns read in batches.
// Analyzers may attach their own data to it (event.leptons = …), as in heppy.
import type { Column, NumArray, StringColumn } from '../root/types.js';
import type { Setup } from '../config/analyzer.js';
import { assertNever } from '../util/result.js';

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
  for (const [name, col] of Object.entries(columns)) m.set(name, { col, range: { values: isStrings(col) ? NO_VALUES : col.values, start: 0, end: 0 } });
  return m;
}

/**
 * A branch an analyzer reads at every event, named once (`branch('NMuon')`, at module or class
 * level) and passed to `event.scalar()`, `range()`, `array()`, `get()`, … instead of the name.
 * It remembers where its column is in the batch it last served, so the name is looked up once
 * per batch, not at every call (a Map lookup per call was ~4 % of the demo's main thread).
 * One handle may serve several analyzers and chunks; it keeps the last batch's column reachable
 * until the next batch.
 */
export class Branch {
  /** The batch table the slot below was found in (null: not resolved yet). */
  private table: ReadonlyMap<string, ColumnSlot> | null = null;
  private slot: ColumnSlot | undefined = undefined;

  constructor(readonly name: string) {
    if (typeof name !== 'string' || name === '') throw new TypeError('branch(): the name must be a non-empty string');
  }

  /** This branch's slot in `table` (the current batch's), looked up when the batch changed. */
  slotIn(table: ReadonlyMap<string, ColumnSlot>): ColumnSlot | undefined {
    if (this.table !== table) { this.slot = table.get(this.name); this.table = table; }
    return this.slot;
  }
}

/** A handle on the branch `name` for the Event accessors (see Branch). */
export function branch(name: string): Branch {
  return new Branch(name);
}

const NO_VALUES = new Float64Array(0);
const isStrings = (c: Column): c is StringColumn => c.kind === 'string' || c.kind === 'strings';

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

  /**
   * A scalar branch as a number, an array branch as a typed-array view of this event's values, a
   * string branch as a string, a branch of strings per entry (vector<string>, …) as a string array.
   */
  get(branch: string | Branch): number | NumArray | string | string[] {
    const c = this.col(branch);
    switch (c.kind) {
      case 'flat': return Number(c.values[this.row]!);
      case 'string': return c.values[this.row]!;
      case 'strings': return this.strings(branch);
      case 'fixed': case 'jagged': return this.array(branch);
      default: return assertNever(c, 'column');
    }
  }

  /** A scalar branch as a number (an error for array and string branches). */
  scalar(branch: string | Branch): number {
    const c = this.col(branch);
    if (c.kind !== 'flat') throw notScalar(nameOf(branch), c);
    return Number(c.values[this.row]!);
  }

  /** A string branch (char*, TString, std::string, a string member of an object) as a string. */
  string(branch: string | Branch): string {
    const c = this.col(branch);
    if (c.kind !== 'string') throw new Error(`branch ${nameOf(branch)} is not one string per event (${c.kind}); ${c.kind === 'strings' ? `use event.strings('${nameOf(branch)}')` : 'it is numeric'}`);
    return c.values[this.row]!;
  }

  /** A branch of strings per entry (vector<string>, set<string>, map<string,…>.first, …) as a new array. */
  strings(branch: string | Branch): string[] {
    const c = this.col(branch);
    if (c.kind !== 'strings') throw new Error(`branch ${nameOf(branch)} is not a string array (${c.kind}); ${c.kind === 'string' ? `use event.string('${nameOf(branch)}')` : 'it is numeric'}`);
    return c.values.slice(c.offsets[this.row]!, c.offsets[this.row + 1]!);
  }

  /** An array branch (fixed or variable length) as a typed-array view. */
  array(branch: string | Branch): NumArray {
    const r = this.range(branch);
    return r.values.subarray(r.start, r.end);
  }

  /**
   * An array branch without allocating: the values are `values[start] … values[end - 1]`. The
   * returned object is reused (overwritten by the next range() of the same branch): read it at once.
   */
  range(branch: string | Branch): ArrayRange {
    const slot = typeof branch === 'string' ? this.columns.get(branch) : branch.slotIn(this.columns);
    if (slot === undefined) throw missing(nameOf(branch));
    const c = slot.col, r = slot.range;
    switch (c.kind) {
      case 'flat': throw new Error(`branch ${nameOf(branch)} is a scalar; use event.scalar('${nameOf(branch)}')`);
      case 'fixed': r.start = this.row * c.size; r.end = r.start + c.size; return r;
      case 'jagged': r.start = c.offsets[this.row]!; r.end = c.offsets[this.row + 1]!; return r;
      case 'string': case 'strings': throw new Error(`branch ${nameOf(branch)} is a string column; use event.${c.kind}('${nameOf(branch)}')`);
      default: return assertNever(c, 'column');
    }
  }

  /** The branches read for this event (in reading order). */
  branchNames(): string[] {
    return [...this.columns.keys()];
  }

  /** Whether the branch was read (analyzers that declare `static branches` get only those). */
  has(branch: string | Branch): boolean {
    return this.columns.has(nameOf(branch));
  }

  private col(branch: string | Branch): Column {
    const slot = typeof branch === 'string' ? this.columns.get(branch) : branch.slotIn(this.columns);
    if (slot === undefined) throw missing(nameOf(branch));
    return slot.col;
  }
}

const nameOf = (b: string | Branch): string => (typeof b === 'string' ? b : b.name);

function notScalar(name: string, c: Column): Error {
  return new Error(`branch ${name} is ${c.kind === 'string' || c.kind === 'strings' ? `a string column; use event.${c.kind}('${name}')` : `an array (${c.kind}); use event.array('${name}')`}`);
}

function missing(branch: string): Error {
  return new Error(`branch '${branch}' was not read: it is not in the tree, or missing from the analyzers' static branches list`);
}
