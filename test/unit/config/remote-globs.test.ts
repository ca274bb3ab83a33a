import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { expandRemoteGlobs } from '../../../src/config/remote-globs.js';

// One attempt: a refused connection is reported at once (read when the XRootD client is first loaded).
process.env.HEPPY_NET_ATTEMPTS = '1';

test('expandRemoteGlobs: nothing to expand leaves the config as it is', async () => {
  assert.equal(await expandRemoteGlobs(null), { ok: true, value: undefined });
  assert.equal(await expandRemoteGlobs({ components: 'x' }), { ok: true, value: undefined });
  const files = ['/data/*.root', 'root://h//data/a.root', 'https://h/b.root'];
  const cfg = { components: [{ name: 'a', files }, null, { name: 'b' }] };
  assert.equal(await expandRemoteGlobs(cfg), { ok: true, value: undefined });
  assert.is(cfg.components[0]!.files, files, 'not even copied');
});

test("expandRemoteGlobs: '**' in a remote glob is the user's error (exit 2), naming the component", async () => {
  const r = await expandRemoteGlobs({ components: [{ name: 'ttbar', files: ['root://localhost:1//data/**/x.root'] }] });
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.is(r.error.kind, undefined);
  assert.match(r.error.reason, /^component 'ttbar': root:\/\/localhost:1\/\/data\/\*\*\/x\.root: '\*\*' is not supported in remote globs$/);
});

test('expandRemoteGlobs: a server that does not answer is infrastructure (exit 3), naming the component', async () => {
  // A port nobody listens on: taken and released, so the connection is refused.
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  const r = await expandRemoteGlobs({ components: [{ name: 'dy', files: [`root://127.0.0.1:${port}//data/*.root`] }] });
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.is(r.error.kind, 'infrastructure');
  assert.ok(r.error.reason.startsWith("component 'dy': "), r.error.reason);
  const { closeAll } = await import('../../../src/io/xrootd/client.js');
  await closeAll();
});

test.run();
