// Parsing of input locations and removal of credentials from anything printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isUrl, parseLocation, redactText, redactUrl, withPath } from '../../../src/io/url.js';
import { UserError } from '../../../src/util/result.js';

test('root:// URLs: host, port (default 1094), absolute path, query', () => {
  const a = parseLocation('root://eospublic.cern.ch//eos/opendata/cms/x.root');
  assert.equal(a.kind === 'xrootd' && [a.host, a.port, a.path, a.query, a.display], ['eospublic.cern.ch', 1094, '/eos/opendata/cms/x.root', '', 'root://eospublic.cern.ch//eos/opendata/cms/x.root']);
  const b = parseLocation('root://localhost:21094//data/a.root?xrd.wantprot=unix');
  assert.equal(b.kind === 'xrootd' && [b.host, b.port, b.path, b.query], ['localhost', 21094, '/data/a.root', 'xrd.wantprot=unix']);
  assert.is(withPath(b, '/data/b.root'), 'root://localhost:21094//data/b.root?xrd.wantprot=unix');
  const c = parseLocation('xroot://[::1]:1095/x.root');
  assert.equal(c.kind === 'xrootd' && [c.host, c.port, c.path], ['::1', 1095, '/x.root']);
});

test('http(s) and local paths', () => {
  const h = parseLocation('https://host.example/dir/f.root');
  assert.is(h.kind, 'http');
  assert.is(parseLocation('davs://host.example/f.root').display, 'https://host.example/f.root');
  assert.equal(parseLocation('/data/f.root'), { kind: 'local', path: '/data/f.root', display: '/data/f.root' });
  assert.ok(isUrl('root://h//f') && isUrl('https://h/f') && !isUrl('/a/b') && !isUrl('a:b'));
});

test('bad URLs are UserErrors (exit 2) that never repeat a credential', () => {
  for (const bad of ['root://', 'root://host', 'root://host:99999//f.root', 'ftp://host/f.root', 'roots://host//f.root', 'https://', 'root://host//f.root?authz=Bearer%20SECRET', 'https://user:SECRET@host/f.root', 'https://host/f.root?access_token=SECRET']) {
    try {
      parseLocation(bad);
      assert.unreachable(bad);
    } catch (e) {
      assert.ok(e instanceof UserError, `${bad}: ${String(e)}`);
      assert.is((e as UserError).exitCode, 2);
      assert.not.match((e as Error).message, /SECRET/);
      assert.is((e as Error).message.split('\n').length, 1);
    }
  }
});

test('redaction: user info, token query parameters, bearer headers in free text', () => {
  assert.is(redactUrl('https://u:p@h/f.root?x=1&authz=abc&access_token=t'), 'https://h/f.root?x=1');
  assert.is(redactUrl('/local/path?authz=1'), '/local/path?authz=1');
  assert.is(redactText('failed: Authorization: Bearer eyJhbGciOi.x.y at root://h//f?authz=zzz'), 'failed: Authorization: Bearer *** at root://h//f');
});

test.run();
