// The verdict on one chunk directory: heppy_check's criterion (log.txt with the processed line)
// plus what heppy never checked: the marker's status and exit code, the number of events against
// the expected entries, the recorded outputs still there with their size, every ROOT file opening.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readProcessedLine } from './log-line.js';
import { markerFailure, readMarker, type ChunkMarker } from '../chunkdir/marker.js';
import type { TaskFailure } from '../util/failure.js';
import { defaultProbe, type RootProbe } from './root-probe.js';
import { filesUnder } from '../util/walk.js';
import { readChunkSpec } from '../chunkdir/spec.js';
import { assertNever, formatFailure } from '../util/result.js';

export type ProblemCode =
  | 'no-log' | 'no-processed-line' | 'marker' | 'no-marker' | 'failed' | 'exit-status'
  | 'events' | 'output' | 'root' | 'stale' | 'partial' | 'missing'
  /** --verify: a result file differs from the digest recorded when it was built. */
  | 'digest';

export interface Problem {
  code: ProblemCode;
  message: string;
  file?: string;
  /** code 'failed': why the run failed, typed as the marker records it (`heppy check --json`). */
  failure?: TaskFailure;
}

export interface ChunkVerdict {
  dir: string;
  name: string;
  good: boolean;
  problems: Problem[];
  eventsProcessed: number | null;
  expectedEvents: number | null;
  /** The attempt its marker records (null: no chunk marker). Numbers continue across builds and resubmissions. */
  attempt: number | null;
  /** false for directories made by the original heppy (no marker, no chunk.json). */
  hasMarker: boolean;
  canResubmit: boolean;
}

export interface CheckOptions {
  probe?: RootProbe;
  /** The key the last build planned for this chunk (its recorded plan): another key is not its result. */
  plannedKey?: (dir: string) => string | undefined;
}

/** Relative paths of every .root file under dir, sorted (skipping heppy's own dot dirs). */
export function rootFilesUnder(dir: string): string[] {
  return filesUnder(dir).filter((f) => f.endsWith('.root'));
}

function markerProblems(m: ChunkMarker, logEvents: number | null, dir: string): Problem[] {
  const out: Problem[] = [];
  switch (m.status) {
    case 'failed':
      out.push({ code: 'failed', message: `run failed (attempt ${m.attempt}${m.exitCode !== null ? `, exit code ${m.exitCode}` : ''}): ${m.reason ?? 'no reason recorded'}`,
        failure: markerFailure(m) });
      return out; // the rest follows from the failure
    case 'ok':
      break;
    default:
      assertNever(m.status, 'marker status');
  }
  if (m.exitCode !== null && m.exitCode !== 0) {
    out.push({ code: 'exit-status', message: `the marker records exit code ${m.exitCode}` });
  }
  const events = m.eventsProcessed ?? logEvents;
  if (m.eventsProcessed !== null && logEvents !== null && m.eventsProcessed !== logEvents) {
    out.push({ code: 'events', message: `log.txt says ${logEvents} events processed, the marker ${m.eventsProcessed}` });
  } else if (m.expectedEvents !== null && events !== null && events !== m.expectedEvents && !m.userStop) {
    out.push({ code: 'events', message: `processed ${events} events, expected ${m.expectedEvents}` });
  }
  for (const o of m.outputs) {
    // chunk.json and batchScript.sh are rewritten by the next submission: judged by the spec check.
    if (o.path === 'chunk.json' || o.path === 'batchScript.sh') continue;
    const st = statSync(join(dir, o.path), { throwIfNoEntry: false });
    if (!st) out.push({ code: 'output', file: o.path, message: `output ${o.path} is missing` });
    else if (st.size !== o.size) out.push({ code: 'output', file: o.path, message: `output ${o.path} has ${st.size} bytes, ${o.size} were written` });
  }
  return out;
}

