import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RemoteError, failureKindOf, isTransient, type RemoteErrorKind } from '../../../src/io/errors.js';

test('RemoteError: one line of URL and reason, its kind kept apart from the message', () => {
  const e = new RemoteError('not-found', 'root://eos.example//store/f.root', 'no such file (kXR_NotFound)');
  assert.ok(e instanceof Error);
  assert.is(e.name, 'RemoteError');
  assert.is(e.message, 'root://eos.example//store/f.root: no such file (kXR_NotFound)');
  assert.equal([e.kind, e.url, e.reason], ['not-found', 'root://eos.example//store/f.root', 'no such file (kXR_NotFound)']);
});

test('transient kinds are retried as infrastructure failures; the others are the input', () => {
  const kinds: RemoteErrorKind[] = ['network', 'timeout', 'server', 'not-found', 'denied', 'protocol'];
  assert.equal(kinds.map(isTransient), [true, true, true, false, false, false]);
  assert.equal(kinds.map(failureKindOf), ['infrastructure', 'infrastructure', 'infrastructure', 'input', 'input', 'input']);
  assert.throws(() => isTransient('other' as RemoteErrorKind), 'an unknown kind is a bug, not a guess');
});

test.run();
