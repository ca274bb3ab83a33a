import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERR, HANDSHAKE, REQ, encodeRequest, errorName, parseStat } from '../../../../src/io/xrootd/protocol.js';

test('encodeRequest: stream id, request code, 16 parameter bytes, data length, data (big-endian)', () => {
  const params = Buffer.alloc(16);
  params.writeUInt16BE(0x0410, 2);
  const b = encodeRequest(0x0102, REQ.open, params, Buffer.from('/data/a.root', 'utf8'));
  assert.is(b.length, 24 + 12);
  assert.is(b.readUInt16BE(0), 0x0102);
  assert.is(b.readUInt16BE(2), 3010);
  assert.is(b.readUInt16BE(6), 0x0410);
  assert.is(b.readInt32BE(20), 12);
  assert.is(b.subarray(24).toString('utf8'), '/data/a.root');
  const noData = encodeRequest(7, REQ.ping, Buffer.alloc(16), null);
  assert.is(noData.length, 24);
  assert.is(noData.readInt32BE(20), 0);
});

test('HANDSHAKE: the 20-byte client hello (0, 0, 0, 4, 2012)', () => {
  assert.equal([0, 4, 8, 12, 16].map((o) => HANDSHAKE.readInt32BE(o)), [0, 0, 0, 4, 2012]);
});

test('parseStat: "id size flags mtime", NUL-terminated or not; malformed lines are null', () => {
  assert.equal(parseStat('140737488 1048576 0 1700000000\0garbage'), { size: 1048576, flags: 0, mtime: 1700000000 });
  assert.equal(parseStat('  1 0 2 5 extra '), { size: 0, flags: 2, mtime: 5 });
  assert.is(parseStat('1 2 3'), null);
  assert.is(parseStat('1 -4 0 0'), null);
  assert.is(parseStat('1 x 0 0'), null);
  assert.is(parseStat('1 5 y 0'), null);
  assert.is(parseStat(''), null);
});

test('errorName: the kXR_ name of a code, or the number', () => {
  assert.is(errorName(ERR.NotFound), 'kXR_NotFound');
  assert.is(errorName(3011), 'kXR_NotFound');
  assert.is(errorName(3035), 'kXR_TimerExpired');
  assert.is(errorName(42), 'error 42');
});

test.run();
