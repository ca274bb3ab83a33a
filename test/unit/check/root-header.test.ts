import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRootHeader } from '../../../src/check/root-header.js';
import { sharedRootDir } from '../../util/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-root-header-'));
const file = (name: string, bytes: Uint8Array | string): string => { const p = join(dir, name); writeFileSync(p, bytes); return p; };

/** A small-file (32-bit) header: fBEGIN 100, fEND, StreamerInfo at seekInfo+nbytesInfo, padded to `size`. */
function smallHeader(end: number, seekInfo: number, nbytesInfo: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write('root', 0, 'latin1');
  b.writeInt32BE(62206, 4);
  b.writeInt32BE(100, 8);
  b.writeInt32BE(end, 12);
  b.writeInt32BE(seekInfo, 37);
  b.writeInt32BE(nbytesInfo, 41);
  return b;
}

/** A big-file (64-bit seeks) header. */
function bigHeader(end: number, seekInfo: number, nbytesInfo: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write('root', 0, 'latin1');
  b.writeInt32BE(1_062_206, 4);
  b.writeInt32BE(100, 8);
  b.writeBigInt64BE(BigInt(end), 12);
  b.writeBigInt64BE(BigInt(seekInfo), 45);
  b.writeInt32BE(nbytesInfo, 53);
  return b;
}

test('readRootHeader: a consistent 32-bit header', () => {
  const p = file('ok.root', smallHeader(400, 300, 90, 400));
  const h = readRootHeader(p);
  assert.equal(h, { ok: true, value: { version: 62206, begin: 100, end: 400, seekInfo: 300, nbytesInfo: 90, fileSize: 400 } });
});

test('readRootHeader: a consistent 64-bit header', () => {
  const h = readRootHeader(file('big.root', bigHeader(500, 350, 150, 520)));
  assert.equal(h, { ok: true, value: { version: 1_062_206, begin: 100, end: 500, seekInfo: 350, nbytesInfo: 150, fileSize: 520 } });
});

test('readRootHeader: each failure names the file and the reason', () => {
  const reason = (p: string): string => { const h = readRootHeader(p); assert.not.ok(h.ok); return h.ok ? '' : `${h.error.file === p}:${h.error.reason}`; };
  assert.is(reason(join(dir, 'absent.root')), 'true:cannot open: ENOENT');
  assert.is(reason(file('empty.root', '')), 'true:empty file');
  assert.is(reason(file('text.root', 'hello world')), 'true:not a ROOT file (no "root" magic)');
  assert.is(reason(file('short.root', smallHeader(400, 300, 90, 400).subarray(0, 30))), 'true:truncated header (30 of 45 bytes)');
  assert.is(reason(file('cut.root', smallHeader(400, 300, 90, 400).subarray(0, 250))),
    'true:truncated: the header records 400 bytes but the file has 250');
  assert.is(reason(file('begin.root', smallHeader(50, 30, 10, 100))), 'true:corrupt header (fBEGIN 100, fEND 50)');
  assert.is(reason(file('open.root', smallHeader(400, 0, 0, 400))),
    'true:corrupt header: StreamerInfo at 0+0 is outside the file (fEND 400); the file was not closed');
  assert.is(reason(file('past.root', smallHeader(400, 350, 90, 400))),
    'true:corrupt header: StreamerInfo at 350+90 is outside the file (fEND 400); the file was not closed');
});

test('readRootHeader: a real file (uproot-HZZ.root) and its truncated copy', () => {
  const shared = sharedRootDir();
  if (shared === null) return;
  const src = join(shared, 'uproot-HZZ.root');
  const h = readRootHeader(src);
  assert.ok(h.ok);
  if (!h.ok) return;
  assert.is(h.value.fileSize, statSync(src).size);
  assert.ok(h.value.end <= h.value.fileSize && h.value.seekInfo + h.value.nbytesInfo <= h.value.end);
  const cut = file('hzz-cut.root', readFileSync(src).subarray(0, h.value.end - 1000));
  const c = readRootHeader(cut);
  assert.equal(c.ok ? null : c.error.reason, `truncated: the header records ${h.value.end} bytes but the file has ${h.value.end - 1000}`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
