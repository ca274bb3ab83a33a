// heppy's success contract: log.txt contains "number of events processed: N" (heppy_check only
// looks for a line containing "processed:"; we also read N to compare it with the marker).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type LogVerdict =
  | { kind: 'missing' }
  | { kind: 'no-processed-line' }
  | { kind: 'processed'; events: number | null };

export function readProcessedLine(dir: string): LogVerdict {
  let text: string;
  try {
    text = readFileSync(join(dir, 'log.txt'), 'utf8');
  } catch {
    return { kind: 'missing' };
  }
  let found = false;
  let events: number | null = null;
  // The last matching line wins: a log may hold an earlier attempt's output above.
  for (const line of text.split('\n')) {
    if (!line.includes('processed:')) continue;
    found = true;
    const m = /number of events processed:\s*(\d+)/.exec(line);
    events = m ? Number(m[1]) : null;
  }
  return found ? { kind: 'processed', events } : { kind: 'no-processed-line' };
}
