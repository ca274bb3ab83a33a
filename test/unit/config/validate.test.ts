// Validation of a heppyfile's default export: each problem is one failure naming the heppyfile
// line that defines the culprit and a one-line reason; a valid Config comes back normalised.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate, validateConfig } from '../../../src/config/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-validate-'));
mkdirSync(join(dir, 'data'));
writeFileSync(join(dir, 'data', 'a.root'), 'x');
writeFileSync(join(dir, 'data', 'b.root'), 'x');
const heppyfile = join(dir, 'heppyfile.ts');
const helper = join(dir, 'samples.ts');
writeFileSync(heppyfile, [
  "import { samples } from './samples.js';",
  'export default new Config({',
  "  components: [new Component({ name: 'zz', files: ['data/a.root'] })],",
  '  sequence: [],',
  "  tree: 'events',",
  '  lumi: 10,',
  '  mergeFanIn: 8,',
  '});',
  '',
].join('\n'));
writeFileSync(helper, ['export const samples = [', '  { name: "ww", files: [] },', '  { name: `tt`, files: [] },', '];', ''].join('\n'));
const sources = [heppyfile, helper];

test('locate: the first line quoting the name, in any quotes, in any source; else the heppyfile', () => {
  assert.is(locate(sources, 'zz'), `${heppyfile}:3`);
  assert.is(locate(sources, 'ww'), `${helper}:2`);
  assert.is(locate(sources, 'tt'), `${helper}:3`);
  assert.is(locate(sources, 'events'), `${heppyfile}:5`);
  // Unquoted mentions do not count (sequence: [] names no 'sequence').
  assert.is(locate(sources, 'sequence'), heppyfile);
  assert.is(locate(sources, null), heppyfile);
  // A source that cannot be read is skipped; no source at all names the default.
  assert.is(locate([join(dir, 'gone.ts'), helper], 'ww'), `${helper}:2`);
  assert.is(locate([], 'zz'), 'heppyfile.ts');
});

const comp = (o: Record<string, unknown> = {}) => ({ name: 'zz', files: ['data/a.root'], ...o });
const cfg = (o: Record<string, unknown> = {}) => ({ components: [comp()], sequence: [], ...o });

function failure(c: unknown): { file: string | undefined; reason: string } {
  const r = validateConfig(c, sources, dir);
  if (r.ok) throw new Error('expected a failure');
  return { file: r.error.file, reason: r.error.reason };
}

test('a valid Config: files made absolute, defaults filled in, the component object kept', () => {
  const c = comp({ files: ['data/a.root', join(dir, 'data', 'b.root'), 'root://eos.example//store/c.root'], splitFactor: 2, treeName: 'Events' });
  const r = validateConfig({ components: [c], sequence: ['s'] }, sources, dir);
  assert.equal(r, { ok: true, value: {
    components: [{ name: 'zz', files: [join(dir, 'data', 'a.root'), join(dir, 'data', 'b.root'), 'root://eos.example//store/c.root'],
      splitFactor: 2, fineSplitFactor: undefined, tree: 'Events', raw: c }],
    sequence: ['s'], tree: 'events', outdir: null, lumi: null, mergeFanIn: null,
  } });
  const r2 = validateConfig(cfg({ tree: 'T', outDir: 'Out', lumi: 2.5, mergeFanIn: 2, components: [comp({ tree_name: 'x' })] }), sources, dir);
  assert.ok(r2.ok);
  if (r2.ok) {
    assert.equal([r2.value.tree, r2.value.outdir, r2.value.lumi, r2.value.mergeFanIn], ['T', 'Out', 2.5, 2]);
    assert.is(r2.value.components[0]!.tree, 'x');
  }
});

test('the Config itself: not an object, components, tree, outdir, sequence, lumi, mergeFanIn', () => {
  assert.equal(failure(null), { file: heppyfile, reason: 'the heppyfile must `export default new Config({...})`' });
  assert.equal(failure(3), { file: heppyfile, reason: 'the heppyfile must `export default new Config({...})`' });
  assert.equal(failure({ components: {} }), { file: heppyfile, reason: 'Config.components must be an array of components' });
  assert.equal(failure(cfg({ tree: '' })), { file: heppyfile, reason: 'Config.tree must be a non-empty string' });
  assert.equal(failure(cfg({ outdir: 7 })), { file: heppyfile, reason: 'Config.outdir must be a string' });
  assert.equal(failure(cfg({ sequence: undefined })), { file: heppyfile, reason: 'Config.sequence is missing' });
  assert.equal(failure(cfg({ lumi: 0 })), { file: heppyfile, reason: 'Config.lumi must be a positive number, got 0' });
  assert.equal(failure(cfg({ lumi: '5' })).reason, 'Config.lumi must be a positive number, got "5"');
  assert.equal(failure(cfg({ lumi: Infinity })).reason, 'Config.lumi must be a positive number, got null');
  assert.equal(failure(cfg({ mergeFanIn: 1 })).reason, 'Config.mergeFanIn must be an integer >= 2, got 1');
  assert.equal(failure(cfg({ mergeFanIn: 2.5 })).reason, 'Config.mergeFanIn must be an integer >= 2, got 2.5');
});

test('a component: its problems point at the line naming it', () => {
  const at = `${heppyfile}:3`;
  assert.equal(failure(cfg({ components: [null] })), { file: heppyfile, reason: 'component #0 is not a component' });
  assert.equal(failure(cfg({ components: [comp({ name: 'a b' })] })), { file: heppyfile, reason: 'invalid component name "a b": the name contains white space' });
  assert.equal(failure(cfg({ components: [comp({ name: '' })] })).reason, 'invalid component name "": the name is empty');
  assert.equal(failure(cfg({ components: [comp({ name: 3 })] })).reason, 'invalid component name 3: the name must be a string, got number');
  assert.equal(failure(cfg({ components: [comp(), comp()] })), { file: at, reason: "two components are named 'zz'" });
  assert.equal(failure(cfg({ components: [comp({ splitFactor: 0 })] })), { file: at, reason: "component 'zz': splitFactor must be a positive integer, got 0" });
  assert.equal(failure(cfg({ components: [comp({ fineSplitFactor: 1.5 })] })), { file: at, reason: "component 'zz': fineSplitFactor must be a positive integer, got 1.5" });
  assert.equal(failure(cfg({ components: [comp({ files: 'data/*.root' })] })), { file: at, reason: "component 'zz': files must be a list of paths or a glob" });
  assert.equal(failure(cfg({ components: [comp({ files: [3] })] })).reason, "component 'zz': files must be a list of paths or a glob");
  assert.equal(failure(cfg({ components: [comp({ files: ['data/none.root'] })] })),
    { file: at, reason: `component 'zz': input file ${join(dir, 'data', 'none.root')} does not exist` });
  assert.equal(failure(cfg({ components: [comp({ files: ['data'] })] })).reason, `component 'zz': input file ${join(dir, 'data')} is not a file`);
  // A URL is not stat'ed here, but must parse.
  assert.match(failure(cfg({ components: [comp({ files: ['roots://eos.example//x.root'] })] })).reason, /^component 'zz': .*roots:\/\/\) is not supported/);
  assert.match(failure(cfg({ components: [comp({ files: ['https://u:pw@host/x.root'] })] })).reason, /^component 'zz': .*credentials in the URL are not accepted/);
  // A null split factor is "not given".
  assert.ok(validateConfig(cfg({ components: [comp({ splitFactor: null, fineSplitFactor: undefined })] }), sources, dir).ok);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
