// One event as text for `heppy run --print N` (heppy_loop's -p: the first events printed): the
// branches read, with their values, then the weight and the attributes the analyzers set on it.
import { inspect } from 'node:util';
import type { Event } from './event.js';

/** The Event's own fields that are its machinery, not attributes an analysis set. */
const INTERNAL = new Set(['iEv', 'columns', 'row', 'setup', 'eventWeight']);
const MAX_VALUES = 10;

function num(x: number | bigint): string {
  return typeof x === 'bigint' ? String(x) : Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

function valueText(v: number | ArrayLike<number | bigint>): string {
  if (typeof v === 'number') return num(v);
  const shown = Array.from({ length: Math.min(v.length, MAX_VALUES) }, (_, i) => num(v[i]!));
  return `[${shown.join(', ')}${v.length > MAX_VALUES ? `, … (${v.length})` : ''}]`;
}

/** `where`: the input file and the entry in it of this event. */
export function eventText(event: Event, where: { file: string; entry: number } | null): string {
  const names = event.branchNames();
  const attrs = Object.keys(event).filter((k) => !INTERNAL.has(k));
  const width = Math.max(11, ...names.map((n) => n.length), ...attrs.map((a) => a.length));
  const lines = [`Event ${event.iEv}${where ? ` (${where.file}, entry ${where.entry})` : ''}`];
  for (const n of names) lines.push(`  ${n.padEnd(width)} : ${valueText(event.get(n) as number | ArrayLike<number>)}`);
  lines.push(`  ${'eventWeight'.padEnd(width)} : ${num(event.eventWeight)}`);
  for (const a of attrs) lines.push(`  ${a.padEnd(width)} : ${inspect(event[a], { depth: 2, breakLength: Infinity, maxArrayLength: MAX_VALUES })}`);
  return lines.join('\n') + '\n';
}
