import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHeppyfile, type LoadedAnalysis } from '../../../src/config/load.js';
import { plainData } from '../../../src/config/load-code.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-load-code-'));
const cache = join(dir, 'cache');
mkdirSync(join(dir, 'data'));
writeFileSync(join(dir, 'data', 'a.root'), 'a');
const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);

const helper = (k: number, comment = ''): string => `${comment}export const scale = (x: number): number => x * ${k};\n`;
const sel = (comment = ''): string => `${comment}import { Analyzer, type Event } from 'heppy';
import { scale } from './helper.js';
export class Sel extends Analyzer<{ min: number; f?: unknown }> {
  static cut = 1;
  override process(e: Event): boolean { return scale(e.scalar('x')) > this.params.min * Sel.cut; }
}
`;
const other = `import { Analyzer } from 'heppy';\nexport class Other extends Analyzer<{ n?: number }> {}\n`;
write('helper.ts', helper(2));
write('sel.ts', sel());
write('other.ts', other);
write('barrel.ts', "export { Sel } from './sel.js';\nexport const unused = 1;\n");

/** A heppyfile with `comps` components named C0…, Sel from `from`, Other; `extra` top-level code, `param` more of Sel's params. */
function heppyfile(o: { comps?: number; from?: string; extra?: string; param?: string; component?: string; inline?: boolean } = {}): string {
  const comps = Array.from({ length: o.comps ?? 1 }, (_, i) => `new Component('C${i}', { files: ['data/a.root'] })`);
  if (o.component) comps.push(o.component);
  const inline = o.inline ? 'class Sel2 extends Analyzer {}\n' : '';
  return `import { Analyzer, Component, Config, Sequence } from 'heppy';
import { Sel } from '${o.from ?? './sel.js'}';
import { Other } from './other.js';
${inline}${o.extra ?? ''}
export default new Config({
  components: [${comps.join(', ')}],
  sequence: new Sequence(new Analyzer(Sel, { min: 3${o.param ?? ''} }), new Analyzer(Other, {})${o.inline ? ', new Analyzer(Sel2, {})' : ''}),
  tree: 'events',
});
`;
}

async function load(text: string): Promise<LoadedAnalysis> {
  write('heppyfile.ts', text);
  const r = await loadHeppyfile(join(dir, 'heppyfile.ts'), cache, {}, { typecheck: false });
  assert.ok(r.ok, r.ok ? '' : `${r.error.file}: ${r.error.reason}`);
  return (r as { value: LoadedAnalysis }).value;
}

test('each analyzer module is a code part; a heppyfile edit (a component added) changes neither, only the whole digest', async () => {
  const a = await load(heppyfile());
  assert.equal(Object.keys(a.code.parts).sort(), ['code:other.ts', 'code:sel.ts']);
  assert.equal(a.bundle.modules.sort(), ['barrel.ts', 'helper.ts', 'other.ts', 'sel.ts'].filter((m) => m !== 'barrel.ts'));
  assert.is(a.code.wholeFor.size, 0);
  const b = await load(heppyfile({ comps: 2 }));
  assert.equal(b.code.parts, a.code.parts);
  assert.is.not(b.bundle.codeDigest, a.bundle.codeDigest);
  assert.equal(b.code.whole, { code: b.bundle.codeDigest });
});

test('a change in a module the analyzer imports changes its part only; a comment changes nothing', async () => {
  const a = await load(heppyfile());
  write('helper.ts', helper(3));
  const b = await load(heppyfile());
  assert.is.not(b.code.parts['code:sel.ts'], a.code.parts['code:sel.ts']);
  assert.is(b.code.parts['code:other.ts'], a.code.parts['code:other.ts']);
  write('helper.ts', helper(3, '// three now\n'));
  write('sel.ts', sel('/** the selection */\n'));
  const c = await load(heppyfile());
  assert.equal(c.code.parts, b.code.parts);
  write('helper.ts', helper(2));
  write('sel.ts', sel());
});

test('a class imported through a re-export is found in its own module (the smaller bundle)', async () => {
  const a = await load(heppyfile());
  const b = await load(heppyfile({ from: './barrel.js' }));
  assert.ok(b.bundle.modules.includes('barrel.ts'));
  assert.equal(b.code.parts, a.code.parts);
});

test('a static value set by the heppyfile is part of its module\'s code part; a function static is the whole bundle', async () => {
  const a = await load(heppyfile());
  const b = await load(heppyfile({ extra: 'Sel.cut = 2;' }));
  assert.is.not(b.code.parts['code:sel.ts'], a.code.parts['code:sel.ts']);
  assert.is(b.code.parts['code:other.ts'], a.code.parts['code:other.ts']);
  const c = await load(heppyfile({ extra: '(Sel as unknown as { g: unknown }).g = () => 1;' }));
  assert.equal(c.code.parts, { code: c.bundle.codeDigest });
});

test('sound where it cannot tell: an analyzer defined in the heppyfile, a function or class-instance parameter → the whole bundle', async () => {
  const inline = await load(heppyfile({ inline: true }));
  assert.equal(inline.code.parts, { code: inline.bundle.codeDigest });
  const fn = await load(heppyfile({ param: ', f: (x: number) => x' }));
  assert.equal(fn.code.parts, { code: fn.bundle.codeDigest });
  const inst = await load(heppyfile({ extra: 'class Cut { v = 1; }', param: ', f: new Cut()' }));
  assert.equal(inst.code.parts, { code: inst.bundle.codeDigest });
});

test('code outside the analyzers\' modules reaching into them (a shared helper, a module exporting a function) → the whole bundle', async () => {
  const a = await load(heppyfile({ extra: "import { scale } from './helper.js';\nvoid scale;" }));
  assert.equal(a.code.parts, { code: a.bundle.codeDigest });
  write('other.ts', `${other}export function configure(): void {}\n`);
  const b = await load(heppyfile());
  assert.equal(b.code.parts, { code: b.bundle.codeDigest });
  write('other.ts', `${other}export const N = 3;\n`);
  const c = await load(heppyfile());
  assert.equal(Object.keys(c.code.parts).sort(), ['code:other.ts', 'code:sel.ts'], 'a constant is fine');
  write('other.ts', other);
});

test('a component that carries code (a subclass, a function field) → the whole bundle for its chunks only', async () => {
  const sub = await load(heppyfile({ extra: 'class MyComp extends Component { weight(): number { return 2; } }', component: "new MyComp('Mine', { files: ['data/a.root'] })" }));
  assert.equal([...sub.code.wholeFor], ['Mine']);
  assert.equal(Object.keys(sub.code.parts).sort(), ['code:other.ts', 'code:sel.ts']);
  const fn = await load(heppyfile({ component: "Object.assign(new Component('F', { files: ['data/a.root'] }), { pick: (x: number) => x > 1 })" }));
  assert.equal([...fn.code.wholeFor], ['F']);
});

test('plainData: primitives, arrays, plain objects, Map/Set/Date/RegExp/typed arrays yes; functions and other instances no', () => {
  assert.ok(plainData({ a: [1, 'x', null, undefined, { b: new Date(0) }], m: new Map([[1, /x/]]), s: new Set([2]), t: new Float64Array(2) }));
  assert.ok(plainData(Object.create(null) as object));
  const cyc: Record<string, unknown> = { a: 1 };
  cyc.self = cyc;
  assert.ok(plainData(cyc));
  assert.not.ok(plainData({ f: () => 1 }));
  assert.not.ok(plainData([new (class X {})()]));
  assert.not.ok(plainData(new Map([[1, () => 1]])));
});

test.run();
