import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commands } from '../../../src/cli/commands.js';

test('commands: every command once, each path taken by one command only', () => {
  assert.is(new Set(commands).size, commands.length);
  const paths = commands.flatMap((c) => (c.paths ?? []).map((p) => p.join(' ')));
  assert.is(new Set(paths).size, paths.length, paths.join(', '));
  for (const p of ['build', 'run', 'status', 'why', 'graph', 'clean', 'check', 'hadd', 'init', 'root inspect', 'root merge', 'cancel', 'cache stats', 'cache prune', 'yields', 'report']) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  }
});

test.run();
