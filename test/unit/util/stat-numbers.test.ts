// statNumbers: the numbers of fs.statSync without its Stats, the same answers on files (sizes and
// sub-millisecond mtimes), directories, symbolic links, missing paths and paths under a file;
// errors as statSync throws them; and Node 20's binding is really taken on this Node (else the gain is gone).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msOfNs, stampNumbers, stampNumbersFast, stampNumbersPublic, statNumbers, statNumbersFast, statNumbersPublic } from '../../../src/util/stat-numbers.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-statnumbers-'));

const numbers = (p: string): [number, number, number, boolean] => {
  const st = statSync(p);
  return [st.size, st.mtimeMs, st.ino, st.isFile()];
};

test('Node 20 takes the binding (statSync is the call statNumbers makes)', () => {
  if (process.versions.node.startsWith('20.')) assert.ok(statNumbersFast(), `node ${process.version}: statNumbers fell back to statSync`);
});

test('files: size, mtimeMs (fractional, as recorded), ino and kind equal statSync\'s', () => {
  for (let i = 0; i < 200; i++) {
    const f = join(dir, `f${i}.root`);
    writeFileSync(f, 'x'.repeat(i * 37));
    // Sub-millisecond and odd times: the arithmetic of mtimeMs must be Node's to the last bit.
    utimesSync(f, 1_000_000 + i / 7, 1_700_000_000.123456789 + i * 1.000000321);
    const n = statNumbers(f)!;
    assert.equal([n.size, n.mtimeMs, n.ino, n.isFile], numbers(f), f);
    assert.equal(statNumbersPublic(f), n);
  }
});

test('a directory and a symbolic link (followed, as stat does)', () => {
  const sub = join(dir, 'sub'), link = join(dir, 'link.root');
  mkdirSync(sub);
  symlinkSync(join(dir, 'f3.root'), link);
  const d = statNumbers(sub)!;
  assert.equal([d.size, d.mtimeMs, d.ino, d.isFile], numbers(sub));
  assert.is(d.isFile, false);
  const l = statNumbers(link)!;
  assert.equal([l.size, l.mtimeMs, l.ino, l.isFile], numbers(join(dir, 'f3.root')));
});

test('missing: undefined, or statSync\'s own error when asked to throw; under a file: statSync\'s ENOTDIR either way', () => {
  const gone = join(dir, 'gone.root'), under = join(dir, 'f1.root', 'x');
  assert.is(statNumbers(gone), undefined);
  const errors = (f: () => unknown): NodeJS.ErrnoException => {
    try { f(); } catch (e) { return e as NodeJS.ErrnoException; }
    throw new Error('no error');
  };
  const same = (mine: NodeJS.ErrnoException, node: NodeJS.ErrnoException): void =>
    assert.equal([mine.code, mine.syscall, mine.path, mine.message], [node.code, node.syscall, node.path, node.message]);
  same(errors(() => statNumbers(gone, true)), errors(() => statSync(gone)));
  same(errors(() => statNumbers(under, true)), errors(() => statSync(under)));
  same(errors(() => statNumbers(under)), errors(() => statSync(under, { throwIfNoEntry: false })));
});

test('a path with a NUL is refused as statSync refuses it (not stat-ed truncated)', () => {
  assert.throws(() => statNumbers(join(dir, 'f1.root') + '\0x'), (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE');
});

// stampNumbers: the output cache's stamps (bigint stat and lstat) without BigIntStats.
const stamp = (p: string, follow: boolean): [number, string, string, string, boolean] => {
  const st = follow ? statSync(p, { bigint: true }) : lstatSync(p, { bigint: true });
  return [Number(st.size), String(st.ino), String(st.mtimeNs), String(st.dev), st.isFile()];
};
const flat = (n: { size: number; ino: string; mtimeNs: string; dev: string; isFile: boolean }): [number, string, string, string, boolean] =>
  [n.size, n.ino, n.mtimeNs, n.dev, n.isFile];

test('stamps: Node 20 takes the binding for both stat and lstat', () => {
  if (process.versions.node.startsWith('20.')) assert.ok(stampNumbersFast(), `node ${process.version}: stampNumbers fell back to the public calls`);
});

test('stamps of files: size, ino, mtimeNs (to the nanosecond), dev and kind equal the bigint stat\'s and lstat\'s', () => {
  for (let i = 0; i < 50; i++) {
    const f = join(dir, `s${i}.root`);
    writeFileSync(f, 'y'.repeat(i * 41));
    utimesSync(f, 1_000_000 + i / 7, 1_700_000_000.123456789 + i * 1.000000321);
    for (const follow of [true, false]) {
      const n = stampNumbers(f, follow)!;
      assert.equal(flat(n), stamp(f, follow), f);
      assert.equal(n, stampNumbersPublic(f, follow));
    }
  }
});

test('stamps of a symbolic link: stat follows it, lstat does not; a directory is not a file', () => {
  const target = join(dir, 's3.root'), link = join(dir, 'slink.root'), sub = join(dir, 'ssub');
  symlinkSync(target, link);
  mkdirSync(sub);
  assert.equal(flat(stampNumbers(link, true)!), stamp(target, true));
  assert.equal(flat(stampNumbers(link, false)!), stamp(link, false));
  assert.is(stampNumbers(link, false)!.isFile, false);
  assert.is(stampNumbers(sub, false)!.isFile, false);
});

test('stamps: missing is undefined or Node\'s own error; under a file, ENOTDIR as Node throws it; a NUL refused', () => {
  const gone = join(dir, 'sgone.root'), under = join(dir, 's1.root', 'x');
  const errors = (f: () => unknown): NodeJS.ErrnoException => {
    try { f(); } catch (e) { return e as NodeJS.ErrnoException; }
    throw new Error('no error');
  };
  const same = (mine: NodeJS.ErrnoException, node: NodeJS.ErrnoException): void =>
    assert.equal([mine.code, mine.syscall, mine.path, mine.message], [node.code, node.syscall, node.path, node.message]);
  for (const follow of [true, false]) {
    const node = follow ? statSync : lstatSync;
    assert.is(stampNumbers(gone, follow), undefined);
    same(errors(() => stampNumbers(gone, follow, true)), errors(() => node(gone, { bigint: true })));
    same(errors(() => stampNumbers(under, follow)), errors(() => node(under, { bigint: true, throwIfNoEntry: false })));
    assert.throws(() => stampNumbers(join(dir, 's1.root') + '\0x', follow), (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE');
  }
});

test('msOfNs: the mtimeMs Node gives for a stat\'s mtimeNs, to the bit (sub-millisecond and odd times)', () => {
  assert.is(msOfNs(0n), 0);
  assert.is(msOfNs(1_700_000_000_123_456_789n), 1_700_000_000_123.456789);
  for (let i = 0; i < 100; i++) {
    const f = join(dir, `ms${i}.root`);
    writeFileSync(f, 'x');
    utimesSync(f, 1_000_000, 1_700_000_000.987654321 + i * 1.000000321);
    assert.is(msOfNs(statSync(f, { bigint: true }).mtimeNs), statSync(f).mtimeMs, f);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
