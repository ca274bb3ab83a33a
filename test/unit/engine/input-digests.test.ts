// digestInputs: remote inputs whose server did not answer are digested again after the build's
// back-off, at most --retries times; a missing file is not retried; what still fails is returned
// with its kind (infrastructure: exit 3; input: exit 2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { digestInputs } from '../../../src/engine/input-digests.js';
import { fail, ok, type Result } from '../../../src/util/result.js';

/** Digests that fail for `down` URLs until `upAfter` calls of digestAll; a missing file always fails. */
function fakeDigests(upAfter: number) {
  const calls: string[][] = [];
  const forgotten: string[][] = [];
  return {
    calls, forgotten,
    async digestAll(files: readonly string[]): Promise<Map<string, Result<string>>> {
      calls.push([...files]);
      const m = new Map<string, Result<string>>();
      for (const f of files) {
        if (f.includes('missing')) m.set(f, fail({ file: f, reason: 'no such file on the server', kind: 'input' }));
        else if (f.startsWith('root://') && calls.length <= upAfter) m.set(f, fail({ file: f, reason: 'cannot connect: ECONNREFUSED', kind: 'infrastructure' }));
        else m.set(f, ok(`d-${f}`));
      }
      return m;
    },
    forget(paths: readonly string[]): void { forgotten.push([...paths]); },
  };
}

const policy = { retries: 3, backoffBaseMs: 1000, backoffMaxMs: 3000 };
const FILES = ['a.root', 'root://h//x.root', 'root://h//y.root'];

test('a server back within the retries: digested again after each back-off, only the failed URLs', async () => {
  const d = fakeDigests(2);
  const waits: number[] = [];
  const notices: string[] = [];
  const out = await digestInputs(d, FILES, { policy, sleep: async (ms) => { waits.push(ms); }, notice: (l) => notices.push(l) });
  assert.equal(waits, [1000, 2000]);
  assert.equal(d.calls, [FILES, ['root://h//x.root', 'root://h//y.root'], ['root://h//x.root', 'root://h//y.root']]);
  assert.equal(d.forgotten, [['root://h//x.root', 'root://h//y.root'], ['root://h//x.root', 'root://h//y.root']]);
  assert.equal([...out.values()].map((r) => r.ok), [true, true, true]);
  assert.is(notices.length, 2);
  assert.match(notices[0]!, 'root://h//x.root: cannot connect: ECONNREFUSED (and 1 more input files); digesting again in 1.0 s (retry 1 of 3)');
});

test('a server that stays down: the infrastructure failure after --retries, back-off capped', async () => {
  const d = fakeDigests(99);
  const waits: number[] = [];
  const out = await digestInputs(d, FILES, { policy, sleep: async (ms) => { waits.push(ms); } });
  assert.equal(waits, [1000, 2000, 3000]);
  const r = out.get('root://h//x.root')!;
  assert.ok(!r.ok && r.error.kind === 'infrastructure');
  assert.ok(out.get('a.root')!.ok);
});

test('a missing remote file is not retried (input); no retry policy: no retry', async () => {
  const d = fakeDigests(0);
  const waits: number[] = [];
  const out = await digestInputs(d, ['root://h//missing.root'], { policy, sleep: async (ms) => { waits.push(ms); } });
  assert.equal(waits, []);
  const r = out.get('root://h//missing.root')!;
  assert.ok(!r.ok && r.error.kind === 'input');
  const d2 = fakeDigests(99);
  const out2 = await digestInputs(d2, ['root://h//x.root']);
  assert.is(d2.calls.length, 1);
  assert.ok(!out2.get('root://h//x.root')!.ok);
});

test.run();
