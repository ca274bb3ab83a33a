import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteCursor, FastPathUnsupported, InfoSet } from '../../../../src/root/read/fast-bytes.js';
import { openRootFile } from '../../../../src/root/read/index.js';
import { initDecompression } from '../../../../src/root/read/decompress.js';
import type { JsStreamerInfo } from '../../../../src/root/read/jsroot.js';
import { sharedRootDir } from '../../../util/shared.js';

const refused = (e: unknown): boolean => e instanceof FastPathUnsupported;

/** The cursor with its position readable (protected in the decoder). */
class Cur extends ByteCursor { get at(): number { return this.p; } }

test('ByteCursor: big-endian basic values by EDataType, TString, and no read past the end', () => {
  const b = Buffer.alloc(64);
  let o = 0;
  o = b.writeInt8(-3, o); o = b.writeInt16BE(-300, o); o = b.writeInt32BE(-70000, o); o = b.writeFloatBE(1.5, o);
  o = b.writeDoubleBE(-2.25, o); o = b.writeUInt32BE(0xfffffff0, o); o = b.writeBigInt64BE(-(2n ** 40n), o); o = b.writeUInt8(1, o);
  o = b.writeUInt8(5, o); o += b.write('muons', o, 'latin1');
  const c = new Cur(new Uint8Array(b.buffer, b.byteOffset, o));
  assert.equal([c.basic(1), c.basic(2), c.basic(3), c.basic(5), c.basic(8), c.basic(13), c.basic(16), c.basic(18)],
    [-3, -300, -70000, 1.5, -2.25, 0xfffffff0, -(2 ** 40), true]);
  assert.is(c.tstring(), 'muons');
  assert.is(c.at, 38);
  assert.is(o, 38);
  assert.throws(() => c.u1(), (e: unknown) => e instanceof FastPathUnsupported && /object bytes end at 38, reading 1 at 38/.test((e as Error).message));
  assert.throws(() => new Cur(new Uint8Array(4)).basic(7), refused, 'an unknown type is refused, never guessed');
});

test('ByteCursor arrays: typed for int/float/double, numbers for 64-bit seeks; a length past the bytes is refused', () => {
  const b = Buffer.alloc(40);
  b.writeInt32BE(7, 0); b.writeInt32BE(-1, 4); b.writeDoubleBE(0.5, 8); b.writeBigInt64BE(3000000000n, 16); b.writeBigInt64BE(5n, 24);
  const c = new Cur(new Uint8Array(b));
  const i = c.array(3, 2);
  assert.ok(i instanceof Int32Array);
  assert.equal([...i], [7, -1]);
  const d = c.array(8, 1);
  assert.ok(d instanceof Float64Array);
  assert.equal([...d], [0.5]);
  assert.equal(c.array(16, 2), [3000000000, 5]);
  assert.throws(() => new Cur(new Uint8Array(8)).array(3, 100), refused);
  assert.throws(() => new Cur(new Uint8Array(8)).array(3, -1), refused);
});

test("InfoSet over uproot-HZZ.root's streamer infos: by name and version, by checksum; missing ones refused", async () => {
  const dir = sharedRootDir();
  if (dir === null) return;
  await initDecompression();
  const r = await openRootFile(`${dir}/uproot-HZZ.root`);
  try {
    const infos = (r.js.fStreamerInfos?.arr ?? []) as JsStreamerInfo[];
    const set = new InfoSet(infos);
    const tree = infos.find((i) => i.fName === 'TTree')!;
    assert.ok(tree !== undefined, 'the file has a TTree info');
    assert.is(set.find('TTree', tree.fClassVersion as number), tree);
    assert.ok(set.hasChecksum((tree.fCheckSum as number) >>> 0));
    assert.is(set.byChecksum('TTree', (tree.fCheckSum as number) >>> 0), tree);
    assert.throws(() => set.find('TTree', 9999), /no streamer info for TTree version 9999/);
    assert.throws(() => set.byChecksum('TTree', 1), (e: unknown) => e instanceof FastPathUnsupported);
    assert.throws(() => set.find('TNoSuchClass', 1), refused);
  } finally {
    r.close();
  }
});

test.run();
