// heppy's command-line entry: parses argv with clipanion, turns usage errors and
// UserErrors into one line + exit 2, and never shows a stack trace for bad input.
import { Builtins, Cli, type CommandClass } from 'clipanion';
import { UserError } from '../util/result.js';
import { checkEnv } from '../util/env.js';
import { isEnvironmentError } from '../util/environment-error.js';
import { readFileSync } from 'node:fs';
import { isLoopForm, legacyProgram, translateLegacy, translateLoop } from './legacy.js';

/** Commands whose execute() awaits every write before returning (see the end of this file). */
const FAST_EXIT = new Set(['build', 'status', 'why', 'graph']);

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The commands to register. `heppy build` (whose no-op is benchmarked) registers only itself: the
 * other commands' module graphs cost ≈ 8 ms of start-up. Its parsing, `--help` and flag errors are
 * the same, since clipanion matches on the first word; every other command line sees the whole list.
 */
async function registry(argv: readonly string[]): Promise<CommandClass[]> {
  // `heppy --version` is answered by clipanion's builtin alone (no command module loaded).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) return [];
  if (argv[0] === 'build') return [(await import('./build.js')).BuildCommand];
  // Likewise `heppy root merge` (hadd of many files in scripts, benchmarked against cp).
  if (argv[0] === 'root' && argv[1] === 'merge') return [(await import('./root/merge.js')).RootMergeCommand];
  // And `heppy run-chunk`: what every batch job starts (once per chunk).
  if (argv[0] === 'run-chunk') return [(await import('./run-chunk.js')).RunChunkCommand];
  return (await import('./commands.js')).commands;
}

export function makeCli(commands: readonly CommandClass[]): Cli {
  const cli = new Cli({ binaryLabel: 'heppy', binaryName: 'heppy', binaryVersion: pkg.version, enableColors: false });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const c of commands) cli.register(c);
  return cli;
}

/**
 * For a command line whose command words are no command's: "unknown command 'biuld'; did you mean
 * build?" (the closest command word by edit distance, at most 2 edits), or the list to choose from.
 * Also for a group's second word (`heppy root inspct`, `heppy root`). Null when the words are known.
 */
export async function unknownCommand(commands: readonly CommandClass[], argv: readonly string[]): Promise<string | null> {
  // From the classes' static paths, not cli.definitions() (which renders every usage: 2-10 ms of a no-op build).
  const paths = commands.flatMap((c) => c.paths ?? []).filter((p) => p.length > 0 && !p[0]!.startsWith('-'));
  let prefix: string[] = [];
  for (;;) {
    const here = paths.filter((p) => prefix.every((w, i) => p[i] === w) && p.length > prefix.length);
    if (here.length === 0 || paths.some((p) => p.length === prefix.length && prefix.every((w, i) => p[i] === w))) return null;
    const words = [...new Set(here.map((p) => p[prefix.length]!))].sort();
    const word = argv[prefix.length];
    const before = prefix.length ? `${prefix.join(' ')} ` : '';
    if (word === undefined || word.startsWith('-')) {
      return prefix.length === 0 ? null : `${prefix.join(' ')} needs a command: ${words.map((w) => before + w).join(', ')}`;
    }
    if (!words.includes(word)) {
      const { closestMatch } = await import('leven');
      const best = closestMatch(word, words, { maxDistance: word.length <= 3 ? 1 : 2 });
      return best !== undefined
        ? `unknown command '${before}${word}'; did you mean ${before}${best}?`
        : `unknown command '${before}${word}'; the commands are ${words.map((w) => before + w).join(', ')}`;
    }
    prefix = [...prefix, word];
  }
}

/**
 * "unknown option '--cache-dir' for heppy check" when argv's command words name a command and one of
 * its flags is none of that command's (clipanion's own message then lists no candidate). Null otherwise.
 */
export function unknownOption(cli: Cli, argv: readonly string[]): string | null {
  const defs = cli.definitions().map((d) => ({ words: d.path.split(' ').slice(1), options: d.options }));
  const def = defs.filter((d) => d.words.every((w, i) => argv[i] === w)).sort((a, b) => b.words.length - a.words.length)[0];
  if (def === undefined) return null;
  const takesValue = new Map<string, boolean>();
  for (const o of def.options) {
    const [names = '', arg] = o.definition.split(' ');
    for (const n of names.split(',')) takesValue.set(n, arg !== undefined);
  }
  for (let i = def.words.length; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') continue;
    const name = a.split('=')[0]!;
    const known = takesValue.get(name) ?? (name.startsWith('--no-') ? takesValue.has(`--${name.slice(5)}`) : undefined);
    if (known === undefined) return `unknown option '${name}' for heppy ${def.words.join(' ')} (its options: heppy ${def.words.join(' ')} --help)`;
    if (takesValue.get(name) === true && !a.includes('=')) i++;
  }
  return null;
}

/**
 * The command line heppy runs: the original heppy's forms (`heppy Outdir heppyfile.ts …`, and the
 * heppy_*.py launchers, named by `program`) become the heppy command doing the same work.
 */
async function resolveArgv(argv: string[], program: string): Promise<{ argv: string[]; commands: CommandClass[] }> {
  const legacy = legacyProgram(program);
  if (legacy !== null) {
    const t = translateLegacy(legacy, argv);
    if (!t.ok) throw new UserError(t.error.file ? `${t.error.file}: ${t.error.reason}` : t.error.reason);
    return { argv: t.value, commands: await registry(t.value) };
  }
  const commands = await registry(argv);
  const names = new Set(commands.flatMap((c) => (c.paths ?? []).map((p) => p[0] ?? '')));
  if (argv[0] !== 'build' && isLoopForm(argv, names)) {
    const t = translateLoop(argv);
    if (!t.ok) throw new UserError(t.error.file ? `${t.error.file}: ${t.error.reason}` : t.error.reason);
    return { argv: t.value, commands };
  }
  return { argv, commands };
}

