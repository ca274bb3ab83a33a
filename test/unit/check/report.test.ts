import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatText, pprintList, toJson } from '../../../src/check/report.js';
import type { ChunkVerdict } from '../../../src/check/chunk-check.js';

const v = (name: string, problems: string[]): ChunkVerdict => ({
  dir: `/w/Out/${name}`, name, good: problems.length === 0,
  problems: problems.map((message) => ({ code: 'no-log' as const, message })),
  eventsProcessed: null, expectedEvents: null, attempt: null, hasMarker: true, canResubmit: true,
});

test("pprint of the bad list, as heppy_check prints it", () => {
  assert.is(pprintList(['Out2/compA_Chunk1']), "['Out2/compA_Chunk1']");
  const long = Array.from({ length: 5 }, (_, i) => `Outdir/ggH_125_Chunk${i}`);
  assert.is(pprintList(long), "['Outdir/ggH_125_Chunk0',\n 'Outdir/ggH_125_Chunk1',\n 'Outdir/ggH_125_Chunk2',\n 'Outdir/ggH_125_Chunk3',\n 'Outdir/ggH_125_Chunk4']");
});

test('text report: one line per bad chunk, a count, the list', () => {
  const text = formatText([v('a_Chunk0', []), v('a_Chunk1', ['log.txt does not exist']), v('b_Chunk0', ['x', 'y'])], '/w');
  assert.is(text, [
    'Out/a_Chunk1 : log.txt does not exist',
    'Out/b_Chunk0 : x; y',
    '3 chunks checked: 1 good, 2 bad',
    'list of bad directories:',
    "['Out/a_Chunk1', 'Out/b_Chunk0']",
    '',
  ].join('\n'));
  assert.is(formatText([v('a_Chunk0', [])], '/w'), '1 chunk checked: 1 good, 0 bad\n');
});

test('json report counts', () => {
  const j = toJson([v('a_Chunk0', []), v('a_Chunk1', ['no'])]);
  assert.equal([j.total, j.good, j.bad], [2, 1, 1]);
});

test.run();
