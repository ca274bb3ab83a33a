// Type-checking the heppyfile and the local modules it imports against heppy's public types, with
// TypeScript's compiler API in this process (DESIGN.md §1: a type error stops before anything
// runs). Only the files of the bundle are reported: errors inside node_modules or .d.ts files are
// not the analysis's. The compiler options are the nearest tsconfig.json's (the analysis
// project's, as the editor sees them), else strict NodeNext defaults; 'heppy' is pointed at the
// declarations of the heppy that bundles and runs the analysis. Incremental: the .tsbuildinfo
// lives in the cache, so an edit re-checks only what it touched. TypeScript is loaded only here,
// and this runs only when the bundle is not cached (the no-op build never pays for it).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hashBytes, hashString, initHash } from '../fingerprint/hash.js';
import { fail, ok, type Result } from '../util/result.js';
import { findTsconfig, heppyTypesPath } from './typecheck-stamp.js';

/** How many type errors are printed (each on its own line); the rest are counted. */
const MAX_SHOWN = 10;

/**
 * Without a tsconfig: the @types directories above the heppyfile (TypeScript's default), then
 * heppy's own (its @types/node, when heppy is a checkout), so that `import 'node:fs'` type-checks.
 */
function defaultTypeRoots(heppyfile: string, heppyIndexPath: string): string[] {
  const roots: string[] = [];
  for (let dir = dirname(heppyfile); ; dir = dirname(dir)) {
    roots.push(join(dir, 'node_modules', '@types'));
    if (dirname(dir) === dir) break;
  }
  roots.push(join(heppyIndexPath, '..', '..', '..', 'node_modules', '@types'));
  return roots.filter((r) => existsSync(r));
}

type TS = typeof import('typescript');

function compilerOptions(ts: TS, heppyfile: string, heppyIndexPath: string, cacheDir: string): Result<import('typescript').CompilerOptions> {
  const tsconfig = findTsconfig(heppyfile);
  let options: import('typescript').CompilerOptions = {
    // Without a tsconfig the heppyfile is what esbuild bundles it as: an ES module (top-level await
    // allowed, wherever it lies), with the bundler's resolution.
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true, esModuleInterop: true, typeRoots: defaultTypeRoots(heppyfile, heppyIndexPath),
  };
  if (tsconfig !== null) {
    const read = ts.readConfigFile(tsconfig, (p) => ts.sys.readFile(p));
    if (read.error) return fail({ file: tsconfig, reason: ts.flattenDiagnosticMessageText(read.error.messageText, ' ') });
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfig), undefined, tsconfig);
    const bad = parsed.errors.find((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003 /* no inputs: we give our own */);
    if (bad) return fail({ file: tsconfig, reason: ts.flattenDiagnosticMessageText(bad.messageText, ' ') });
    options = parsed.options;
  }
  return ok({
    ...options,
    noEmit: true, incremental: true, composite: false, declaration: false, declarationMap: false, emitDeclarationOnly: false,
    rootDir: undefined, outDir: undefined, outFile: undefined, tsBuildInfoFile: join(cacheDir, 'typecheck', `${hashString(heppyfile)}.tsbuildinfo`),
    // The heppy this build runs, whatever node_modules holds (the bundler does the same).
    paths: { ...(options.paths ?? {}), heppy: [heppyTypesPath(heppyIndexPath)] },
  });
}

export interface CheckedAnalysis {
  /** Writes the incremental state into the cache. */
  save(): void;
  /** The files the check read outside node_modules and TypeScript's libs (what it depends on). */
  files: string[];
  /** The digest of each of those files' text as the check read it (file-stamps.ts stampFile). */
  digests: Map<string, string>;
}

/**
 * Type-checks `heppyfile` (and what it imports). `files`: the bundle's local inputs, the only
 * files whose errors are reported. An error → a Failure whose text is one `file:line:col: TSnnnn:
 * message` line per error (at most MAX_SHOWN).
 */
export async function typecheckHeppyfile(heppyfile: string, files: readonly string[], heppyIndexPath: string, cacheDir: string): Promise<Result<CheckedAnalysis>> {
  await initHash();
  const ts = (await import('typescript')).default;
  const opts = compilerOptions(ts, heppyfile, heppyIndexPath, cacheDir);
  if (!opts.ok) return opts;
  const host = ts.createIncrementalCompilerHost(opts.value);
  const builder = ts.createIncrementalProgram({ rootNames: [heppyfile], options: opts.value, host });
  const ours = new Set(files.map((f) => resolve(f)));
  const diags = [
    ...builder.getConfigFileParsingDiagnostics(), ...builder.getOptionsDiagnostics(), ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(), ...builder.getSemanticDiagnostics(),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error && (d.file === undefined || ours.has(resolve(d.file.fileName))));
  // The heppyfile's errors first, then each module's, in the order of the text.
  const rank = (d: import('typescript').Diagnostic): string => d.file === undefined ? '' : `${resolve(d.file.fileName) === resolve(heppyfile) ? 0 : 1}${d.file.fileName}`;
  diags.sort((a, b) => rank(a).localeCompare(rank(b)) || (a.start ?? 0) - (b.start ?? 0));
  if (diags.length === 0) {
    // `save` records what was checked, so that the next check after an edit redoes only what
    // changed; the loader calls it once the Config is valid (a bad heppyfile adds nothing to the cache).
    const program = builder.getProgram();
    const sources = program.getSourceFiles()
      .filter((f) => !program.isSourceFileDefaultLibrary(f) && !f.fileName.split('/').includes('node_modules'));
    const files = sources.map((f) => resolve(f.fileName));
    // UTF-8 without a byte-order mark, as nearly every source is; another encoding only misses the digest.
    const digests = new Map(sources.map((f) => [resolve(f.fileName), hashBytes(Buffer.from(f.text, 'utf8'))]));
    return ok({
      files,
      digests,
      save: () => {
        mkdirSync(join(cacheDir, 'typecheck'), { recursive: true });
        builder.emit();
      },
    });
  }
  const lines = diags.slice(0, MAX_SHOWN).map((d) => {
    const msg = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    if (d.file === undefined || d.start === undefined) return msg;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${resolve(d.file.fileName)}:${line + 1}:${character + 1}: ${msg}`;
  });
  if (diags.length > MAX_SHOWN) lines.push(`… and ${diags.length - MAX_SHOWN} more type errors`);
  lines.push(`(type errors in the analysis; heppy build --no-typecheck skips this check)`);
  return fail({ reason: lines.join('\n') });
}