/** The command line made ready for clipanion: the argv it parses, its Cli, and root merge's inputs kept aside. */
interface Prepared { argv: string[]; cli: Cli; commands: CommandClass[]; mergeInputs: string[] }

/** Checks the environment and resolves the command line; a UserError is one line and its exit code. */
async function prepare(rawArgv: string[], program: string): Promise<Prepared | number> {
  try {
    checkEnv(); // a bad HEPPY_* switch is bad input: reported before anything is read or written
    const r = await resolveArgv(rawArgv, program);
    let argv = r.argv, mergeInputs: string[] = [];
    if (r.argv[0] === 'root' && r.argv[1] === 'merge') {
      const flags = await import('./root/hadd-flags.js');
      ({ parse: argv, rest: mergeInputs } = flags.splitTrailingInputs(flags.normalizeHaddFlags(r.argv)));
    }
    return { argv, cli: makeCli(r.commands), commands: r.commands, mergeInputs };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    process.stderr.write(`heppy: ${err.message}\n`);
    return err.exitCode;
  }
}

type Parsed = ReturnType<Cli['process']>;

/** The command argv names, or the exit code of an unknown command or flag (one line and the hint to --help). */
async function parse(p: Prepared): Promise<Parsed | number> {
  const { argv, cli } = p;
  const unknown = await unknownCommand(p.commands, argv);
  if (unknown !== null) {
    process.stderr.write(`heppy: ${unknown}\n(see heppy --help)\n`);
    return 2;
  }
  try {
    return cli.process(argv, Cli.defaultContext);
  } catch (err) {
    // Unknown command, bad flag, bad flag value: one line and the hint to --help.
    const msg = err instanceof Error ? err.message.split('\n').find((l) => l.trim() !== '') ?? err.message : String(err);
    // A command taking free arguments (check, hadd) makes clipanion say "Command not found" for a flag it lacks.
    const flag = msg.startsWith('Command not found') ? unknownOption(cli, argv) : null;
    process.stderr.write(`heppy: ${flag ?? msg.replace(/^Usage Error: /, '')}\n(see heppy --help)\n`);
    return 2;
  }
}

/** What Cli.run does before executing, minus its catch-all that turns every error into exit 1. */
function attachCli(command: Parsed, cli: Cli): void {
  command.context = Cli.defaultContext as typeof command.context;
  command.cli = {
    binaryLabel: cli.binaryLabel,
    binaryName: cli.binaryName,
    binaryVersion: cli.binaryVersion,
    enableCapture: cli.enableCapture,
    enableColors: cli.enableColors,
    definitions: () => cli.definitions(),
    error: (error, opts) => cli.error(error, opts),
    format: (colored) => cli.format(colored),
    process: (input, sub) => cli.process(input, { ...Cli.defaultContext, ...sub }),
    run: (input, sub) => cli.run(input, { ...Cli.defaultContext, ...sub }),
    usage: (c, opts) => cli.usage(c, opts),
  };
}

/** Runs the command: bad input is one line and exit 2, a refusal of the machine one line and exit 1. */
async function execute(command: Parsed): Promise<number> {
  try {
    const code = await command.validateAndExecute();
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`heppy: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof Error && err.name === 'UsageError') {
      process.stderr.write(`heppy: ${err.message}\n`);
      return 2;
    }
    // The machine said no (a full or read-only disk, no permission): one line, with the file when Node names it.
    if (isEnvironmentError(err)) {
      process.stderr.write(`heppy: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export async function main(rawArgv: string[], program = 'heppy'): Promise<number> {
  const p = await prepare(rawArgv, program);
  if (typeof p === 'number') return p;
  lastArgv = p.argv;
  const command = await parse(p);
  if (typeof command === 'number') return command;
  if (command.help) {
    process.stdout.write(p.cli.usage(command, { detailed: true }));
    return 0;
  }
  // The input files splitTrailingInputs kept from clipanion (root merge of many files).
  if (p.mergeInputs.length > 0) (command as unknown as { inputs: string[] }).inputs.push(...p.mergeInputs);
  attachCli(command, p.cli);
  return execute(command);
}

/**
 * Output piped into a reader that stopped (`heppy status | head`): stop quietly, as a Unix tool does on
 * SIGPIPE, instead of Node's unhandled EPIPE error and its stack trace.
 */
function quietOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

/** The command line main() ran, after translation (for the fast exit below). */
let lastArgv: string[] = [];
// bin/heppy_*.py launch heppy as `heppy.js --legacy-program <name> …`.
const args = process.argv.slice(2);
const program = args[0] === '--legacy-program' ? args.splice(0, 2)[1] ?? 'heppy' : 'heppy';
quietOnBrokenPipe(process.stdout);
quietOnBrokenPipe(process.stderr);
const code = await main(args, program);
process.exitCode = code;
// The planning commands have closed their store and released their lock when main() returns:
// nothing is left to flush, so do not wait for Node to tear down the output-check worker and the
// LMDB environment (≈ 10-25 ms of a no-op build). Exit once stdout and stderr have taken the
// last lines (writes to pipes and files are synchronous on Linux; the callback covers the rest).
// Likewise `heppy root merge`: its output is closed and renamed, its inputs closed, when main() returns
// (the rest is freeing a heap that a merge of large inputs filled: 10-130 ms between its last line and exit).
if (FAST_EXIT.has(lastArgv[0] ?? '') || (lastArgv[0] === 'root' && lastArgv[1] === 'merge')) {
  let pending = 2;
  const done = (): void => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
