// The record heads in columns (src/store/heads.ts): what the no-op snapshot stores of every task
// record. Made from the records and read back from JSON, they give every record's status, key,
// result digest and outputs; columns that do not fit together (a damaged snapshot) throw.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RecordHeads, type HeadColumns } from '../../../src/store/heads.js';
import type { TaskSummary } from '../../../src/store/records.js';

function record(nodeId: string, status: 'ok' | 'failed', outputs: Array<[string, number, number]>): TaskSummary {
  return { nodeId, kind: 'chunk', status, key: `key-${nodeId}`, resultDigest: `res-${nodeId}`, attempts: 1, eventsProcessed: 0, finishedAt: 0, durationMs: 0,
    outputs: outputs.map(([path, size, mtimeMs]) => ({ path, size, mtimeMs })) };
}

const records = new Map<string, TaskSummary>([
  ['A_Chunk0', record('A_Chunk0', 'ok', [['tree.root', 1234, 1_700_000_000_123.456], ['log.txt', 10, 1_700_000_000_000]])],
  ['A_Chunk1', record('A_Chunk1', 'failed', [])],
  ['hadd:A', record('hadd:A', 'ok', [['tree.root', 99_999_999_999, 1.5]])],
]);

test('from the records, through JSON and back: the same status, key, result and outputs of every record', () => {
  const made = RecordHeads.fromSummaries(records);
  const back = RecordHeads.fromColumns(JSON.parse(JSON.stringify(made.toColumns())) as HeadColumns);
  for (const h of [made, back]) {
    assert.is(h.size, 3);
    assert.equal([0, 1, 2].map((i) => [h.ids[i], h.ok(i), h.key(i), h.resultDigest(i)]),
      [['A_Chunk0', true, 'key-A_Chunk0', 'res-A_Chunk0'], ['A_Chunk1', false, 'key-A_Chunk1', 'res-A_Chunk1'], ['hadd:A', true, 'key-hadd:A', 'res-hadd:A']]);
    assert.equal(h.outputs(0), records.get('A_Chunk0')!.outputs);
    assert.equal(h.outputs(1), []);
    assert.equal(h.outputs(2), records.get('hadd:A')!.outputs);
    assert.is(h.indexOf('hadd:A'), 2);
    assert.is(h.indexOf('B_Chunk0'), -1);
  }
  assert.equal(back.paths, ['tree.root', 'log.txt'], 'each output path once');
});

test('columns that do not fit together throw (the caller then reads the store)', () => {
  const good = RecordHeads.fromSummaries(records).toColumns();
  const bad = (change: Partial<HeadColumns>): void => {
    assert.throws(() => RecordHeads.fromColumns({ ...good, ...change }));
  };
  bad({ status: 'oo' });                                                       // one status short
  bad({ keys: good.keys.slice(1) });
  bad({ sizes: Buffer.from(new Float64Array(2).buffer).toString('base64') });  // 2 sizes for 3 outputs
  bad({ starts: Buffer.from(new Int32Array([0, 2, 1, 3]).buffer).toString('base64') });  // ranges out of order
  bad({ pathIdx: Buffer.from(new Int32Array([0, 1, 7]).buffer).toString('base64') });     // no path 7
  bad({ mtimes: 'AAAA' });                                                     // 3 bytes: not float64s
  assert.is(RecordHeads.fromColumns(good).size, 3);
});

test.run();