/** chunk.json is rewritten before every attempt: a marker of another key or attempt is stale. */
function specProblems(m: ChunkMarker, dir: string): Problem[] {
  const id = readChunkSpec(dir);
  if (!id.ok) return [];
  if (id.value.key !== m.key) {
    return [{ code: 'stale', message: `the result is out of date: chunk.json has key ${id.value.key.slice(0, 12)}, the marker ${m.key.slice(0, 12) || '(none)'}` }];
  }
  if (id.value.attempt > m.attempt) {
    return [{ code: 'stale', message: `attempt ${id.value.attempt} has not finished (the marker is from attempt ${m.attempt})` }];
  }
  return [];
}

/** heppy_check's criterion and messages: the events processed per log.txt, or its problem. */
function logProblems(log: ReturnType<typeof readProcessedLine>, problems: Problem[]): number | null {
  switch (log.kind) {
    case 'missing':
      problems.push({ code: 'no-log', message: 'log.txt does not exist' });
      return null;
    case 'no-processed-line':
      problems.push({ code: 'no-processed-line', message: 'cannot find number of processed events' });
      return null;
    case 'processed':
      return log.events;
    default:
      return assertNever(log);
  }
}

interface MarkerFacts { hasMarker: boolean; attempt: number | null; expectedEvents: number | null; eventsProcessed: number | null }

/** What heppy-status.json says of the chunk (`logEvents`: log.txt's count), its problems pushed onto `problems`. */
function markerFacts(dir: string, hasSpec: boolean, logEvents: number | null, opts: CheckOptions, problems: Problem[]): MarkerFacts {
  const none: MarkerFacts = { hasMarker: false, attempt: null, expectedEvents: null, eventsProcessed: null };
  const marker = readMarker(dir);
  if (!marker.ok) {
    problems.push({ code: 'marker', message: formatFailure({ ...marker.error, file: undefined }) });
    return none;
  }
  if (marker.value === null) {
    // A directory made by the original heppy has neither: judge it by heppy's criterion.
    if (hasSpec) problems.push({ code: 'no-marker', message: 'no heppy-status.json: the run did not finish' });
    return none;
  }
  if (marker.value.kind === 'hadd') {
    problems.push({ code: 'marker', message: 'this is a merged component directory, not a chunk' });
    return none;
  }
  const m = marker.value;
  const planned = opts.plannedKey?.(dir);
  if (planned !== undefined && m.key !== planned) {
    problems.push({ code: 'stale', message: `not the last build's result: the marker has key ${m.key.slice(0, 12) || '(none)'}, the plan ${planned.slice(0, 12)}` });
  }
  problems.push(...specProblems(m, dir));
  problems.push(...markerProblems(m, logEvents, dir));
  return { hasMarker: true, attempt: m.attempt, expectedEvents: m.expectedEvents, eventsProcessed: m.eventsProcessed };
}

export async function checkChunk(dir: string, opts: CheckOptions = {}): Promise<ChunkVerdict> {
  const probe = opts.probe ?? defaultProbe;
  const problems: Problem[] = [];
  const hasSpec = existsSync(join(dir, 'chunk.json'));
  const log = readProcessedLine(dir);
  const logEvents = logProblems(log, problems);
  const facts = markerFacts(dir, hasSpec, log.kind === 'processed' ? log.events : null, opts, problems);
  const eventsProcessed = logEvents ?? facts.eventsProcessed;

  // A recorded failure says more than heppy's "cannot find number of processed events".
  const failedRun = problems.some((p) => p.code === 'failed' || p.code === 'no-log');
  if (problems.some((p) => p.code === 'failed')) {
    const i = problems.findIndex((p) => p.code === 'no-processed-line');
    if (i >= 0) problems.splice(i, 1);
  }
  // Every ROOT file must open, recorded in the marker or not (a chunk made elsewhere has no list).
  if (!failedRun) {
    for (const rel of rootFilesUnder(dir)) {
      const r = await probe(join(dir, rel));
      if (!r.ok) problems.push({ code: 'root', file: rel, message: `${rel}: ${formatFailure({ ...r.error, file: undefined })}` });
    }
  }

  return {
    dir,
    name: basename(dir),
    good: problems.length === 0,
    problems,
    eventsProcessed,
    expectedEvents: facts.expectedEvents,
    attempt: facts.attempt,
    hasMarker: facts.hasMarker,
    canResubmit: hasSpec,
  };
}
