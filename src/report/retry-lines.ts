// Retry lines for people: the retries announced together (a batch system that refused a whole
// submission round) with the same cause, attempt and delay become one line naming the chunks,
// not one line per chunk. Lines are flushed before the next other event, or on the next tick.
import type { BuildEvent } from './events.js';

type RetryEvent = Extract<BuildEvent, { type: 'retry' }>;

/** "attempt 2, in 5 s, with 1536M memory" */
function when(e: RetryEvent): string {
  const parts = [`attempt ${e.attempt}`];
  if (e.delayMs > 0) parts.push(`in ${e.delayMs >= 10_000 ? Math.round(e.delayMs / 1000) : (e.delayMs / 1000).toFixed(1).replace(/\.0$/, '')} s`);
  if (e.resources?.memMB !== undefined) parts.push(`with ${Math.ceil(e.resources.memMB)}M memory`);
  if (e.resources?.timeMin !== undefined) parts.push(`with ${Math.ceil(e.resources.timeMin)} min`);
  return parts.join(', ');
}

export class RetryLines {
  private pending: RetryEvent[] = [];
  private scheduled = false;

  constructor(private readonly write: (line: string) => void) {}

  add(e: RetryEvent): void {
    this.pending.push(e);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const groups = new Map<string, RetryEvent[]>();
    for (const e of this.pending) {
      const k = `${when(e)}\u0000${e.reason}`;
      const g = groups.get(k);
      if (g) g.push(e);
      else groups.set(k, [e]);
    }
    this.pending = [];
    for (const g of groups.values()) {
      const e = g[0]!;
      const ids = g.length === 1 ? e.id : `${g.length} chunks (${g.slice(0, 3).map((x) => x.id).join(', ')}${g.length > 3 ? ', …' : ''})`;
      this.write(`retry ${ids} (${when(e)}): ${e.reason}`);
    }
  }
}
