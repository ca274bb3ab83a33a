// A heppyfile that does not load: one line `heppy: file:line: reason` on stderr, exit 2, and
// nothing written (no cache/, no Outdir/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HEPPY } from './build-rig.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-load-e2e-'));

// What the type-check does not see (plain JavaScript objects, values, files): tested without it.
function build(name: string, text: string, typecheck = false): { status: number | null; stderr: string; file: string } {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [HEPPY, 'build', '-f', file, ...(typecheck ? [] : ['--no-typecheck'])], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, file };
}

test('error lines: file:line: reason, without the class name of UserError or an analysis error class', () => {
  const a = build('bad1.ts', 'import { Config } from "heppy";\nexport default new Config({ components: [], sequence: [], bogus: 1 });\n');
  assert.is(a.status, 2);
  assert.is(a.stderr, `heppy: ${a.file}:2: Config: unknown field 'bogus' (known: components, sequence, tree, outdir, services, lumi, mergeFanIn)\n`);
  const b = build('bad2.ts', 'class CalibError extends Error {\n  constructor(m: string) { super(m); this.name = "CalibError"; }\n}\nthrow new CalibError("no calibration for 2018");\n');
  assert.is(b.status, 2);
  assert.is(b.stderr, `heppy: ${b.file}:4: no calibration for 2018\n`);
  // JavaScript's own error types say something: kept.
  const c = build('bad3.ts', 'const o: any = undefined;\no.x();\n');
  assert.is(c.status, 2);
  assert.is(c.stderr, `heppy: ${c.file}:2: TypeError: Cannot read properties of undefined (reading 'x')\n`);
});

test('a heppyfile that does not load writes nothing: no cache/, no Outdir/', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['syntax', 'import { Config } from "heppy";\nexport default new Config({ components: [, oops oops });\n', /:2:\d+: /],
    ['field', 'import { Config } from "heppy";\nexport default new Config({ components: [], sequence: [], bogus: 1 });\n', /:2: Config: unknown field 'bogus'/],
    ['name', 'import { Config, Component, Sequence } from "heppy";\nexport default new Config({ components: [new Component("a b", { files: ["data/x.root"] })], sequence: new Sequence([]) });\n',
      /:2: invalid component name "a b": the name contains white space/],
    ['plainname', 'export default {\n  components: [{ name: "a=b", files: ["data/x.root"] }],\n  sequence: [],\n};\n', /:2: invalid component name "a=b"/],
    ['missing', 'export default {\n  components: [{ name: "A", files: ["data/nope.root"] }],\n  sequence: [],\n};\n', /:2: component 'A': input file .*nope\.root does not exist/],
  ];
  for (const [name, text, re] of cases) {
    const d = join(dir, name);
    mkdirSync(join(d, 'data'), { recursive: true });
    writeFileSync(join(d, 'data', 'x.root'), 'not read');
    writeFileSync(join(d, 'heppyfile.ts'), text);
    const r = spawnSync(process.execPath, [HEPPY, 'build', '--no-typecheck'], { cwd: d, encoding: 'utf8' });
    assert.is(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re, name);
    assert.equal(readdirSync(d).sort(), ['data', 'heppyfile.ts'], name);
  }
});

test('type errors: exit 2, one file:line:col line each, nothing written', () => {
  const d = join(dir, 'typed');
  mkdirSync(join(d, 'data'), { recursive: true });
  writeFileSync(join(d, 'data', 'x.root'), 'not read');
  writeFileSync(join(d, 'sel.ts'), 'import { Analyzer } from "heppy";\nexport class Sel extends Analyzer<{ ptMin: number }> {\n  override process(): boolean {\n    return this.params.ptMin.toFixed();\n  }\n}\n');
  writeFileSync(join(d, 'heppyfile.ts'), 'import { Analyzer, Config, Component, Sequence } from "heppy";\nimport { Sel } from "./sel.js";\n' +
    'export default new Config({\n  components: [new Component("A", { files: ["data/x.root"] })],\n  sequence: new Sequence(new Analyzer(Sel, { ptMn: 20 })),\n});\n');
  const r = spawnSync(process.execPath, [HEPPY, 'build'], { cwd: d, encoding: 'utf8' });
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, [
    `heppy: ${join(d, 'heppyfile.ts')}:5:46: TS2561: Object literal may only specify known properties, but 'ptMn' does not exist in type '{ ptMin: number; }'. Did you mean to write 'ptMin'?`,
    `${join(d, 'sel.ts')}:4:5: TS2322: Type 'string' is not assignable to type 'boolean'.`,
    '(type errors in the analysis; heppy build --no-typecheck skips this check)',
    '',
  ].join('\n'));
  assert.equal(readdirSync(d).sort(), ['data', 'heppyfile.ts', 'sel.ts']);
  // A missing required parameter too.
  writeFileSync(join(d, 'heppyfile.ts'), 'import { Analyzer, Config, Component, Sequence } from "heppy";\nimport { Sel } from "./sel.js";\n' +
    'export default new Config({\n  components: [new Component("A", { files: ["data/x.root"] })],\n  sequence: new Sequence(new Analyzer(Sel)),\n});\n');
  const m = spawnSync(process.execPath, [HEPPY, 'build'], { cwd: d, encoding: 'utf8' });
  assert.is(m.status, 2);
  assert.match(m.stderr, `heppy: ${join(d, 'heppyfile.ts')}:5:26: TS2554: Expected 2-3 arguments, but got 1.\n`);
});

test('a bad heppyfile next to an existing cache adds nothing to it', () => {
  const d = join(dir, 'withcache');
  mkdirSync(join(d, 'cache'), { recursive: true });
  writeFileSync(join(d, 'heppyfile.ts'), 'import { Config } from "heppy";\nexport default new Config({ components: [], sequence: [], bogus: 1 });\n');
  const r = spawnSync(process.execPath, [HEPPY, 'build'], { cwd: d, encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, "heppyfile.ts:2:59: TS2353: Object literal may only specify known properties, and 'bogus' does not exist in type 'ConfigOptions'.");
  assert.equal(readdirSync(join(d, 'cache')), []);
  assert.equal(readdirSync(d).sort(), ['cache', 'heppyfile.ts']);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
