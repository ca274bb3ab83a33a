// Global options (`heppy build -o key=value`), heppy's getHeppyOption: set by the loader before
// the heppyfile bundle is imported, read by the heppyfile. Kept on globalThis so that a bundle
// carrying its own copy of this module still sees the same values.
export type OptionValue = string | boolean;

interface OptionState {
  options: Record<string, OptionValue>;
  read: Set<string>;
  baseDir: string;
}

const SLOT = Symbol.for('heppy.config.options');

function state(): OptionState {
  const g = globalThis as unknown as Record<symbol, OptionState | undefined>;
  let s = g[SLOT];
  if (s === undefined) {
    s = { options: {}, read: new Set(), baseDir: process.cwd() };
    g[SLOT] = s;
  }
  return s;
}

/** Replaces the global options (values are strings; a bare flag `-o flag` is true). */
export function setGlobalOptions(options: Record<string, OptionValue>): void {
  const s = state();
  s.options = { ...options };
  s.read = new Set();
}

export function getGlobalOptions(): Record<string, OptionValue> {
  return { ...state().options };
}

/** heppy's getHeppyOption(name, default): the `-o` value, true for a bare flag, else the default. */
export function getOption(name: string): OptionValue | undefined;
export function getOption<T>(name: string, dflt: T): OptionValue | T;
export function getOption<T>(name: string, dflt?: T): OptionValue | T | undefined {
  const s = state();
  s.read.add(name);
  return Object.prototype.hasOwnProperty.call(s.options, name) ? s.options[name] : dflt;
}

/** Names the heppyfile asked for with getOption (the loader flags `-o` keys never read). */
export function optionsRead(): string[] {
  return [...state().read].sort();
}

/** Directory that relative `files` globs are resolved against (the heppyfile's directory). */
export function setConfigBaseDir(dir: string): void {
  state().baseDir = dir;
}

export function configBaseDir(): string {
  return state().baseDir;
}
