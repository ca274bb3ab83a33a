import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, DataComponent, MCComponent, Sequence, getOption } from '../../../src/index.js';
import { nameProblem } from '../../../src/config/names.js';
import { isComponent } from '../../../src/config/component.js';
import { configBaseDir, optionsRead, setConfigBaseDir, setGlobalOptions } from '../../../src/config/options.js';
import { UserError } from '../../../src/util/result.js';

class ZZ extends Analyzer<{ minLeptons: number }> {}
class Other extends Analyzer {}

test("name checks: empty, '.', leading '-', separators, .., white space, shell metacharacters", () => {
  assert.is(nameProblem('ggH_125'), null);
  assert.is(nameProblem('data-period.A+1'), null);
  assert.is(nameProblem(''), 'the name is empty');
  assert.is(nameProblem('a/b'), 'the name contains a path separator');
  assert.is(nameProblem('a\\b'), 'the name contains a path separator');
  assert.is(nameProblem('a..b'), "the name contains '..'");
  assert.is(nameProblem('a b'), 'the name contains white space');
  assert.is(nameProblem('.'), "the name is '.'");
  assert.is(nameProblem('-a'), "the name starts with '-'");
  assert.is(nameProblem('--outdir'), "the name starts with '-'");
  assert.is(nameProblem('.hidden'), null);
  for (const c of '$`"\';&|<>()*?[]{}~!#%^=') assert.is(nameProblem(`a${c}b`), `the name contains the shell metacharacter '${c}'`);
  assert.throws(() => new Component('bad name', { files: [] }), (e: unknown) => e instanceof UserError && /invalid component name "bad name": the name contains white space/.test(e.message));
});

test('components: glob expanded and sorted, defaults and heppy attributes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-model-'));
  const old = configBaseDir();
  try {
    mkdirSync(join(dir, 'data', 'x'), { recursive: true });
    for (const f of ['b.root', 'a.root', 'c.txt', 'a10.root']) writeFileSync(join(dir, 'data', 'x', f), '');
    setConfigBaseDir(dir);
    const c = new Component('x', { files: 'data/x/*.root', splitFactor: 2, custom: 7 });
    assert.equal(c.files, ['a.root', 'a10.root', 'b.root'].map((f) => join(dir, 'data', 'x', f)));
    assert.equal([c.isData, c.isMC, c.isEmbed, c.dataset_entries, c.tree_name, c.splitFactor, c.custom], [false, false, false, 0, null, 2, 7]);
    assert.equal(new Component('y', { files: 'data/*/a??.root' }).files, [join(dir, 'data', 'x', 'a10.root')]);
    assert.equal(new Component('z', { files: 'data/**/[ab].root' }).files, ['a.root', 'b.root'].map((f) => join(dir, 'data', 'x', f)));
    assert.equal(new Component('w', { files: ['data/x/b.root', '/abs/a.root'] }).files, [join(dir, 'data/x/b.root'), '/abs/a.root']);
    const d = new DataComponent('d', { files: [], intLumi: 10, json: 'good.json', triggers: 'HLT_Mu' });
    assert.equal([d.isData, d.intLumi, d.json, d.triggers], [true, 10, 'good.json', ['HLT_Mu']]);
    const m = new MCComponent('m', { files: [], xSection: 0.0133, nGenEvents: 200_000, effCorrFactor: 0.5 });
    assert.ok(m.isMC);
    assert.is(m.getWeight(), (1 * 0.0133 * 1) / (200_000 * 2));
    const clone = m.clone({ name: 'm_Chunk0' });
    assert.ok(clone instanceof MCComponent);
    assert.ok(isComponent(clone));
    assert.is(clone.name, 'm_Chunk0');
    assert.is(m.name, 'm');
    assert.throws(() => new Component('s', { files: [], splitFactor: 0 }), /splitFactor must be a whole number >= 1/);
  } finally {
    setConfigBaseDir(old);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyzers: <Class>_<label>, default labels bumped, explicit duplicates refused', () => {
  const a = new Analyzer(ZZ, { minLeptons: 4 });
  assert.is(a.name, 'ZZ_1');
  assert.equal(a.params, { minLeptons: 4 });
  assert.is(new Analyzer(ZZ, { minLeptons: 2 }, 'loose').name, 'ZZ_loose');
  const seq = new Sequence(new Analyzer(ZZ, { minLeptons: 4 }), [new Analyzer(ZZ, { minLeptons: 3 }), new Analyzer(Other)], new Analyzer(ZZ, { minLeptons: 1 }));
  assert.equal(seq.map((x) => x.name), ['ZZ_1', 'ZZ_2', 'Other_1', 'ZZ_3']);
  assert.throws(() => new Sequence(new Analyzer(Other, {}, 'x'), new Analyzer(Other, {}, 'x')), /two analyzers are named Other_x/);
  assert.throws(() => new Sequence(Other as never), /wrap it: new Analyzer\(Other/);
  assert.throws(() => new Analyzer(class NotAnAnalyzer {} as never), /must be a class that extends Analyzer/);
  assert.throws(() => new Analyzer(ZZ, { minLeptons: 1 }, 'a b'), /invalid analyzer name "ZZ_a b"/);
  assert.throws(() => new Other(), /instantiated by the looper/);
});

test('config: unknown fields, duplicates, defaults', () => {
  const c = new Component('c', { files: [] });
  const cfg = new Config({ components: [c], sequence: [new Analyzer(Other)] });
  assert.is(cfg.tree, 'events');
  assert.ok(cfg.sequence instanceof Sequence);
  assert.is(cfg.component('c'), c);
  assert.throws(() => new Config({ components: [c], sequence: [], tre: 'x' } as never), /unknown field 'tre'/);
  assert.throws(() => new Config({ components: [c, c], sequence: [] }), /two components are named c/);
  assert.throws(() => new Config({ components: [{ name: 'fake' } as never], sequence: [] }), /components\[0\] is not a Component/);
});

test('getOption: -o values, bare flags, defaults; names read are recorded', () => {
  setGlobalOptions({ sel: 'tight', debug: true });
  assert.is(getOption('sel', 'loose'), 'tight');
  assert.is(getOption('debug', false), true);
  assert.is(getOption('nope', 3), 3);
  assert.is(getOption('nope2'), undefined);
  assert.equal(optionsRead(), ['debug', 'nope', 'nope2', 'sel']);
  setGlobalOptions({});
  assert.is(getOption('sel', 'loose'), 'loose');
});

test.run();
