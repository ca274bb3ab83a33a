// Maps a position in a bundle back to the heppyfile (or local module) line, using the source map
// esbuild wrote next to the bundle, so that an error thrown while loading the analysis names the
// user's file and line. A minimal decoder of the standard base64-VLQ "mappings".
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(seg: string): number[] {
  const out: number[] = [];
  let value = 0, shift = 0;
  for (const ch of seg) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** The original `file:line` of bundle position (1-based line, 1-based column), or null. */
export function originalPosition(bundlePath: string, line: number, column: number): string | null {
  let map: { sources: string[]; mappings: string };
  try {
    map = JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')) as typeof map;
  } catch {
    return null;
  }
  const lines = map.mappings.split(';');
  let src = 0, srcLine = 0;
  let best: [number, number] | null = null;
  for (let l = 0; l < lines.length && l < line; l++) {
    let col = 0;
    for (const seg of lines[l]!.split(',')) {
      if (seg === '') continue;
      const f = decodeVlq(seg);
      col += f[0]!;
      if (f.length >= 4) {
        src += f[1]!;
        srcLine += f[2]!;
        if (l === line - 1 && col <= column - 1) best = [src, srcLine];
        if (l === line - 1 && best === null) best = [src, srcLine];
      }
    }
  }
  if (best === null) return null;
  const source = map.sources[best[0]];
  if (source === undefined) return null;
  return `${resolve(dirname(bundlePath), source)}:${best[1] + 1}`;
}

/** The first stack frame inside the bundle, mapped back to the user's source. */
export function locateError(err: unknown, bundlePath: string): string | null {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const name = bundlePath.split('/').pop()!;
  for (const m of stack.matchAll(/([^\s(]+):(\d+):(\d+)\)?$/gm)) {
    if (m[1]!.endsWith(name)) return originalPosition(bundlePath, Number(m[2]), Number(m[3]));
  }
  return null;
}
