import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserStop, isUserStop } from '../../../src/loop/user-stop.js';

test('UserStop is recognised by its name, also from another copy of the class (a bundle)', () => {
  const e = new UserStop('enough events');
  assert.is(e.message, 'enough events');
  assert.is(new UserStop().message, 'UserStop');
  assert.ok(isUserStop(e));
  class BundledUserStop extends Error { constructor() { super('x'); this.name = 'UserStop'; } }
  assert.ok(isUserStop(new BundledUserStop()));
  assert.not.ok(isUserStop(new Error('UserStop')), 'a message alone is not one');
  assert.not.ok(isUserStop({ name: 'UserStop' }), 'nor an object that is not an Error');
  assert.not.ok(isUserStop(undefined));
});

test.run();
