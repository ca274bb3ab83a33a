import { availableParallelism } from 'node:os';

// ROOT hadd's compression flags glue a value to -f (-fk, -fk505, -ff, -f505, -f6), which
// clipanion would read as bundled short flags: they are rewritten into heppy's spelled-out
// options before parsing. Only the arguments of `heppy root merge` are touched.
// `-j` without a number means one job per core, as in ROOT's hadd; `-j4` is `-j 4`.
export function normalizeHaddFlags(argv: readonly string[]): string[] {
  if (argv[0] !== 'root' || argv[1] !== 'merge') return [...argv];
  const out = argv.slice(0, 2);
  const rest = argv.slice(2);
  for (const [i, a] of rest.entries()) {
    let m: RegExpExecArray | null;
    if (a === '-j' && !/^\d+$/.test(rest[i + 1] ?? '')) out.push('-j', String(availableParallelism()));
    else if ((m = /^-j(\d+)$/.exec(a))) out.push('-j', m[1]!);
    else if (a === '-fk') out.push('-f');
    else if ((m = /^-fk(\d+)$/.exec(a))) out.push('-f', '--compression', m[1]!);
    else if (a === '-ff') out.push('-f', '--compression', 'first', '--recompress');
    else if ((m = /^-f(\d+)$/.exec(a))) out.push('-f', '--compression', m[1]!, '--recompress');
    else out.push(a);
  }
  return out;
}

/** Options of `heppy root merge` that take a value (after normalizeHaddFlags). */
const VALUED = new Set(['--compression', '-n', '--max-open-files', '-j', '--jobs', '--append-inputs']);

/**
 * clipanion's parser costs ~0.25 ms per argument, a third of merging 2,000 small files: the
 * trailing input files beyond the first are taken off the command line it parses and given back
 * to the command afterwards (`rest`). Only a plain run of file names at the end is taken (no flag,
 * no `--` among or after them), so parsing, errors and --help are the same.
 */
export function splitTrailingInputs(argv: readonly string[]): { parse: string[]; rest: string[] } {
  if (argv[0] !== 'root' || argv[1] !== 'merge' || argv.includes('--')) return { parse: [...argv], rest: [] };
  const positional: number[] = [];
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('-') && a !== '-') { if (VALUED.has(a)) i++; continue; }
    positional.push(i);
  }
  // Positional 0 is OUT, 1 the first IN: the rest is split off only where nothing follows it but more inputs.
  let from = positional.length > 2 ? positional[2]! : argv.length;
  for (let k = positional.length - 1; k >= 2; k--) {
    if (positional[k] !== argv.length - (positional.length - k)) { from = positional[k + 1] ?? argv.length; break; }
  }
  return { parse: argv.slice(0, from), rest: argv.slice(from) };
}
