// The version files of a cache dir and an Outdir's .heppy: read first, a newer format refused in one
// line naming the directory, both formats and how to proceed; written only where the directory exists.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_FILE, formatDir, formatProblem, KNOWN_FORMAT, markFormat, readFormatFile, refuseNewer } from '../../../src/cache/format.js';
import { UserError } from '../../../src/util/result.js';

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'heppy-format-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const put = (holder: string, v: unknown): void => {
  mkdirSync(holder, { recursive: true });
  writeFileSync(join(holder, FORMAT_FILE), typeof v === 'string' ? v : JSON.stringify(v));
};

test('no file (a directory of an earlier heppy, or none yet): usable, nothing written by the check', () => {
  assert.equal(readFormatFile(dir), { kind: 'absent' });
  assert.is(formatProblem('cache', dir), null);
  assert.is(formatProblem('cache', join(dir, 'missing')), null);
  assert.is(formatProblem('outdir', dir), null);
  writeFileSync(join(dir, 'afile'), '');
  assert.is(formatProblem('cache', join(dir, 'afile')), null, 'a file in the way is cacheDirProblem\'s to name');
  assert.equal(readdirSync(dir), ['afile']);
});

test('a newer cache format: one line naming the directory, the format found, the one known, and what to do', () => {
  put(dir, { format: 99, minReader: 99, writtenBy: '9.1.0' });
  const line = formatProblem('cache', dir);
  assert.ok(line !== null);
  assert.not.match(line, /\n/);
  assert.ok(line.startsWith(`${dir}: `), line);
  assert.match(line, /format 99 \(written by heppy 9\.1\.0, readable from format 99\)/);
  assert.match(line, new RegExp(`knows format ${KNOWN_FORMAT.cache}:`));
  assert.match(line, /upgrade heppy, or give this one its own --cache-dir/);
  try {
    refuseNewer('cache', dir);
    assert.unreachable('refused');
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as UserError).exitCode, 2);
    assert.is((err as UserError).message, line);
  }
});

test('a newer format that this one may still read (minReader ≤ known) is used and left as it is', () => {
  const later = { format: KNOWN_FORMAT.cache + 1, minReader: KNOWN_FORMAT.cache, writtenBy: '9.0.0' };
  put(dir, later);
  assert.is(formatProblem('cache', dir), null);
  assert.ok(markFormat('cache', dir, '1.0.0'));
  assert.equal(JSON.parse(readFileSync(join(dir, FORMAT_FILE), 'utf8')), later);
});

test("an Outdir's .heppy: the file is under .heppy, the advice names --outdir", () => {
  assert.is(formatDir('outdir', dir), join(dir, '.heppy'));
  put(join(dir, '.heppy'), { format: 7, minReader: 5, writtenBy: '3.0.0' });
  const line = formatProblem('outdir', dir);
  assert.ok(line?.startsWith(`${join(dir, '.heppy')}: this output directory's .heppy has format 7`), line ?? 'null');
  assert.match(line ?? '', /knows format 1: upgrade heppy, or build into another --outdir/);
  assert.is(formatProblem('cache', dir), null, 'the cache dir file is another one');
});

test('an unreadable version file is refused too (this heppy cannot tell), naming the file', () => {
  put(dir, '{"format": 2');
  assert.equal(readFormatFile(dir), { kind: 'unreadable', reason: 'not JSON' });
  assert.match(formatProblem('cache', dir) ?? '', new RegExp(`^${join(dir, FORMAT_FILE)}: unreadable version file of the cache directory \\(not JSON\\)`));
  put(dir, { format: 'two', minReader: 2 });
  assert.equal(readFormatFile(dir).kind, 'unreadable');
  put(dir, { format: 2, minReader: 0 });
  assert.equal(readFormatFile(dir).kind, 'unreadable');
});

test('markFormat: writes this format where absent or older, only in an existing directory', () => {
  assert.not.ok(markFormat('cache', join(dir, 'missing'), '1.2.3'), 'no directory made');
  assert.equal(readdirSync(dir), []);
  assert.ok(markFormat('cache', dir, '1.2.3'));
  assert.equal(JSON.parse(readFileSync(join(dir, FORMAT_FILE), 'utf8')), { format: KNOWN_FORMAT.cache, minReader: 2, writtenBy: '1.2.3' });
  assert.equal(readdirSync(dir), [FORMAT_FILE], 'written atomically: no tmp file left');
  put(dir, { format: 1, minReader: 1, writtenBy: '0.1.0' });
  assert.ok(markFormat('cache', dir, '1.2.3'));
  assert.equal(readFormatFile(dir), { kind: 'ok', file: { format: KNOWN_FORMAT.cache, minReader: 2, writtenBy: '1.2.3' } });
  mkdirSync(join(dir, 'out', '.heppy'), { recursive: true });
  assert.ok(markFormat('outdir', join(dir, 'out'), '1.2.3'));
  assert.equal(readFormatFile(join(dir, 'out', '.heppy')), { kind: 'ok', file: { format: 1, minReader: 1, writtenBy: '1.2.3' } });
});

test('a heppy that knows a later format reads this one; one that knows an earlier one refuses it', () => {
  markFormat('cache', dir, '1.0.0');
  assert.is(formatProblem('cache', dir, KNOWN_FORMAT.cache + 1), null);
  assert.match(formatProblem('cache', dir, 1) ?? '', /has format 2 .*knows format 1/);
});

test.run();
