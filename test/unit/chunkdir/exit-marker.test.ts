// What the job script's safety net says when run-chunk died without its marker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exitFailure } from '../../../src/chunkdir/exit-marker.js';

test('a signal (trapped TERM, or status 128+n) is a resource/signal failure; another status infrastructure', () => {
  assert.equal(exitFailure(143, 'TERM', 'r'), { kind: 'resource', resource: 'signal', signal: 'SIGTERM', reason: 'r' });
  assert.equal(exitFailure(137, undefined, 'r'), { kind: 'resource', resource: 'signal', signal: 'SIGKILL', reason: 'r' });
  assert.equal(exitFailure(134, undefined, 'r'), { kind: 'resource', resource: 'signal', signal: 'SIGABRT', reason: 'r' });
  assert.equal(exitFailure(3, undefined, 'r'), { kind: 'infrastructure', reason: 'r' });
  assert.equal(exitFailure(127, undefined, 'r'), { kind: 'infrastructure', reason: 'r' });
});

test.run();
