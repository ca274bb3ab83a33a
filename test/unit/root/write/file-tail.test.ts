// file-tail.ts: what close() writes last. Over a file holding only its reserved front and one key,
// the tail makes it a ROOT file the reader opens: header fields (fEND, the free list's and the
// StreamerInfo's places), the keys list of the top directory, in 32-bit and forced 64-bit form.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTail, type FileTail } from '../../../../src/root/write/file-tail.js';
import { FileBytes } from '../../../../src/root/write/file-bytes.js';
import { BEGIN, DIR_RECORD_BYTES, type Dir, type KeySpec } from '../../../../src/root/write/file-records.js';
import { keyLength, tstringLength, writeKeyHeader } from '../../../../src/root/write/keys.js';
import { WBuf, rootDatime } from '../../../../src/root/write/wbuf.js';
import { openRootFile } from '../../../../src/root/read/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-file-tail-'));

/** A file as RootFileWriter lays it out (its front reserved), with keys stored uncompressed. */
function host(path: string, force64: boolean): { tail: FileTail; key: (k: KeySpec, list: boolean) => void; close: () => void } {
  const name = 'tail.root', datime = rootDatime();
  const nbytesName = keyLength('TFile', name, '', false) + tstringLength(name) + tstringLength('');
  const top: Dir = { path: '', name, title: '', seekDir: BEGIN, seekParent: 0, recordPos: BEGIN + nbytesName, nbytesName, keys: [], children: [] };
  const bytes = new FileBytes(path, openSync(path, 'w'), BEGIN + nbytesName + DIR_RECORD_BYTES);
  const bigAt = (pos: number): boolean => force64 || pos > 2000000000;
  const key = (k: KeySpec, list: boolean): { seek: number; nbytes: number; keylen: number } => {
    const seek = bytes.end, big = bigAt(seek), keylen = keyLength(k.className, k.name, k.title, big);
    const body = k.payload(keylen), b = new WBuf(keylen + body.length);
    writeKeyHeader(b, { nbytes: keylen + body.length, objlen: body.length, datime, keylen, cycle: 1, seekKey: seek, seekPdir: k.dir.seekDir, big, className: k.className, name: k.name, title: k.title });
    const header = b.bytes().slice();
    b.raw(body);
    bytes.append(b.bytes());
    if (list) k.dir.keys.push({ name: k.name, cycle: 1, header });
    return { seek, nbytes: keylen + body.length, keylen };
  };
  const tail: FileTail = {
    writeKey: (spec) => key(spec, false), writeAt: (pos, b) => bytes.writeAt(pos, b), end: () => bytes.end, bigAt,
    top, dirs: [top], free: bytes.free, extraInfos: [], fileName: name, force64, datime, uuid: new Uint8Array(16).fill(3),
    topDirBytes: DIR_RECORD_BYTES, compressionSetting: 101,
  };
  return { tail, key: (k, list) => { key(k, list); }, close: () => bytes.close() };
}

for (const force64 of [false, true]) {
  test(`the tail makes a readable file (${force64 ? '64-bit' : '32-bit'}): header fields, StreamerInfo, keys list`, async () => {
    const path = join(dir, `t${force64 ? 64 : 32}.root`);
    const h = host(path, force64);
    h.key({ className: 'TNamed', name: 'note', title: 'a note', dir: h.tail.top, compress: false, payload: () => new Uint8Array(8) }, true);
    writeTail(h.tail);
    h.close();
    const got = readFileSync(path);
    assert.is(got.subarray(0, 4).toString('latin1'), 'root');
    const version = got.readInt32BE(4);
    assert.is(version > 1000000, force64, `version ${version}`);
    assert.is(got.readInt32BE(8), BEGIN);
    const fEND = force64 ? Number(got.readBigInt64BE(12)) : got.readInt32BE(12);
    assert.is(fEND, got.length, 'fEND is the file size');
    const f = await openRootFile(path);
    assert.equal(f.keys().map((k) => [k.name, k.className]), [['note', 'TNamed']]);
    const info = Number(f.js.fSeekInfo);
    assert.ok(got.subarray(info, info + 200).includes(Buffer.from('StreamerInfo')), 'fSeekInfo points at the StreamerInfo key');
    f.close();
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
