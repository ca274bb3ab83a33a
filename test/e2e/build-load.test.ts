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

function build(name: string, text: string): { status: number | null; stderr: string; file: string } {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [HEPPY, 'build', '-f', file], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, file };
}

test('error lines: file:line: reason, without the class name of UserError or an analysis error class', () => {
  const a = build('bad1.ts', 'import { Config } from "heppy";\nexport default new Config({ components: [], sequence: [], bogus: 1 });\n');
  assert.is(a.status, 2);
  assert.is(a.stderr, `heppy: ${a.file}:2: Config: unknown field 'bogus' (known: components, sequence, tree, outdir, services)\n`);
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
    const r = spawnSync(process.execPath, [HEPPY, 'build'], { cwd: d, encoding: 'utf8' });
    assert.is(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re, name);
    assert.equal(readdirSync(d).sort(), ['data', 'heppyfile.ts'], name);
  }
});

test('a bad heppyfile next to an existing cache adds nothing to it', () => {
  const d = join(dir, 'withcache');
  mkdirSync(join(d, 'cache'), { recursive: true });
  writeFileSync(join(d, 'heppyfile.ts'), 'import { Config } from "heppy";\nexport default new Config({ components: [], sequence: [], bogus: 1 });\n');
  const r = spawnSync(process.execPath, [HEPPY, 'build'], { cwd: d, encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.equal(readdirSync(join(d, 'cache')), []);
  assert.equal(readdirSync(d).sort(), ['cache', 'heppyfile.ts']);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
