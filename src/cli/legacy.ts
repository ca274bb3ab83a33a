// The original heppy's command lines, as users have them in their notes and scripts:
// `heppy Outdir cfg`, `heppy_loop.py`, `heppy_batch.py`, `heppy_check.py`, `heppy_hadd.py`. Each is
// translated into the heppy command that does the same work (one engine, one journal), so their
// results are what `heppy build`/`check`/`hadd` would give. Pure: argv in, argv or a reason out.
import { fail, ok, type Result, assertNever } from '../util/result.js';

export type LegacyProgram = 'heppy_loop.py' | 'heppy_batch.py' | 'heppy_check.py' | 'heppy_hadd.py';

const PROGRAMS: readonly LegacyProgram[] = ['heppy_loop.py', 'heppy_batch.py', 'heppy_check.py', 'heppy_hadd.py'];

/** The legacy program a launcher was started as (by its file name), or null. */
export function legacyProgram(scriptName: string): LegacyProgram | null {
  return (PROGRAMS as readonly string[]).includes(scriptName) ? (scriptName as LegacyProgram) : null;
}

const TRANSLATION = 'the configuration is now a heppyfile.ts (TypeScript); README.md, "From the original heppy", shows the translation';

/** Refuses a Python cfg with the one line users need. */
function checkCfg(cfg: string): Result<string> {
  if (/\.py$/i.test(cfg)) return fail({ file: cfg, reason: `a Python cfg cannot run: ${TRANSLATION}` });
  return ok(cfg);
}

/** Reads `-x V`, `--long V` and `--long=V` forms; returns [value, tokens consumed] or null. */
function valueOf(args: readonly string[], i: number, names: readonly string[]): [string, number] | null | 'missing' {
  const a = args[i]!;
  for (const n of names) {
    if (a === n) return i + 1 < args.length ? [args[i + 1]!, 2] : 'missing';
    if (n.startsWith('--') && a.startsWith(n + '=')) return [a.slice(n.length + 1), 1];
  }
  return null;
}

interface FlagMap {
  /** original names → heppy flag taking the same value (null: dropped). */
  valued: Array<[readonly string[], string | null]>;
  /** original boolean names → heppy flag (null: accepted, nothing to do in heppy). */
  bool: Array<[readonly string[], string | null]>;
  /** original names refused with a reason. */
  refused: Array<[readonly string[], string]>;
}

/** Translates flags by the map; everything else (positionals, heppy's own flags) passes through. */
function mapFlags(args: readonly string[], map: FlagMap, prog: string | null, want = Infinity): Result<{ flags: string[]; positionals: string[] }> {
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; ) {
    const a = args[i]!;
    let done = false;
    for (const [names, to] of map.valued) {
      const v = valueOf(args, i, names);
      if (v === 'missing') return fail({ reason: `${prog ? prog + ': ' : ''}${a} needs a value` });
      if (v) {
        if (to !== null) flags.push(to, v[0]);
        i += v[1];
        done = true;
        break;
      }
    }
    if (done) continue;
    const b = map.bool.find(([names]) => names.includes(a));
    if (b) {
      if (b[1] !== null) flags.push(b[1]);
      i++;
      continue;
    }
    const r = map.refused.find(([names]) => names.some((n) => a === n || a.startsWith(n + '=')));
    if (r) return fail({ reason: `${prog ? prog + ': ' : ''}${a}: ${r[1]}` });
    // Up to `want` positionals are the program's own; past them everything is heppy's (a heppy
    // flag's value included), which heppy's own parser judges.
    if (a.startsWith('-') || positionals.length >= want) flags.push(a);
    else positionals.push(a);
    i++;
  }
  return ok({ flags, positionals });
}

const RUN_INSTEAD = 'debugging one event or file is `heppy run --component NAME [--file F] [--events A:B] [--print N]` in heppy';

const LOOP_FLAGS: FlagMap = {
  valued: [[['-N', '--nevents'], '-N'], [['-o', '--option'], '-o'], [['-j', '--ntasks'], '-j']],
  // -f skips heppy_loop's "Continue? [y/n]": heppy never asks, and re-runs only what changed.
  bool: [[['-f', '--force'], null], [['-v', '--verbose'], '-v'], [['-i', '--interactive'], null], [['-t', '--timereport', '--trackversions'], null], [['--memcheck'], null], [['-q', '--quiet'], '-q']],
  refused: [[['-e', '--iEvent', '-I', '--input', '-p', '--nprint'], RUN_INSTEAD]],
};

