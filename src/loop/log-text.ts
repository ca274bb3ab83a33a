// log.txt of a chunk, in heppy's layout (heppy-original §5): a blank line, the component, a blank
// line, the TimeReport, a blank line, the analyzers counter, then the success line that
// heppy_check and `heppy check` read. Lines written during the loop (UserStop) come first.
import type { Counter } from '../stats/counter.js';
import { timeReportLines, type TimeEntry } from './time-report.js';

export const PROCESSED_PREFIX = 'number of events processed: ';

export interface LogParts {
  /** Lines logged during the loop (e.g. the UserStop message). */
  early: string[];
  componentText: string;
  timeReport: readonly TimeEntry[] | null;
  analyzersCounter: Counter;
  eventsProcessed: number;
}

export function successLog(p: LogParts): string {
  const lines = [...p.early, '', p.componentText, ''];
  if (p.timeReport !== null) lines.push(...timeReportLines(p.timeReport), '');
  lines.push(p.analyzersCounter.toString()); // ends with '\n': the logger's newline makes a blank line
  return lines.join('\n') + '\n' + `${PROCESSED_PREFIX}${p.eventsProcessed}\n`;
}

/** log.txt of a failed chunk: the component and the reason; never the success line. */
export function failureLog(early: string[], componentText: string | null, reason: string, detail?: string): string {
  const lines = [...early, ''];
  if (componentText !== null) lines.push(componentText, '');
  lines.push(`ERROR: ${reason}`);
  if (detail) lines.push(detail);
  return lines.join('\n') + '\n';
}
