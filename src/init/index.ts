// `heppy init`: a ready analysis project in a directory — heppyfile.ts with one component over the
// given files (or over a small sample written here), one analyzer reading branches of their tree,
// package.json depending on this heppy, tsconfig.json, .gitignore. Nothing is overwritten: an
// existing project file is an error, before anything is written.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob, hasMagic } from '../config/component.js';
import { RemoteError } from '../io/errors.js';
import { isUrl, redactUrl } from '../io/url.js';
import { nameProblem } from '../config/names.js';
import { RootError } from '../root/errors.js';
import { fail, ok, UserError, type Result } from '../util/result.js';
import { sketchTree } from './inspect.js';
import { SAMPLE_TREE, writeSample } from './sample.js';
import { analyzerText, GITIGNORE, heppyfileText, packageJsonText, tsconfigText, type ProjectSpec } from './templates.js';

export interface InitOptions {
  dir: string;
  /** A glob of input files (relative to the working directory), or none for the sample. */
  files?: string;
  tree?: string;
  /** Name of the component (default: the files' directory name, or 'sample'). */
  component?: string;
}

export interface InitOutcome {
  dir: string;
  created: string[];
  sample: boolean;
  component: string;
  tree: string;
  nfiles: number;
}

/** This heppy's package root (dist/src/init/index.js → four levels up). */
export const heppyRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

interface HeppyPackage { version: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }

function specs(): Pick<ProjectSpec, 'heppySpec' | 'typescriptSpec' | 'typesNodeSpec'> {
  const pkg = JSON.parse(readFileSync(join(heppyRoot, 'package.json'), 'utf8')) as HeppyPackage;
  // A checkout (or a copy outside node_modules) is depended on by path: npm links it.
  const installed = heppyRoot.split(sep).includes('node_modules');
  return {
    heppySpec: installed ? `^${pkg.version}` : `file:${heppyRoot}`,
    typescriptSpec: pkg.dependencies?.typescript ?? pkg.devDependencies?.typescript ?? '^5.9.0',
    typesNodeSpec: pkg.devDependencies?.['@types/node'] ?? '^20.10.0',
  };
}

function packageName(dir: string): string {
  const n = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return n === '' ? 'heppy-analysis' : n;
}

/** The files of a remote --files: the URL itself, or the server's listing of its glob. */
async function remoteFiles(spec: string): Promise<Result<string[]>> {
  if (!hasMagic(spec)) return ok([spec]);
  try {
    const found = await (await import('../io/open.js')).remoteGlob(spec);
    return found.length === 0 ? fail({ reason: `--files ${redactUrl(spec)}: no file matches` }) : ok(found);
  } catch (e) {
    if (e instanceof RemoteError || e instanceof UserError) return fail({ reason: `--files ${redactUrl(spec)}: ${e.message}` });
    throw e;
  }
}

const PROJECT_FILES = ['heppyfile.ts', 'package.json', 'tsconfig.json', join('analyzers', 'first-look.ts')];

/** The input files --files names (none yet for the sample: written once the checks pass) and the pattern the heppyfile gets. */
async function chooseFiles(o: InitOptions, dir: string): Promise<Result<{ files: string[]; pattern: string; sample: boolean }>> {
  if (o.files !== undefined && isUrl(o.files)) {
    // root:// and http(s):// as a component's files take them: the URL is the pattern, listed on its server.
    const listed = await remoteFiles(o.files);
    if (!listed.ok) return listed;
    return ok({ files: listed.value, pattern: o.files, sample: false });
  }
  if (o.files !== undefined) {
    const abs = resolve(o.files);
    const files = /[*?[]/.test(o.files) ? glob(abs) : existsSync(abs) ? [abs] : [];
    if (files.length === 0) return fail({ reason: `--files ${o.files}: no file matches` });
    const rel = relative(dir, abs);
    return ok({ files, pattern: rel.startsWith('..') || isAbsolute(rel) ? abs : rel, sample: false });
  }
  return ok({ files: [], pattern: 'data/sample_*.root', sample: true });
}

/** The tree the analyzer reads, sketched from the first file; its problems as failures naming the file. */
async function sketchOf(file: string, o: InitOptions, sample: boolean): ReturnType<typeof sketchTree> {
  try {
    return await sketchTree(file, o.tree ?? (sample ? SAMPLE_TREE : undefined));
  } catch (e) {
    if (e instanceof RootError) return fail({ file: e.file, object: e.object, reason: e.reason });
    if (e instanceof RemoteError || e instanceof UserError) return fail({ reason: `--files ${redactUrl(o.files ?? '')}: ${e.message}` });
    throw e;
  }
}

/** Writes the project's files into `dir`, each added to `created`; an existing .gitignore keeps its lines and gets the missing ones. */
function writeProject(dir: string, spec: ProjectSpec, created: string[]): void {
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
    created.push(rel);
  };
  write('heppyfile.ts', heppyfileText(spec));
  write(join('analyzers', 'first-look.ts'), analyzerText(spec.sketch));
  write('package.json', packageJsonText(spec));
  write('tsconfig.json', tsconfigText());
  const gi = join(dir, '.gitignore');
  const have = existsSync(gi) ? readFileSync(gi, 'utf8') : '';
  const missing = GITIGNORE.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !have.split('\n').includes(l));
  if (have === '') write('.gitignore', GITIGNORE);
  else if (missing.length > 0) writeFileSync(gi, `${have.endsWith('\n') ? have : `${have}\n`}${missing.join('\n')}\n`);
}

export async function initProject(o: InitOptions): Promise<Result<InitOutcome>> {
  const dir = resolve(o.dir);
  const taken = PROJECT_FILES.filter((f) => existsSync(join(dir, f)));
  if (taken.length > 0) return fail({ file: dir, reason: `already has ${taken.join(', ')}: heppy init writes a new project and overwrites nothing` });
  if (o.component !== undefined && nameProblem(o.component) !== null) return fail({ reason: `--name ${o.component}: ${nameProblem(o.component)}` });
  const chosen = await chooseFiles(o, dir);
  if (!chosen.ok) return chosen;
  let { files } = chosen.value;
  const { pattern, sample } = chosen.value;
  const dirName = o.files !== undefined ? basename(dirname(isUrl(files[0]!) ? files[0]!.replace(/[?#].*$/, '') : files[0]!)) : 'sample';
  const component = o.component ?? (nameProblem(dirName) === null ? dirName : 'sample');

  mkdirSync(dir, { recursive: true });
  const created: string[] = [];
  if (sample) {
    files = await writeSample(join(dir, 'data'));
    created.push(...files.map((f) => relative(dir, f)));
  }
  const sketch = await sketchOf(files[0]!, o, sample);
  if (!sketch.ok) return sketch;
  writeProject(dir, { name: packageName(dir), component, files: pattern, nfiles: files.length, sketch: sketch.value, ...specs() }, created);
  return ok({ dir, created, sample, component, tree: sketch.value.tree, nfiles: files.length });
}
