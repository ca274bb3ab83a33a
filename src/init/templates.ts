// The files of a new analysis project (`heppy init`), as text: heppyfile.ts, one analyzer over the
// branches found in the input tree, package.json, tsconfig.json, .gitignore. Pure: no I/O.
import { hasMagic } from '../config/component.js';
import { isUrl } from '../io/url.js';
import type { TreeSketch } from './inspect.js';

export interface ProjectSpec {
  /** npm package name of the project. */
  name: string;
  component: string;
  /** The component's `files`: a glob relative to the project directory, or absolute. */
  files: string;
  /** How many files the glob matched today (the split factor: one chunk per file). */
  nfiles: number;
  sketch: TreeSketch;
  /** How package.json depends on heppy: `file:/path/to/heppy` (a checkout) or `^0.1.0`. */
  heppySpec: string;
  typescriptSpec: string;
  typesNodeSpec: string;
}

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function analyzerText(s: TreeSketch): string {
  const { scalar, jagged } = s;
  const branches = [...(jagged ? [jagged.counter, jagged.name] : []), ...(scalar ? [scalar.name] : [])];
  const cut = jagged ? `at least \${this.params.minCount} ${jagged.counter}` : '';
  const lines = [
    `import { Analyzer, fill1, type Event, type Hist } from 'heppy';`,
    '',
    `/** A first look at the ${q(s.tree)} tree: a cut flow and histograms of ${branches.join(', ')}. */`,
    `export class FirstLook extends Analyzer<{ minCount: number }> {`,
    `  // Only these branches are read from the files.`,
    `  static branches = [${branches.map(q).join(', ')}];`,
    ...(scalar ? [`  private hScalar!: Hist;`] : []),
    ...(jagged ? [`  private hLeading!: Hist;`] : []),
    '',
    `  // Book everything in beginLoop, so that every chunk writes the same files (hadd merges them).`,
    `  override beginLoop(): void {`,
    `    this.counter('cutflow').register('all events');`,
    ...(jagged ? [`    this.counter('cutflow').register(\`${cut}\`);`] : []),
    ...(scalar ? [`    this.hScalar = this.hist1(${q(scalar.name)}, ${q(`${scalar.name};${scalar.name}`)}, 50, ${scalar.min}, ${scalar.max});`] : []),
    ...(jagged ? [`    this.hLeading = this.hist1(${q(`${jagged.name}_leading`)}, ${q(`leading ${jagged.name};${jagged.name}`)}, 50, ${jagged.min}, ${jagged.max});`] : []),
    `  }`,
    '',
    `  // Returning false stops the sequence for this event only.`,
    `  override process(event: Event): boolean {`,
    `    const cutflow = this.counter('cutflow');`,
    `    cutflow.inc('all events');`,
    ...(scalar ? [`    fill1(this.hScalar, event.scalar(${q(scalar.name)}), event.eventWeight);`] : []),
    ...(jagged ? [
      `    const values = event.array(${q(jagged.name)});`,
      `    if (values.length < this.params.minCount) return false;`,
      `    cutflow.inc(\`${cut}\`);`,
      `    if (values.length > 0) fill1(this.hLeading, Number(values[0]), event.eventWeight);`,
    ] : []),
    `    return true;`,
    `  }`,
    `}`,
    '',
  ];
  return lines.join('\n');
}

export function heppyfileText(p: ProjectSpec): string {
  return [
    `// The analysis: components (samples) and the sequence of analyzers. Run it with \`npx heppy build\`;`,
    `// outputs land in Outdir/ (one directory per chunk, merged per component in Outdir/${p.component}/).`,
    `import { Analyzer, Component, Config, Sequence, getOption } from 'heppy';`,
    `import { FirstLook } from './analyzers/first-look.js';`,
    '',
    `const ${identifier(p.component)} = new Component(${q(p.component)}, { files: ${q(p.files)} });`,
    // A remote glob is listed on its server after the heppyfile is loaded: files.length is 1 here.
    isUrl(p.files) && hasMagic(p.files)
      ? `${identifier(p.component)}.splitFactor = ${p.nfiles}; // one chunk per file (the server listed ${p.nfiles})`
      : `${identifier(p.component)}.splitFactor = ${identifier(p.component)}.files.length; // one chunk per file (${p.nfiles} today)`,
    '',
    `export default new Config({`,
    `  components: [${identifier(p.component)}],`,
    `  sequence: new Sequence(`,
    `    // -o minCount=2 changes the parameter (and so every chunk's key).`,
    `    new Analyzer(FirstLook, { minCount: Number(getOption('minCount', '1')) }),`,
    `  ),`,
    `  tree: ${q(p.sketch.tree)},`,
    `});`,
    '',
  ].join('\n');
}

function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

export function packageJsonText(p: ProjectSpec): string {
  return JSON.stringify({
    name: p.name,
    private: true,
    type: 'module',
    scripts: { build: 'heppy build', typecheck: 'tsc --noEmit' },
    dependencies: { heppy: p.heppySpec },
    devDependencies: { '@types/node': p.typesNodeSpec, typescript: p.typescriptSpec },
  }, null, 2) + '\n';
}

export function tsconfigText(): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
      strict: true, noImplicitOverride: true, skipLibCheck: true, noEmit: true,
    },
    include: ['heppyfile.ts', 'analyzers'],
  }, null, 2) + '\n';
}

export const GITIGNORE = ['# heppy build outputs and its store', 'Outdir/', 'cache/', 'node_modules/', ''].join('\n');
