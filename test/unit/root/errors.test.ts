// RootError: a ROOT read/write failure says file, object and reason in one line (empty parts left out).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootError } from '../../../src/root/errors.js';

test('file: object: reason; empty parts left out; the parts kept for code', () => {
  const e = new RootError('/d/a.root', 'events/pt', 'basket 3 truncated');
  assert.is(e.message, '/d/a.root: events/pt: basket 3 truncated');
  assert.equal([e.name, e.file, e.object, e.reason, e instanceof Error], ['RootError', '/d/a.root', 'events/pt', 'basket 3 truncated', true]);
  assert.is(new RootError('/d/a.root', '', 'not a ROOT file').message, '/d/a.root: not a ROOT file');
});

test.run();
