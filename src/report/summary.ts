// The final summary text, shared by the plain and TTY reporters.
import type { BuildEvent, NotRun, Summary } from './events.js';

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
  // Interrupted after every node had ended (or been restored): still said, as the exit code (130) says it.
  else if (s.interrupted) parts.push('interrupted');
  lines.push(`heppy: ${parts.join(', ')}; ${s.eventsProcessed} events processed; ${secs} s`);
  for (const f of s.failures) lines.push(`  FAILED ${f.id}: ${f.reason}${f.log ? `\n         log: ${f.log}` : ''}`);
  return lines.join('\n') + '\n';
}

/** The build's header: nodes to run, to restore from the output cache, up to date. */
export function planLine(e: Extract<BuildEvent, { type: 'plan' }>): string {
  const restore = e.toRestore ?? 0;
  return `heppy: ${e.total} nodes, ${e.toRun - restore} to run${restore ? `, ${restore} to restore from cache` : ''}, ${e.upToDate} up to date`;
}

/** A --dry-run line: a node that would run (and why), or be restored from the output cache. */
export function wouldRunLine(e: Extract<BuildEvent, { type: 'would-run' }>): string {
  return e.restore !== undefined
    ? `would restore ${e.id} from cache (built at ${e.restore.builtAt}): ${e.why.join('; ')}`
    : `would run ${e.id}: ${e.why.join('; ')}`;
}
