// Maps positions in an analysis bundle back to the user's sources (the heppyfile and its local
// modules), with the source map esbuild wrote next to the bundle (`<bundle>.mjs.map`, sources
// absolute) and Node's own decoder (node:module SourceMap). Used for errors thrown while the
// bundle loads (file:line) and for exceptions in analyzers (file:line:col, and the whole stack).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** Parsed maps by bundle path: a long-lived worker maps many failures of one bundle. */
const maps = new Map<string, SourceMap | null>();

function mapOf(bundlePath: string): SourceMap | null {
  let m = maps.get(bundlePath);
  if (m === undefined) {
    try {
      m = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      m = null;
    }
    maps.set(bundlePath, m);
  }
  return m;
}

/** The user's source position of a 1-based bundle position, or null (no map, no mapping there). */
export function originalLocation(bundlePath: string, line: number, column: number): SourceLocation | null {
  const m = mapOf(bundlePath);
  if (m === null) return null;
  const e = m.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (e.originalSource === undefined || e.originalLine === undefined || e.originalColumn === undefined) return null;
  const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : e.originalSource;
  return { file: isAbsolute(src) ? src : resolve(dirname(bundlePath), src), line: e.originalLine + 1, column: e.originalColumn + 1 };
}

/** The original `file:line` of a bundle position (1-based line and column), or null. */
export function originalPosition(bundlePath: string, line: number, column: number): string | null {
  const loc = originalLocation(bundlePath, line, column);
  return loc === null ? null : `${loc.file}:${loc.line}`;
}

/** A stack frame's location: `at fn (file:///x.mjs:3:9)` or `at file:///x.mjs:3:9`. */
const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?[^\s()]+):(\d+):(\d+)(\)?)$/;

function inBundle(loc: string, bundlePath: string): boolean {
  const path = loc.startsWith('file://') ? fileURLToPath(loc) : loc;
  return path === bundlePath || basename(path) === basename(bundlePath);
}

/** The first stack frame inside the bundle, mapped back to the user's source (file:line). */
export function locateError(err: unknown, bundlePath: string): string | null {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const l of stack.split('\n')) {
    const m = FRAME.exec(l);
    if (m && inBundle(m[2]!, bundlePath)) return originalPosition(bundlePath, Number(m[3]), Number(m[4]));
  }
  return null;
}

/**
 * The stack with every frame inside the bundle rewritten to the user's file:line:col, and `at`: the
 * first of them outside node_modules (where the analysis threw), when there is one.
 */
export function mapStack(stack: string, bundlePath: string): { stack: string; at?: string } {
  let at: string | undefined;
  const lines = stack.split('\n').map((l) => {
    const m = FRAME.exec(l);
    if (!m || !inBundle(m[2]!, bundlePath)) return l;
    const loc = originalLocation(bundlePath, Number(m[3]), Number(m[4]));
    if (loc === null) return l;
    const text = `${loc.file}:${loc.line}:${loc.column}`;
    if (at === undefined && !loc.file.split(/[\\/]/).includes('node_modules')) at = text;
    return `${m[1]}${text}${m[5]}`;
  });
  return { stack: lines.join('\n'), ...(at !== undefined ? { at } : {}) };
}
