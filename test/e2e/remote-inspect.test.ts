// heppy root inspect over root:// and http:// against a real XRootD server: for every file of
// ../shared/data/root the JSON equals the local file's. A remote glob lists the same files as the
// local one, over root:// and http:// (WebDAV). Bad URLs and a missing file: one line, exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot, sharedRootDir } from '../util/shared.js';
import { startXrootd } from '../util/xrootd.js';
import { remoteGlob } from '../../src/io/open.js';
import { closeAll } from '../../src/io/xrootd/client.js';
import { glob } from '../../src/config/component.js';
import { openRootFile } from '../../src/root/read/index.js';
import { summarizeFile, toJsonText } from '../../src/root/read/summary.js';

const dir = sharedRootDir();
const server = dir === null ? null : await startXrootd();
const heppy = join(repoRoot, 'bin', 'heppy.js');
const run = (...args: string[]) => execa('node', [heppy, ...args], { reject: false, env: { HEPPY_NET_ATTEMPTS: '1' } });

if (dir !== null && server !== null) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.root')).sort();
  for (const f of files) copyFileSync(join(dir, f), join(server.data, f));

  // What `heppy root inspect --json` prints, computed in this process (27 files × 3 CLI runs take minutes here).
  const inspect = async (where: string): Promise<string> => {
    try {
      const f = await openRootFile(where);
      try { return toJsonText(await summarizeFile(f)); } finally { f.close(); }
    } catch (e) {
      return `error: ${(e as Error).message.replace(where, 'FILE')}`;
    }
  };

  test('inspect over root:// and http:// equals the local file, for every shared file', async () => {
    let compared = 0, errors = 0;
    for (const f of files) {
      const local = await inspect(join(dir, f));
      if (local.startsWith('error:')) errors++;
      for (const url of [server.rootUrl(f), server.httpUrl(f)]) {
        assert.is(await inspect(url), local, url);
        compared++;
      }
    }
    assert.is(compared, 2 * files.length);
    assert.ok(files.length >= 20, `${files.length} files`);
    assert.ok(errors < files.length);
  });

  test('heppy root inspect --json URL prints what it prints for the local file', async () => {
    const local = await run('root', 'inspect', '--json', join(dir, 'uproot-HZZ.root'));
    assert.is(local.exitCode, 0);
    for (const url of [server.rootUrl('uproot-HZZ.root'), server.httpUrl('uproot-HZZ.root')]) {
      const r = await run('root', 'inspect', '--json', url);
      assert.is(r.exitCode, 0, r.stderr);
      assert.is(r.stdout, local.stdout, url);
    }
  });

  test('heppy root merge of root:// and http:// inputs writes what the merge of the local files writes', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const out = mkdtempSync(join(tmpdir(), 'heppy-rmerge-'));
    try {
      // Same output name: it is written into the file.
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(out, 'l')); mkdirSync(join(out, 'r'));
      const a = await run('root', 'merge', join(out, 'l', 'm.root'), join(dir, 'uproot-HZZ.root'), join(dir, 'uproot-HZZ-zlib.root'));
      const b = await run('root', 'merge', join(out, 'r', 'm.root'), server.rootUrl('uproot-HZZ.root'), server.httpUrl('uproot-HZZ-zlib.root'));
      assert.is(a.exitCode, 0, a.stderr);
      assert.is(b.exitCode, 0, b.stderr);
      assert.match(b.stdout, /merged 2 file\(s\): 1 tree\(s\) with 4842 entries/);
      const body = async (f: string): Promise<string> => (await inspect(join(out, f))).replace(/"file": "[^"]*"/, '');
      assert.is(await body('r/m.root'), await body('l/m.root'));
      const missing = await run('root', 'merge', join(out, 'x.root'), server.rootUrl('nope.root'));
      assert.is(missing.exitCode, 2);
      assert.is(missing.stderr.trim(), `heppy: ${server.rootUrl('nope.root')}: no such file on the server`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('a remote glob lists the same files as the local glob', async () => {
    const remote = await remoteGlob(`root://localhost:${server.rootPort}//uproot-HZZ*.root`);
    const local = glob(join(dir, 'uproot-HZZ*.root')).map((p) => p.slice(dir.length + 1));
    assert.ok(local.length >= 5);
    assert.equal(remote, local.map((n) => server.rootUrl(n)));
    assert.equal(await remoteGlob(`root://localhost:${server.rootPort}//nothing-*.root`), []);
  });

  test('a glob over http:// (WebDAV PROPFIND) lists the same files as the local glob, in subdirectories too', async () => {
    const local = glob(join(dir, 'uproot-HZZ*.root')).map((p) => p.slice(dir.length + 1));
    assert.equal(await remoteGlob(`http://localhost:${server.httpPort}/uproot-HZZ*.root`), local.map((n) => server.httpUrl(n)));
    assert.equal(await remoteGlob(`http://localhost:${server.httpPort}/nothing-*.root`), []);
    // a directory level matched by a glob, a name with a space, a hidden file not matched by '*'
    mkdirSync(join(server.data, 'g', 'run 1'), { recursive: true });
    mkdirSync(join(server.data, 'g', 'run2'), { recursive: true });
    for (const f of ['g/run 1/a.root', 'g/run 1/.h.root', 'g/run2/b.root', 'g/run2/c.txt']) copyFileSync(join(dir, 'uproot-HZZ.root'), join(server.data, f));
    assert.equal(await remoteGlob(`http://localhost:${server.httpPort}/g/run*/*.root`), [
      `http://localhost:${server.httpPort}/g/run%201/a.root`, `http://localhost:${server.httpPort}/g/run2/b.root`]);
    assert.equal(await remoteGlob(`root://localhost:${server.rootPort}//g/run*/*.root`), [server.rootUrl('g/run 1/a.root'), server.rootUrl('g/run2/b.root')]);
    // the listed URL opens: what inspect reads equals the local file
    const f = await openRootFile(`http://localhost:${server.httpPort}/g/run%201/a.root`);
    assert.is((await f.tree('events')).entries, 2421);
    f.close();
  });

  test('missing file, bad URLs: one line naming the URL, exit 2', async () => {
    const missing = await run('root', 'inspect', server.rootUrl('no/such.root'));
    assert.is(missing.exitCode, 2);
    assert.is(missing.stderr.trim(), `heppy: root://localhost:${server.rootPort}//no/such.root: no such file on the server`);
    const http404 = await run('root', 'inspect', server.httpUrl('no/such.root'));
    assert.is(http404.exitCode, 2);
    assert.match(http404.stderr.trim(), new RegExp(`^heppy: http://localhost:${server.httpPort}/no/such.root: no such file on the server \\(HTTP 404\\)$`));
    for (const bad of ['root://', 'ftp://host/x.root', 'roots://host//x.root', `root://localhost:${server.rootPort}//x.root?authz=secret`]) {
      const r = await run('root', 'inspect', bad);
      assert.is(r.exitCode, 2, bad);
      assert.is(r.stderr.trim().split('\n').length, 1, `${bad}: one line`);
      assert.not.match(r.stderr, /secret/);
    }
  });

  test('the server down: inspect and merge print one line naming the URL, exit 3 (infrastructure, not the input)', async () => {
    await closeAll();
    await server.stop();
    const url = server.rootUrl('uproot-HZZ.root');
    const r = await run('root', 'inspect', url);
    assert.is(r.exitCode, 3, r.stderr);
    assert.match(r.stderr.trim(), new RegExp(`^heppy: ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot connect: ECONNREFUSED[^\n]*$`));
    const h = await run('root', 'inspect', server.httpUrl('uproot-HZZ.root'));
    assert.is(h.exitCode, 3, h.stderr);
    assert.is(h.stderr.trim().split('\n').length, 1, h.stderr);
  });

  test.after(async () => { await closeAll(); await server.dispose(); });
}

test.run();
