// The final summary text, shared by the plain and TTY reporters.
import type { Summary } from './events.js';

export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  const secs = (s.wallMs / 1000).toFixed(2);
  const parts = [`${s.run} run`, `${s.upToDate} up to date`, `${s.failed} failed`];
  if (s.skipped) parts.push(`${s.skipped} not run`);
  lines.push(`heppy: ${parts.join(', ')}; ${s.eventsProcessed} events processed; ${secs} s`);
  for (const f of s.failures) lines.push(`  FAILED ${f.id}: ${f.reason}${f.log ? `\n         log: ${f.log}` : ''}`);
  return lines.join('\n') + '\n';
}
