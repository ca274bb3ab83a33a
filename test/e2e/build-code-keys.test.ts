// A chunk's key covers the code its analyzers come from, not the whole heppyfile: adding, renaming
// or re-splitting a component runs only that component's nodes; an analyzer module (or a module it
// imports) changed runs every chunk using it; a comment runs nothing. Sound where it cannot tell:
// an analyzer defined in the heppyfile, a function parameter. After each step `heppy check` passes
// and the outputs equal a clean --no-cache build's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, heppy, writeInput, type BuildRun, type Project } from './build-rig.js';

interface Comp { name: string; dir: string; split?: number }

const SUM = (factor: number, comment = '') => `${comment}import { Analyzer, type Event } from 'heppy';
import { scaled } from './helper.js';

export class Sum extends Analyzer<{ minX: number; f?: (x: number) => number }> {
  static branches = ['x'];
  static offset = 0;
  override beginLoop(): void {
    this.counter('cutflow').register('all');
    this.counter('cutflow').register('x above min');
  }
  override process(e: Event): boolean {
    const x = scaled(e.scalar('x'), ${factor}) + Sum.offset;
    this.counter('cutflow').inc('all');
    if (x < this.params.minX) return false;
    this.counter('cutflow').inc('x above min');
    this.average('x').add(x, 1);
    return true;
  }
}
`;
const HELPER = (body: string) => `export function scaled(x: number, f: number): number {\n  return ${body};\n}\n`;

/** The heppyfile: components, the analyzer imported from analyzers/sum.ts (or `inline`: defined here), extra top-level text. */
function heppyfile(comps: Comp[], o: { inline?: boolean; extra?: string; comment?: string; param?: string } = {}): string {
  const cls = o.inline ? SUM(1).replace(/^import .*\n/m, '').replace("import { scaled } from './helper.js';\n", '').replace('scaled(e.scalar(\'x\'), 1)', "e.scalar('x')").replace('export class', 'class') : '';
  return `${o.comment ?? ''}import { Analyzer, Config, Component, Sequence, type Event } from 'heppy';
${o.inline ? '' : "import { Sum } from './analyzers/sum.js';\n"}${cls}
${o.extra ?? ''}
export default new Config({
  components: [
${comps.map((c) => `    Object.assign(new Component(${JSON.stringify(c.name)}, { files: 'data/${c.dir}/*.root' }), { splitFactor: ${c.split ?? 1} }),`).join('\n')}
  ],
  sequence: new Sequence(new Analyzer(Sum, { minX: 50${o.param ?? ''} })),
  tree: 'events',
});
`;
}

let p: Project;
let comps: Comp[];
const write = (rel: string, text: string): void => writeFileSync(join(p.dir, rel), text);

test.before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-code-keys-'));
  let k = 0;
  for (const [d, n] of [['A', 4], ['B', 2], ['C', 1], ['D', 2]] as const) {
    mkdirSync(join(dir, 'data', d), { recursive: true });
    for (let i = 0; i < n; i++) await writeInput(join(dir, 'data', d, `f${i}.root`), 20 + 5 * i, 100 * k++);
  }
  mkdirSync(join(dir, 'analyzers'));
  p = { dir, heppyfile: join(dir, 'heppyfile.ts'), setHeppyfile: () => {} };
  write('analyzers/sum.ts', SUM(1));
  write('analyzers/helper.ts', HELPER('x * f'));
  comps = [{ name: 'A', dir: 'A', split: 4 }, { name: 'B', dir: 'B', split: 2 }, { name: 'C', dir: 'C' }];
  write('heppyfile.ts', heppyfile(comps));
});

/** The result files under Outdir (chunks and merges), without the ones that name times, paths or attempts. */
function results(outdir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const f = join(d, e);
      if (e === '.heppy' || e === 'heppy-status.json' || e === 'chunk.json' || e === 'log.txt' || e === 'batchScript.sh' || e.includes('timing')) continue;
      if (statSync(f).isDirectory()) walk(f);
      else out.set(relative(outdir, f), readFileSync(f, 'utf8'));
    }
  };
  walk(outdir);
  return out;
}

/** `heppy check` passes, and the outputs of today's nodes equal a clean --no-cache build's in a fresh copy. */
function assertSound(): void {
  const c = heppy(p, ['check']);
  assert.is(c.code, 0, `check: ${c.stdout}${c.stderr}`);
  const fresh = mkdtempSync(join(tmpdir(), 'heppy-code-keys-clean-'));
  for (const e of ['heppyfile.ts', 'analyzers', 'data']) cpSync(join(p.dir, e), join(fresh, e), { recursive: true });
  const r = build({ dir: fresh, heppyfile: join(fresh, 'heppyfile.ts'), setHeppyfile: () => {} }, ['--no-cache']);
  assert.is(r.code, 0, r.stderr);
  const clean = results(join(fresh, 'Outdir'));
  const ours = results(join(p.dir, 'Outdir'));
  assert.ok(clean.size > 0);
  for (const [f, text] of clean) assert.is(ours.get(f), text, `${f} differs from a clean build's`);
}

