import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkName, nameProblem } from '../../../src/config/names.js';
import { UserError } from '../../../src/util/result.js';

test('nameProblem: valid names', () => {
  for (const n of ['ttbar', 'DYJets_M-50', 'a.b', 'x+y', 'Run2018A@v1', 'z']) assert.is(nameProblem(n), null, n);
});

test('nameProblem: each refusal says why', () => {
  assert.is(nameProblem(3), 'the name must be a string, got number');
  assert.is(nameProblem(''), 'the name is empty');
  assert.is(nameProblem('a/b'), 'the name contains a path separator');
  assert.is(nameProblem('a\\b'), 'the name contains a path separator');
  assert.is(nameProblem('a..b'), "the name contains '..'");
  assert.is(nameProblem('.'), "the name is '.'");
  assert.is(nameProblem('-x'), "the name starts with '-'");
  assert.is(nameProblem('a b'), 'the name contains white space');
  assert.is(nameProblem('a\tb'), 'the name contains white space');
  for (const c of ['$', '`', '"', "'", ';', '&', '|', '<', '>', '(', ')', '*', '?', '[', ']', '{', '}', '~', '!', '#', '%', '^', '=']) {
    assert.is(nameProblem(`a${c}b`), `the name contains the shell metacharacter '${c}'`, c);
  }
});

test('checkName: returns the name, or throws a one-line UserError (exit 2) naming kind and name', () => {
  assert.is(checkName('component', 'ttbar'), 'ttbar');
  try {
    checkName('analyzer', 'a;b');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as UserError).message, `invalid analyzer name "a;b": the name contains the shell metacharacter ';'`);
    assert.is((e as UserError).exitCode, 2);
  }
});

test.run();
