import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { JsonReporter } from '../../../src/report/json.js';

test('JsonReporter: one JSON object per line, the event with a time stamp', () => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (b: Buffer) => chunks.push(b.toString()));
  const r = new JsonReporter(out);
  const before = Date.now();
  r.event({ type: 'start', id: 'ttbar_Chunk0', kind: 'chunk', component: 'ttbar', attempt: 1 });
  r.event({ type: 'warning', message: 'line\nbreak' });
  r.close();
  const lines = chunks.join('').split('\n');
  assert.is(lines.length, 3);
  assert.is(lines[2], '');
  const a = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.ok(typeof a.time === 'number' && a.time >= before);
  delete a.time;
  assert.equal(a, { type: 'start', id: 'ttbar_Chunk0', kind: 'chunk', component: 'ttbar', attempt: 1 });
  assert.is((JSON.parse(lines[1]!) as { message: string }).message, 'line\nbreak');
});

test.run();