function ran(args: string[] = []): BuildRun {
  const r = build(p, args);
  assert.is(r.code, 0, r.stderr + r.stdout.slice(-500));
  return r;
}

test('first build runs everything, the second nothing', () => {
  assert.equal(ran().ran, ['A_Chunk0', 'A_Chunk1', 'A_Chunk2', 'A_Chunk3', 'B_Chunk0', 'B_Chunk1', 'C', 'hadd:A', 'hadd:B']);
  assert.equal(ran().ran, []);
});

test('a comment in the heppyfile and in the analyzer module → nothing runs', () => {
  write('heppyfile.ts', heppyfile(comps, { comment: '// tuned by hand\n\n' }));
  write('analyzers/sum.ts', SUM(1, '/* the sum */\n// of x\n'));
  assert.equal(ran().ran, []);
});

test('add a component → only its chunks and its merge run', () => {
  comps.push({ name: 'D', dir: 'D', split: 2 });
  write('heppyfile.ts', heppyfile(comps));
  assert.equal(ran().ran, ['D_Chunk0', 'D_Chunk1', 'hadd:D']);
  assertSound();
});

test("change one component's splitFactor → only that component runs", () => {
  comps[0]!.split = 2;
  write('heppyfile.ts', heppyfile(comps));
  assert.equal(ran().ran, ['A_Chunk0', 'A_Chunk1', 'hadd:A']);
  assertSound();
});

test('rename a component → only the renamed one runs', () => {
  comps[2]!.name = 'C2';
  write('heppyfile.ts', heppyfile(comps));
  assert.equal(ran().ran, ['C2']);
  assertSound();
});

test('a changed helper module imported by the analyzer → every chunk runs; why names the analyzer module', () => {
  write('analyzers/helper.ts', HELPER('x * f + 1'));
  const w = heppy(p, ['why', 'B_Chunk0']);
  assert.is(w.code, 0, w.stderr);
  assert.match(w.stdout, /B_Chunk0 would run:\n {2}code of analyzers\/sum\.ts changed/);
  assert.equal(ran().ran, ['A_Chunk0', 'A_Chunk1', 'B_Chunk0', 'B_Chunk1', 'C2', 'D_Chunk0', 'D_Chunk1', 'hadd:A', 'hadd:B', 'hadd:D']);
  assertSound();
});

test('a changed analyzer module → every chunk runs', () => {
  write('analyzers/sum.ts', SUM(2));
  assert.equal(ran().ran.length, 10);
  assertSound();
});

test('a static value of the analyzer class set in the heppyfile is part of the key', () => {
  write('heppyfile.ts', heppyfile(comps, { extra: 'Sum.offset = 7;' }));
  assert.equal(ran().ran.length, 10);
  assert.equal(ran().ran, []);
  assertSound();
});

test('a parameter that is a function → the whole heppyfile counts: any edit runs every chunk', () => {
  write('heppyfile.ts', heppyfile(comps, { extra: 'Sum.offset = 7;', param: ', f: (x: number) => x' }));
  assert.equal(ran().ran.length, 10, 'the code part changed from the module to the whole bundle');
  comps.push({ name: 'B2', dir: 'B' });
  write('heppyfile.ts', heppyfile(comps, { extra: 'Sum.offset = 7;', param: ', f: (x: number) => x' }));
  assert.equal(ran().ran.length, 11);
  comps.pop();
});

test('an analyzer defined in the heppyfile → any heppyfile edit runs every chunk (a comment does not); why says heppyfile', () => {
  write('heppyfile.ts', heppyfile(comps, { inline: true }));
  assert.equal(ran().ran.length, 10);
  write('heppyfile.ts', heppyfile(comps, { inline: true, comment: '// a note\n' }));
  assert.equal(ran().ran, []);
  comps[1]!.split = 1;
  write('heppyfile.ts', heppyfile(comps, { inline: true }));
  const w = heppy(p, ['why', 'A_Chunk0']);
  assert.match(w.stdout, /A_Chunk0 would run:\n {2}code changed \(the heppyfile/);
  assert.equal(ran().ran, ['A_Chunk0', 'A_Chunk1', 'B', 'C2', 'D_Chunk0', 'D_Chunk1', 'hadd:A', 'hadd:D']);
  assertSound();
});

test.run();
