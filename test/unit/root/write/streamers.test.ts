import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtinRecords, recordSet, streamerInfoPayload } from '../../../../src/root/write/streamers.js';
import type { RawRecord } from '../../../../src/root/write/streamer-records.js';

const rec = (name: string, classVersion: number): RawRecord => ({ name, checksum: 1, classVersion, named: Buffer.from([0]), elements: [] });

test('builtinRecords: the core classes heppy writes, each (class, version) once', () => {
  const names = builtinRecords.map((r) => r.name);
  for (const c of ['TObject', 'TNamed', 'TTree', 'TBranch', 'TH1D']) assert.ok(names.includes(c), c);
  assert.is(new Set(builtinRecords.map((r) => `${r.name};${r.classVersion}`)).size, builtinRecords.length);
});

test('recordSet: built-in records first, then each other (class, version) once', () => {
  const tree = builtinRecords.find((r) => r.name === 'TTree')!;
  const extra = [rec('MyEvent', 3), rec('MyEvent', 3), rec('MyEvent', 4), { ...tree }];
  const set = recordSet(extra);
  assert.is(set.length, builtinRecords.length + 2);
  assert.equal(set.slice(builtinRecords.length).map((r) => `${r.name};${r.classVersion}`), ['MyEvent;3', 'MyEvent;4']);
  assert.is(set[0], builtinRecords[0]);
});

test('streamerInfoPayload: a TList (version 5) of every record, byte counts consistent, one TStreamerInfo class tag then references', () => {
  const p = streamerInfoPayload(60);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  assert.is(dv.getUint32(0) & ~0x40000000, p.length - 4);
  assert.is(dv.getUint16(4), 5);
  // TList: TObject (2 + 4 + 4), empty name, then the count.
  assert.is(p[16], 0);
  assert.is(dv.getInt32(17), builtinRecords.length);
  const text = Buffer.from(p).toString('latin1');
  assert.is(text.split('TStreamerInfo\0').length - 1, 1, 'the class name written once');
  assert.is(streamerInfoPayload(60, [rec('MyEvent', 3)]).length > p.length, true);
  assert.equal(dv.getInt32(17), recordSet([]).length);
});

test.run();
