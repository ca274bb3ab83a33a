// `heppy run`: the sequence of one component in the foreground, on a slice (one file, an event
// range), into a scratch directory (never the Outdir, never the store): heppy_loop's -e/-I/-N/-p
// for debugging. The analyzers' log lines and the first N events are printed as they come; an
// exception is shown at the user's file:line:col with its stack (the chunk runner maps it).
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { loadHeppyfile } from '../config/load.js';
import type { ChunkSpec } from '../chunkdir/spec.js';
import { eventText } from '../loop/event-text.js';
import { runChunk } from '../loop/run-chunk.js';
import type { EventWindow } from '../loop/window.js';
import { formatTaskFailure } from '../util/failure.js';
import { fail, formatFailure, ok, UserError, type Result } from '../util/result.js';
import { parseOptions, resolveOutdir, resolvePaths } from './workspace.js';
import { refuseNewer } from '../cache/format.js';

export interface DebugRunOptions {
  heppyfile?: string;
  cacheDir?: string;
  component: string;
  /** One input file instead of the component's (heppy_loop -I). */
  file?: string;
  /** 'A:B' (entries A … B-1 of the files together), 'A:', ':B', or 'A' (that event only). */
  events?: string;
  /** Print the first N events (heppy_loop -p). */
  print: number;
  options: readonly string[];
  scratch?: string;
  typecheck: boolean;
  signal?: AbortSignal;
  write(text: string): void;
}

/** Parses --events into [first, stop) (stop null: to the end). */
export function parseEventRange(text: string): Result<[number, number | null]> {
  const m = /^(\d*)(?::(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return fail({ reason: `--events ${text}: expected A:B, A:, :B or A (event numbers from 0)` });
  const a = m[1] === '' ? 0 : Number(m[1]);
  if (m[2] === undefined) return ok([a, a + 1]);
  const b = m[2] === '' ? null : Number(m[2]);
  if (b !== null && b < a) return fail({ reason: `--events ${text}: the end comes before the start` });
  return ok([a, b]);
}

/** The window [first, stop) over `total` entries. */
export function rangeWindow([first, stop]: [number, number | null], total: number): EventWindow {
  const f = Math.min(first, total);
  return { first: f, n: Math.max(0, Math.min(stop ?? total, total) - f) };
}

/** The input file and the entry in it of global event `iEv`. */
function locate(iEv: number, files: readonly string[], entries: readonly number[]): { file: string; entry: number } | null {
  let start = 0;
  for (let i = 0; i < entries.length; i++) {
    if (iEv < start + entries[i]!) return { file: files[i]!, entry: iEv - start };
    start += entries[i]!;
  }
  return null;
}

function inside(dir: string, parent: string): boolean {
  const r = relative(parent, dir);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep));
}

/** The counters' and averages' text files the run wrote, as `<Analyzer>/<file>` → text. */
function statTexts(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const a of readdirSync(dir).sort()) {
    const d = join(dir, a);
    if (!statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d).sort()) if (f.endsWith('.txt') && f !== 'log.txt') out.push([`${a}/${f}`, readFileSync(join(d, f), 'utf8')]);
  }
  return out;
}

/** Runs the slice; returns the exit code (0 ok, 1 the analysis failed). Bad input → UserError. */
export async function debugRun(o: DebugRunOptions): Promise<number> {
  const range = o.events === undefined ? null : parseEventRange(o.events);
  if (range && !range.ok) throw new UserError(range.error.reason);
  if (!Number.isInteger(o.print) || o.print < 0) throw new UserError(`--print must be a whole number, got ${o.print}`);
  const paths = resolvePaths(o.heppyfile, o.cacheDir);
  refuseNewer('cache', paths.cacheDir);
  const options = parseOptions(o.options);
  const loaded = await loadHeppyfile(paths.heppyfile, paths.cacheDir, options, { typecheck: o.typecheck });
  if (!loaded.ok) throw new UserError(formatFailure(loaded.error));
  const { config, bundle } = loaded.value;
  const comp = config.components.find((c) => c.name === o.component);
  if (comp === undefined) {
    throw new UserError(`no component named ${o.component} in ${paths.heppyfile} (components: ${config.components.map((c) => c.name).join(', ')})`);
  }
  let files = [...comp.files];
  if (o.file !== undefined) {
    const f = /^[a-z]+:\/\//.test(o.file) ? o.file : resolve(o.file);
    if (!f.includes('://') && !existsSync(f)) throw new UserError(`--file ${o.file}: no such file`);
    files = [f];
  }
  if (files.length === 0) throw new UserError(`component ${comp.name} has no input files`);
  const outdir = resolveOutdir(undefined, config.outdir, paths.heppyfile);
  const scratch = o.scratch !== undefined ? resolve(o.scratch) : mkdtempSync(join(tmpdir(), `heppy-run-${comp.name}-`));
  if (inside(scratch, outdir)) throw new UserError(`--scratch ${o.scratch}: inside the Outdir ${outdir}; heppy run never writes there`);

  const spec: ChunkSpec = {
    name: comp.name, component: comp.name, files, tree: comp.tree ?? config.tree, fineSplit: null, maxEvents: null,
    options, bundle: bundle.path, key: 'heppy-run', attempt: 1,
  };
  let entries: readonly number[] = [];
  let printed = 0;
  const chunkDir = join(scratch, comp.name);
  o.write(`heppy run: ${comp.name}, ${files.length} file${files.length === 1 ? '' : 's'}${o.events !== undefined ? `, events ${o.events}` : ''}, into ${chunkDir}\n`);
  const r = await runChunk(spec, chunkDir, {
    window: (perFile) => {
      entries = perFile;
      const total = perFile.reduce((a, b) => a + b, 0);
      return range ? rangeWindow(range.value, total) : { first: 0, n: total };
    },
    onLog: (analyzer, message) => o.write(`${analyzer}: ${message.endsWith('\n') ? message : `${message}\n`}`),
    ...(o.print > 0 ? { afterEvent: (e) => { if (printed++ < o.print) o.write(eventText(e, locate(e.iEv, files, entries))); } } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (!r.ok) {
    const f = r.error.failure;
    o.write(`FAILED: ${formatTaskFailure(f)}\n`);
    if (f.kind === 'analysis' && f.stack) o.write(`${f.stack}\n`);
    o.write(`log: ${join(chunkDir, 'log.txt')}\n`);
    return 1;
  }
  for (const [name, text] of statTexts(chunkDir)) o.write(`${name}:\n${text}`);
  const m = r.value.marker;
  o.write(`ran ${m.eventsProcessed ?? 0} events; outputs in ${chunkDir}\n`);
  return 0;
}
