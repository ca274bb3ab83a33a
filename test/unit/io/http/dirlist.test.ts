// parseMultistatus: the entries of a WebDAV PROPFIND reply as XrdHttp sends them (raw hrefs, the
// directory first, collections by resourcetype/iscollection) and as percent-encoding servers do.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMultistatus } from '../../../../src/io/http/dirlist.js';
import { RemoteError } from '../../../../src/io/errors.js';

const resp = (href: string, dir: boolean): string => `<D:response xmlns:lp1="DAV:"><D:href>${href}</D:href><D:propstat><D:prop>` +
  `${dir ? '<lp1:resourcetype><D:collection/></lp1:resourcetype>' : '<lp1:getcontentlength>2</lp1:getcontentlength>'}<lp1:iscollection>${dir ? 1 : 0}</lp1:iscollection></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
const ms = (...r: string[]): string => `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">${r.join('\n')}</D:multistatus>`;

test('XrdHttp: raw hrefs (a space, an entity), the directory itself left out, subdirectories', () => {
  const xml = ms(resp('/d/', true), resp('/d/c&amp;d.root', false), resp('/d/a b.root', false), resp('/d/sub', true));
  assert.equal(parseMultistatus(xml, '/d/', 'http://h/d/*'), [
    { name: 'c&d.root', isDir: false }, { name: 'a b.root', isDir: false }, { name: 'sub', isDir: true }]);
});

test('percent-encoded hrefs, absolute URLs, a trailing slash for a collection, another prefix', () => {
  const xml = ms(resp('http://h:8443/data/run%201/', true), resp('http://h:8443/data/run%201/x%231.root', false), resp('/data/run%201/more/', false))
    .replace(/D:/g, 'd:').replace('xmlns:d="DAV:"', 'xmlns:d="DAV:"');
  assert.equal(parseMultistatus(xml, '/data/run%201/', 'http://h/x'), [{ name: 'x#1.root', isDir: false }, { name: 'more', isDir: true }]);
});

test('a reply that is not a multistatus: a protocol error naming the URL', () => {
  try {
    parseMultistatus('<html><body>index</body></html>', '/d/', 'http://h/d/*.root');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RemoteError);
    assert.is((e as RemoteError).kind, 'protocol');
    assert.match((e as RemoteError).message, /^http:\/\/h\/d\/\*\.root: malformed directory listing/);
  }
});

test.run();