/** `heppy OUTDIR CFG [heppy_loop flags]` and `heppy_loop.py OUTDIR CFG …` → `heppy build`. */
export function translateLoop(args: readonly string[], prog: 'heppy' | 'heppy_loop.py' = 'heppy'): Result<string[]> {
  // heppy's own errors already start with "heppy: ".
  const m = mapFlags(args, LOOP_FLAGS, prog === 'heppy' ? null : prog, 2);
  if (!m.ok) return m;
  const [outdir, cfg] = m.value.positionals;
  if (outdir === undefined || cfg === undefined) return fail({ reason: `please give the output directory and the heppyfile: ${prog} Outdir heppyfile.ts` });
  const c = checkCfg(cfg);
  if (!c.ok) return c;
  return ok(['build', '--outdir', outdir, '--file', cfg, ...m.value.flags]);
}

const BATCH_FLAGS: FlagMap = {
  valued: [[['-o', '--output-dir'], '--outdir'], [['-b', '--batch'], '-b'], [['-N', '--nevents'], '-N'], [['--option'], '-o']],
  bool: [[['-f', '--force'], null], [['-n', '--negate'], '--dry-run']],
  refused: [[['-r', '--remote-copy'], 'copying outputs to remote storage is not supported; outputs stay in the Outdir']],
};

/** `heppy_batch.py -o Outdir cfg -b TEMPLATE …` → `heppy build --outdir Outdir --file cfg -b TEMPLATE …`. */
export function translateBatch(args: readonly string[]): Result<string[]> {
  const m = mapFlags(args, BATCH_FLAGS, 'heppy_batch.py', 1);
  if (!m.ok) return m;
  const [cfg] = m.value.positionals;
  if (cfg === undefined) return fail({ reason: 'heppy_batch.py: please give the heppyfile: heppy_batch.py -o Outdir heppyfile.ts -b TEMPLATE' });
  const c = checkCfg(cfg);
  if (!c.ok) return c;
  return ok(['build', '--file', cfg, ...m.value.flags]);
}

/** `heppy_check.py DIRS… [-b CMD]` → `heppy check DIRS… [-b CMD]` (-b resubmits the bad ones). */
export function translateCheck(args: readonly string[]): Result<string[]> {
  const m = mapFlags(args, { valued: [[['-b', '--batch'], '-b']], bool: [], refused: [] }, 'heppy_check.py');
  if (!m.ok) return m;
  if (m.value.positionals.length === 0) return fail({ reason: 'heppy_check.py: please give chunk directories, e.g. heppy_check.py Outdir/*Chunk*' });
  return ok(['check', ...m.value.flags, ...m.value.positionals]);
}

/** `heppy_hadd.py [-r] [-c] SRC [DEST]` → `heppy hadd [-r] [-c] SRC [DEST]`. */
export function translateHadd(args: readonly string[]): Result<string[]> {
  const m = mapFlags(args, { valued: [], bool: [], refused: [] }, 'heppy_hadd.py');
  if (!m.ok) return m;
  const pos = m.value.positionals;
  if (pos.length < 1 || pos.length > 2) return fail({ reason: 'heppy_hadd.py: usage: heppy_hadd.py [-r] [-c] SRC [DEST]' });
  return ok(['hadd', ...m.value.flags, ...pos]);
}

export function translateLegacy(prog: LegacyProgram, args: readonly string[]): Result<string[]> {
  switch (prog) {
    case 'heppy_loop.py':
      return translateLoop(args, prog);
    case 'heppy_batch.py':
      return translateBatch(args);
    case 'heppy_check.py':
      return translateCheck(args);
    case 'heppy_hadd.py':
      return translateHadd(args);
    default: return assertNever(prog, 'legacy program');
  }
}

/**
 * `heppy OUTDIR HEPPYFILE …`: heppy_loop's form, recognised when the first word is no command
 * (a command name always stays the command) and the second names a heppyfile (or a Python cfg).
 */
export function isLoopForm(args: readonly string[], commandNames: ReadonlySet<string>): boolean {
  const [first, second] = args;
  if (first === undefined || second === undefined) return false;
  if (first.startsWith('-') || commandNames.has(first)) return false;
  return /\.(?:[cm]?[jt]s|py)$/i.test(second);
}
