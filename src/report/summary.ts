// The final summary text, shared by the plain and TTY reporters.
import type { NotRun, Summary } from './events.js';

const WHY: Array<[keyof NotRun, string]> = [['failed', 'a chunk failed'], ['interrupted', 'interrupted'], ['detached', 'detached']];

/** "interrupted", or "2 a chunk failed, 3 interrupted" when there are several reasons. */
function notRunWhy(n: NotRun): string {
  const present = WHY.filter(([k]) => n[k] > 0);
  if (present.length === 1) return present[0]![1];
  return present.map(([k, text]) => `${n[k]} ${text}`).join(', ');
}

export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  const secs = (s.wallMs / 1000).toFixed(2);
  const parts = [`${s.run} run`];
  if (s.adopted) parts.push(`${s.adopted} re-attached`);
  if (s.restored) parts.push(`${s.restored} restored from cache`);
  parts.push(`${s.upToDate} up to date`, `${s.failed} failed`);
  if (s.skipped) parts.push(`${s.skipped} not run (${notRunWhy(s.notRun)})`);
  lines.push(`heppy: ${parts.join(', ')}; ${s.eventsProcessed} events processed; ${secs} s`);
  for (const f of s.failures) lines.push(`  FAILED ${f.id}: ${f.reason}${f.log ? `\n         log: ${f.log}` : ''}`);
  return lines.join('\n') + '\n';
}
