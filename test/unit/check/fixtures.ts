// Hand-made chunk directories for the check and merge tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FakeChunk {
  log?: string | null;              // null: no log.txt
  events?: number;                  // the processed line, default 100
  marker?: Record<string, unknown> | null | string; // null: no marker; string: raw text
  spec?: boolean;                   // write chunk.json (default true)
  files?: Record<string, string | Buffer>;
}

export function heppyLog(name: string, events: number): string {
  return `\nComponent: ${name}\n\tfiles          :   ['/data/x.root']\n\nnumber of events processed: ${events}\n`;
}

export function makeChunk(outdir: string, name: string, c: FakeChunk = {}): string {
  const dir = join(outdir, name);
  mkdirSync(dir, { recursive: true });
  const events = c.events ?? 100;
  if (c.log !== null) writeFileSync(join(dir, 'log.txt'), c.log ?? heppyLog(name, events));
  if (c.spec !== false) writeFileSync(join(dir, 'chunk.json'), JSON.stringify({ name, component: name.replace(/_Chunk\d+$/, ''), files: [], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/b.mjs', key: 'abc', attempt: 1 }));
  for (const [rel, content] of Object.entries(c.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  if (c.marker !== null) {
    const m = typeof c.marker === 'string'
      ? c.marker
      : JSON.stringify({
        status: 'ok', key: 'abc', attempt: 1, exitCode: 0, eventsProcessed: events, expectedEvents: events,
        userStop: false, outputs: [], host: 'h', pid: 1, startedAt: 0, finishedAt: 1, ...(c.marker ?? {}),
      });
    writeFileSync(join(dir, 'heppy-status.json'), m);
  }
  return dir;
}
