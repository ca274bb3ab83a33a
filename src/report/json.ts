// NDJSON: one JSON object per event on stdout (`--json`), for scripts and dashboards.
import type { BuildEvent, Reporter } from './events.js';

export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}
  event(e: BuildEvent): void {
    this.out.write(JSON.stringify({ time: Date.now(), ...e }) + '\n');
  }
  close(): void {}
}
