// Loading a heppyfile: bundle it (cached), type-check it (when not cached), set the global options,
// import the bundle, validate the Config. Any problem → a Failure with file:line and one reason; nothing is written (a new bundle
// is imported from a temporary directory and enters the cache only once the Config is valid).
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail, ok, type Result } from '../util/result.js';
import { setConfigBaseDir, setGlobalOptions } from './options.js';
import { heppyIndexPath, stageHeppyfile, type Bundle } from './load-bundle.js';
import { makeStamp, stampHolds, type TypecheckStamp } from './typecheck-stamp.js';
import { locateError } from './load-sourcemap.js';
import { validateConfig, type ValidConfig } from './validate.js';
import { codeParts, type CodeParts } from './load-code.js';
import { expandRemoteGlobs } from './remote-globs.js';

export interface LoadedAnalysis {
  bundle: Bundle;
  config: ValidConfig;
  /** The code parts of the chunks' keys (load-code.ts). */
  code: CodeParts;
}

export type Options = Record<string, string | boolean>;

/** Sets heppy's global options (read by getOption) in this process, before a bundle is imported. */
export async function applyOptions(options: Options): Promise<void> {
  setGlobalOptions(options);
}

/**
 * JavaScript's own error types say something ("TypeError: x is not a function"); any other name
 * (Error, heppy's UserError, an analysis's own class) is only the class name: not printed.
 */
const BUILTIN_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']);

/** Imports a bundle and returns its Config (default export, or heppy's `config` export) and its exports. */
export async function importBundle(bundlePath: string): Promise<Result<{ config: unknown; mod: Record<string, unknown> }>> {
  try {
    const mod = (await import(pathToFileURL(bundlePath).href)) as { default?: unknown; config?: unknown };
    return ok({ config: mod.default ?? mod.config, mod });
  } catch (err) {
    const where = locateError(err, bundlePath);
    const msg = err instanceof Error ? `${BUILTIN_ERRORS.has(err.name) ? `${err.name}: ` : ''}${err.message}` : String(err);
    return fail({ file: where ?? bundlePath, reason: msg.split('\n')[0]! });
  }
}

export interface LoadFlags {
  /** Type-check the heppyfile and its local modules (default true; `--no-typecheck`). */
  typecheck?: boolean;
  /**
   * Called with the valid Config before anything is written to the cache (bundle, type-check
   * state): a failure is returned as the load's, and nothing is written (the build refuses an
   * Outdir it cannot write here, before it writes the store).
   */
  beforeCommit?: (config: ValidConfig) => Result<void>;
}

export async function loadHeppyfile(heppyfile: string, cacheDir: string, options: Options, flags: LoadFlags = {}): Promise<Result<LoadedAnalysis>> {
  const st = await stageHeppyfile(heppyfile, cacheDir);
  if (!st.ok) return st;
  const staged = st.value;
  let valid = false;
  try {
    // Only a bundle that is new, not checked yet, or whose checked files or tsconfig changed is type-checked.
    let stamp: TypecheckStamp | undefined;
    let saveTypecheck = (): void => {};
    // The last check's stamp, also when the bundle is new (another esbuild, an edit undone): the
    // check depends on the files it read, not on the bundle. Recorded again with a new bundle, or
    // with new mtimes of files touched without a change.
    const held = stampHolds(staged.typechecked, staged.bundle.heppyfile);
    if (held !== null && (held !== staged.typechecked || !staged.fromCache)) stamp = held;
    if (flags.typecheck !== false && held === null) {
      const { typecheckHeppyfile } = await import('./typecheck.js');
      const checkedFrom = Date.now();   // a file edited during the check (seconds) is not stamped as checked
      const checked = await typecheckHeppyfile(staged.bundle.heppyfile, staged.bundle.inputs, heppyIndexPath, cacheDir);
      if (!checked.ok) return checked;
      stamp = makeStamp(staged.bundle.heppyfile, checked.value.files, heppyIndexPath, checkedFrom, checked.value.digests);
      saveTypecheck = checked.value.save;
    }
    await applyOptions(options);
    // Relative `files` globs are resolved against the heppyfile's directory.
    setConfigBaseDir(dirname(staged.bundle.heppyfile));
    const cfg = await importBundle(staged.bundle.path);
    if (!cfg.ok) return cfg;
    const globs = await expandRemoteGlobs(cfg.value.config);
    if (!globs.ok) return fail({ file: staged.bundle.heppyfile, ...globs.error });
    const v = validateConfig(cfg.value.config, staged.bundle.inputs, dirname(staged.bundle.heppyfile));
    if (!v.ok) return v;
    const go = flags.beforeCommit?.(v.value);
    if (go !== undefined && !go.ok) return go;
    valid = true;
    const bundle = staged.commit(stamp);
    saveTypecheck();
    return ok({ bundle, config: v.value, code: codeParts(bundle, cfg.value.mod, v.value) });
  } finally {
    if (!valid) staged.discard();
  }
}
