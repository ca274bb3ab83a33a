import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFanIn } from '../../../src/cli/session-flags.js';
import { UserError } from '../../../src/util/result.js';

test('parseFanIn: absent, or a whole number >= 2; anything else is a one-line UserError', () => {
  assert.is(parseFanIn(undefined), undefined);
  assert.is(parseFanIn('2'), 2);
  assert.is(parseFanIn('64'), 64);
  for (const bad of ['1', '0', '-3', '2.5', 'x', '']) {
    assert.throws(() => parseFanIn(bad), (e: Error) => e instanceof UserError && e.message === `--merge-fan-in must be a whole number >= 2, got '${bad}'`, bad);
  }
});

test.run();
