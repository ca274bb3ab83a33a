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
