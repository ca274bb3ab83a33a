// trace.tsv: lines of the nodes a build ran come from their markers (metrics, failure kind,
// attempts), up-to-date nodes keep their earlier line as cached, a build that ran nothing leaves
// the file alone; the TSV reads back as it was written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTrace, parseTrace, readTrace, writeTrace, type TraceNode } from '../../../src/engine/trace.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-trace-'));
const out = join(root, 'Out');

function marker(dir: string, m: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'heppy-status.json'), JSON.stringify({ outputs: [], key: 'k', ...m }));
}

const nodes: TraceNode[] = [
  { id: 'A_Chunk0', kind: 'chunk', component: 'A', dir: join(out, 'A_Chunk0'), upToDate: false },
  { id: 'A_Chunk1', kind: 'chunk', component: 'A', dir: join(out, 'A_Chunk1'), upToDate: false },
  { id: 'hadd:A', kind: 'hadd', component: 'A', dir: join(out, 'A'), upToDate: false },
];

test('rows from the markers of the nodes run', () => {
  marker(nodes[0]!.dir, { kind: 'chunk', status: 'ok', attempt: 1, eventsProcessed: 2000, host: 'h1', pid: 11,
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.000Z', metrics: { wallMs: 2000, cpuMs: 1500, peakRssBytes: 104857600, bytesRead: 12345 } });
  marker(nodes[1]!.dir, { kind: 'chunk', status: 'failed', attempt: 3, eventsProcessed: null, reason: 'A_Chunk1: input: x.root: truncated',
    failure: { kind: 'input', reason: 'truncated', file: 'x.root' }, host: 'h2', pid: 12, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' });
  marker(nodes[2]!.dir, { kind: 'hadd', status: 'ok', chunks: ['A_Chunk0'], host: 'h1', pid: 10, startedAt: Date.parse('2026-01-01T00:00:03Z'), finishedAt: Date.parse('2026-01-01T00:00:03.5Z') });
  const rows = writeTrace(out, nodes, new Set(nodes.map((n) => n.id)), 'local')!;
  assert.equal(rows[0], { id: 'A_Chunk0', kind: 'chunk', component: 'A', status: 'ok', failure: '', attempts: 1, executor: 'local', host: 'h1', pid: 11,
    start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:00:02.000Z', wallS: 2, cpuS: 1.5, cpuPct: 75, peakRssMB: 100, events: 2000, eventsPerS: 1000, bytesRead: 12345, reason: '' });
  assert.is(rows[1]!.status, 'failed');
  assert.is(rows[1]!.failure, 'input');
  assert.is(rows[1]!.attempts, 3);
  assert.is(rows[1]!.wallS, 1);
  assert.is(rows[2]!.end, '2026-01-01T00:00:03.500Z');
  assert.is(rows[2]!.wallS, 0.5);
  assert.equal(readTrace(out), rows);
  assert.equal(parseTrace(formatTrace(rows)), rows);
  assert.is(readFileSync(join(out, '.heppy', 'trace.tsv'), 'utf8').split('\n')[0],
    'id\tkind\tcomponent\tstatus\tfailure\tattempts\texecutor\thost\tpid\tstart\tend\twall_s\tcpu_s\tcpu_pct\tpeak_rss_mb\tevents\tevents_per_s\tbytes_read\treason');
});

test('a marker its run reported makes the same row as the one read back, and is not read again', () => {
  const dir = join(out, 'B_Chunk0');
  const m = { kind: 'chunk' as const, status: 'ok' as const, key: 'k', attempt: 2, exitCode: 0, eventsProcessed: 500, expectedEvents: 500, userStop: false, outputs: [],
    host: 'h3', pid: 13, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:00.250Z', metrics: { wallMs: 250, cpuMs: 200, peakRssBytes: 52428800, bytesRead: 999 } };
  marker(dir, m);
  const node: TraceNode = { id: 'B_Chunk0', kind: 'chunk', component: 'B', dir, upToDate: false };
  const read = writeTrace(join(root, 'Out2'), [node], new Set([node.id]), 'local')!;
  const known = writeTrace(join(root, 'Out3'), [node], new Set([node.id]), 'local', new Map([[node.id, m]]))!;
  assert.equal(known, read);
  assert.is(known[0]!.cpuPct, 80);
  assert.is(known[0]!.attempts, 2);
  // Reported: the directory's marker is not read (here it says something else).
  marker(dir, { ...m, host: 'elsewhere' });
  assert.is(writeTrace(join(root, 'Out3'), [node], new Set([node.id]), 'local', new Map([[node.id, m]]))![0]!.host, 'h3');
});

test('a build that ran nothing leaves the trace; up-to-date nodes keep their line as cached', () => {
  const file = join(out, '.heppy', 'trace.tsv');
  const before = statSync(file).mtimeMs;
  assert.is(writeTrace(out, nodes.map((n) => ({ ...n, upToDate: true })), new Set(), 'local'), null);
  assert.is(statSync(file).mtimeMs, before);
  const rows = writeTrace(out, [{ ...nodes[0]!, upToDate: true }, nodes[1]!, { ...nodes[2]!, upToDate: false }], new Set(['A_Chunk1']), 'slurm')!;
  assert.is(rows[0]!.status, 'cached');
  assert.is(rows[0]!.cpuS, 1.5);
  assert.is(rows[1]!.executor, 'slurm');
  assert.is(rows[2]!.status, 'not-run');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
