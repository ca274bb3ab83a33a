// Digests of remote inputs against a real XRootD server: from the server's metadata (the second
// time: one kXR_stat per file, no checksum query, no read), a change on the server seen, --deep
// reads the content (equal to the local file's content hash), a missing file names the URL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedRootDir } from '../util/shared.js';
import { startXrootd } from '../util/xrootd.js';
import { FileDigests } from '../../src/fingerprint/digests.js';
import { initHash } from '../../src/fingerprint/hash.js';
import { hashFile } from '../../src/fingerprint/hash-file.js';
import { Store } from '../../src/store/store.js';
import { closeAll, counters } from '../../src/io/xrootd/client.js';

const dir = sharedRootDir();
const server = dir === null ? null : await startXrootd();

if (dir !== null && server !== null) {
  const work = mkdtempSync(join(tmpdir(), 'heppy-rdig-'));
  const names = ['uproot-HZZ.root', 'uproot-Zmumu.root'];
  for (const n of names) copyFileSync(join(dir, n), join(server.data, n));
  const urls = names.map((n) => server.rootUrl(n));

  test('metadata digests: cached by (size, mtime): the second time one stat per file, nothing read', async () => {
    await initHash();
    const store = Store.open(join(work, 'cache'), join(work, 'out'));
    const d1 = new FileDigests(store);
    const first = await d1.digestAll(urls);
    await store.flush();
    assert.ok(urls.every((u) => first.get(u)?.ok));
    assert.is(d1.remote.checksums, 2, 'adler32 from kXR_query checksum');
    const ops = server.fileOps(), req = counters.requests;
    const d2 = new FileDigests(store);
    const again = await d2.digestAll(urls);
    assert.equal(urls.map((u) => again.get(u)), urls.map((u) => first.get(u)));
    assert.is(counters.requests - req, 2, 'one kXR_stat per file');
    assert.is(d2.remote.checksums, 0);
    assert.equal(server.fileOps(), ops);
    // a file replaced on the server: another digest
    copyFileSync(join(dir, 'uproot-HZZ-zlib.root'), join(server.data, names[0]!));
    utimesSync(join(server.data, names[0]!), new Date(), new Date(Date.now() + 5000));
    const d3 = new FileDigests(store);
    const changed = await d3.digestAll(urls);
    assert.not.equal(changed.get(urls[0]!), first.get(urls[0]!));
    assert.equal(changed.get(urls[1]!), first.get(urls[1]!));
    copyFileSync(join(dir, names[0]!), join(server.data, names[0]!));
    await store.close();
  });

  test('--deep: the content hash, equal to the local file\'s; a missing file is a failure naming the URL', async () => {
    const store = Store.open(join(work, 'cache2'), join(work, 'out2'));
    const d = new FileDigests(store, true);
    const m = await d.digestAll([...urls, server.rootUrl('missing.root')]);
    assert.equal(m.get(urls[1]!), { ok: true, value: await hashFile(join(dir, names[1]!)) });
    assert.ok(d.remote.hashedBytes > 0);
    assert.equal(m.get(server.rootUrl('missing.root')), { ok: false, error: { file: server.rootUrl('missing.root'), reason: 'no such file on the server', kind: 'input' } });
    await store.close();
  });

  test.after(async () => { await closeAll(); await server.dispose(); rmSync(work, { recursive: true, force: true }); });
}

test.run();
