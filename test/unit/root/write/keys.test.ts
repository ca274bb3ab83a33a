import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keyLength, tstringLength, writeKeyHeader } from '../../../../src/root/write/keys.js';
import { WBuf } from '../../../../src/root/write/wbuf.js';

test('tstringLength: 1 + bytes below 255 bytes, else 5 + bytes (UTF-8 counted in bytes)', () => {
  assert.is(tstringLength(''), 1);
  assert.is(tstringLength('TTree'), 6);
  assert.is(tstringLength('é'), 3);
  assert.is(tstringLength('x'.repeat(254)), 255);
  assert.is(tstringLength('x'.repeat(255)), 260);
});

test('keyLength and writeKeyHeader agree, small (v4) and big (v1004) forms', () => {
  for (const big of [false, true]) {
    const b = new WBuf();
    const keylen = keyLength('TTree', 'events', 'my tree', big);
    assert.is(keylen, (big ? 34 : 26) + 6 + 7 + 8);
    writeKeyHeader(b, { nbytes: 1000, objlen: 3000, datime: 7, keylen, cycle: 2, seekKey: 5000, seekPdir: 100, big, className: 'TTree', name: 'events', title: 'my tree' });
    assert.is(b.pos, keylen, big ? 'big' : 'small');
    const v = new DataView(b.buf.buffer);
    assert.equal([v.getInt32(0), v.getInt16(4), v.getInt32(6), v.getUint32(10), v.getInt16(14), v.getInt16(16)], [1000, big ? 1004 : 4, 3000, 7, keylen, 2]);
    if (big) assert.equal([Number(v.getBigInt64(18)), Number(v.getBigInt64(26))], [5000, 100]);
    else assert.equal([v.getInt32(18), v.getInt32(22)], [5000, 100]);
    assert.is(Buffer.from(b.bytes().subarray(big ? 34 : 26)).toString('latin1'), '\x05TTree\x06events\x07my tree');
  }
});

test.run();
