// Acceptance: counters, averages and log.txt match heppy's formats byte for byte on a fixed example
// (heppy-original §5: two analyzers, a fine-split chunk (2, 3) of a 10-event file, the first
// analyzer rejecting one of the two events; the clock is fixed so that the TimeReport is too).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, type Event } from '../../../src/index.js';
import { runChunk } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { MemorySource } from './memory-source.js';

const clock = { t: 0 };

class Sel extends Analyzer {
  override beginLoop(): void {
    const c = this.counter('cut_flow');
    c.register('All events'); c.register('x even'); c.register('x > 20');
  }
  override process(event: Event): boolean {
    clock.t += 0.0108;
    const x = event.scalar('x');
    const c = this.counter('cut_flow');
    c.inc('All events');
    this.average('x_ave').add(x);
    if (x % 2 !== 0) return false;
    c.inc('x even');
    if (x > 20) c.inc('x > 20');
    return true;
  }
}

class Raiser extends Analyzer {
  override process(): void {
    clock.t += 0.0018;
  }
}

test('log.txt, counter and average files are byte-exact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-logfmt-'));
  try {
    const compB = new Component('compB', { files: ['/data/f4.pck'], fineSplitFactor: 3 });
    const config = new Config({ components: [compB], sequence: new Sequence(new Analyzer(Sel), new Analyzer(Raiser)) });
    const spec: ChunkSpec = {
      name: 'compB_Chunk2', component: 'compB', files: ['/data/f4.pck'], tree: 'events', fineSplit: [2, 3], maxEvents: null,
      options: {}, bundle: '/nonexistent/bundle.mjs', key: 'abc', attempt: 1,
    };
    // x = 50 … 59: the chunk's window is events 8 and 9 (x = 58, 59).
    const source = new MemorySource([{ x: [50, 51, 52, 53, 54, 55, 56, 57, 58, 59] }]);
    const chunkDir = join(dir, 'compB_Chunk2');
    const r = await runChunk(spec, chunkDir, { loadConfig: async () => config, openSource: async () => source, clock: () => clock.t });
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    assert.is(readFileSync(join(chunkDir, 'log.txt'), 'utf8'), [
      '',
      'Component: compB_Chunk2',
      '\tdataset_entries:   0',
      "\tfiles          :   ['/data/f4.pck']",
      '\tfineSplit      :   (2, 3)',
      '\tfineSplitFactor:   3',
      '\tisData         :   False',
      '\tisEmbed        :   False',
      '\tisMC           :   False',
      '\ttree_name      :   None',
      '\ttriggers       :   []',
      '',
      '      ---- TimeReport (all times in ms; first evt is skipped) ---- ',
      'processed    all evts    time/proc    time/all   [%]    analyer',
      '---------    --------    ---------   ---------  -----   -------------',
      '        2           2         0.02        0.02  92.3%   Sel_1',
      '        1           2         0.00        0.00   7.7%   Raiser_1',
      '---------    --------    ---------   ---------   -------------',
      '        1           2         0.00        0.02 100.0%   TOTAL',
      '',
      'Counter analyzers :',
      '\t Sel_1                 1 \t 1.00 \t 1.0000',
      '\t Raiser_1              1 \t 1.00 \t 1.0000',
      '',
      'number of events processed: 2',
      '',
    ].join('\n'));
    assert.is(readFileSync(join(chunkDir, 'Sel_1', 'cut_flow.txt'), 'utf8'),
      'Counter cut_flow :\n' +
      '\t All events              2 \t 1.00 \t 1.0000\n' +
      '\t x even                  1 \t 0.50 \t 0.5000\n' +
      '\t x > 20                  1 \t 1.00 \t 0.5000\n\n');
    assert.is(readFileSync(join(chunkDir, 'Sel_1', 'x_ave.txt'), 'utf8'), 'Average x_ave          :  58.5000 +-   0.3536\n');
    assert.equal(JSON.parse(readFileSync(join(chunkDir, 'Sel_1', 'x_ave.json'), 'utf8')), { type: 'Average', name: 'x_ave', sumw: 2, sumwx: 117, sumwx2: 58 * 58 + 59 * 59 });
    assert.is(readFileSync(join(chunkDir, 'Raiser_1', 'log.txt'), 'utf8'), '');
    const marker = JSON.parse(readFileSync(join(chunkDir, 'heppy-status.json'), 'utf8')) as Record<string, unknown>;
    assert.is(marker.status, 'ok');
    assert.is(marker.eventsProcessed, 2);
    assert.is(marker.expectedEvents, 2);
    assert.is(marker.exitCode, 0);
    assert.ok(source.closed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
