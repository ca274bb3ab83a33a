// heppy's TimeReport table (looper.py), in milliseconds. As in heppy the sums are divided by
// (events − 1) although every event is timed; unlike heppy, 0 or 1 events never divide by zero.
import { fmtD, fmtF, padLeft } from '../stats/pyformat.js';

export interface TimeEntry {
  name: string;
  /** Times process() was called. */
  events: number;
  /** Total seconds spent in process(). */
  time: number;
}

const row = (a: number, b: number, c: number, d: number, pct: number, name: string): string =>
  `${fmtD(a, 9)}   ${fmtD(b, 9)}   ${fmtF(c, 10, 2)}  ${fmtF(d, 10, 2)} ${fmtF(pct, 5, 1)}%   ${name}`;

const s = (v: string, w: number): string => padLeft(v, w);

export function timeReportLines(entries: readonly TimeEntry[]): string[] {
  const allev = entries.reduce((m, e) => Math.max(m, e.events), 0);
  const sumtime = entries.reduce((t, e) => t + e.time, 0);
  const passev = entries.length > 0 ? entries[entries.length - 1]!.events : 0;
  const lines = [
    '      ---- TimeReport (all times in ms; first evt is skipped) ---- ',
    `${s('processed', 9)}   ${s('all evts', 9)}    ${s('time/proc', 9)}   ${s(' time/all', 9)} ${s('  [%] ', 6)}   analyer`,
    `${s('---------', 9)}   ${s('--------', 9)}    ${s('---------', 9)}   ${s('---------', 9)} ${s(' -----', 6)}   -------------`,
  ];
  for (const e of entries) {
    const perProc = e.events > 1 ? e.time / (e.events - 1) : 0;
    const perAll = allev > 1 ? e.time / (allev - 1) : 0;
    const frac = sumtime > 0 ? e.time / sumtime : 0;
    lines.push(row(e.events, allev, 1000 * perProc, 1000 * perAll, 100 * frac, e.name));
  }
  const totProc = passev > 1 ? sumtime / (passev - 1) : 0;
  const totAll = allev > 1 ? sumtime / (allev - 1) : 0;
  lines.push(`${s('---------', 9)}   ${s('--------', 9)}    ${s('---------', 9)}   ${s('---------', 9)}   -------------`);
  lines.push(row(passev, allev, 1000 * totProc, 1000 * totAll, 100, 'TOTAL'));
  return lines;
}
