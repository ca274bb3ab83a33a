import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Component, Config, Sequence, UserStop, type Event } from '../../../src/index.js';
import { runChunk, type RunChunkHooks } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { eventWindow, segments } from '../../../src/loop/window.js';
import { MemorySource, type MemFile } from './memory-source.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-looper-'));
const seen: number[] = [];

class Record_ extends Analyzer {
  override process(e: Event): void { seen.push(e.iEv); }
}
class EvenOnly extends Analyzer<{ branch: string }> {
  override process(e: Event): boolean { return e.scalar(this.params.branch) % 2 === 0; }
}
class Stopper extends Analyzer {
  override process(e: Event): void { if (e.scalar('x') === 4) throw new UserStop('x reached 4'); }
}
class Thrower extends Analyzer {
  override process(e: Event): void {
    this.log(`event ${e.iEv}`);
    if (e.iEv === 3) throw new Error('boom');
  }
}
class Lepton extends Analyzer {
  static branches = ['mu'];
  override beginLoop(): void { this.counter('n').register('muons'); }
  override process(e: Event): void { this.counter('n').inc('muons', e.array('mu').length); }
}

function spec(name: string, over: Partial<ChunkSpec> = {}): ChunkSpec {
  return { name, component: 'c', files: ['/in/a.root'], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '/none.mjs', key: 'k1', attempt: 1, ...over };
}

async function run(seq: Sequence, files: MemFile[], s: ChunkSpec, extra: RunChunkHooks = {}) {
  const comp = new Component('c', { files: s.files });
  const config = new Config({ components: [comp], sequence: seq });
  const source = new MemorySource(files);
  const dir = join(root, s.name);
  const r = await runChunk(s, dir, { loadConfig: async () => config, openSource: async () => source, ...extra });
  const log = existsSync(join(dir, 'log.txt')) ? readFileSync(join(dir, 'log.txt'), 'utf8') : '';
  const marker = JSON.parse(readFileSync(join(dir, 'heppy-status.json'), 'utf8')) as Record<string, unknown>;
  return { r, dir, log, marker, source };
}

const xs = (n: number): MemFile => ({ x: Array.from({ length: n }, (_, i) => i) });

test('heppy fine-split windows and the -N cap', () => {
  assert.equal([0, 1, 2].map((i) => eventWindow(10, [i, 3], null)), [{ first: 0, n: 4 }, { first: 4, n: 4 }, { first: 8, n: 2 }]);
  assert.equal([0, 1, 2].map((i) => eventWindow(10, [i, 3], 5).n), [2, 2, 1]);
  assert.equal(eventWindow(10, [0, 3], 0).n, 4); // N 0 / -1 mean "all" in the fine-split formula
  assert.equal(eventWindow(2, [2, 3], null), { first: 2, n: 0 }); // ceil(2/3)=1: window 2 is empty
  assert.equal(eventWindow(10, null, null), { first: 0, n: 10 });
  assert.equal(eventWindow(10, null, 4), { first: 0, n: 4 });
  assert.equal(eventWindow(10, null, 40), { first: 0, n: 10 });
  assert.equal(segments([3, 4, 5], { first: 2, n: 6 }), [
    { file: 0, start: 2, stop: 3, globalStart: 2 }, { file: 1, start: 0, stop: 4, globalStart: 3 }, { file: 2, start: 0, stop: 1, globalStart: 7 }]);
});

test('a multi-file chunk is the concatenation of its files; -N caps it', async () => {
  seen.length = 0;
  const s = spec('multi', { files: ['/in/a.root', '/in/b.root'], maxEvents: 6 });
  const { r, marker, log } = await run(new Sequence(new Analyzer(Record_)), [xs(4), xs(5)], s);
  assert.ok(r.ok);
  assert.equal(seen, [0, 1, 2, 3, 4, 5]);
  assert.is(marker.eventsProcessed, 6);
  assert.is(marker.expectedEvents, 6);
  assert.ok(log.endsWith('\nnumber of events processed: 6\n'));
});

const tick = { t: 0, outlierAt: -1 };
class Tick extends Analyzer {
  override process(e: Event): void { tick.t += e.iEv === tick.outlierAt ? 100_000 : 1; }
}

test('TimeReport: every call timed for the first 1,000 events, then sampled and scaled; a sampled outlier is capped by the measured total', async () => {
  // 3,000 events of 1 ms each: 1,000 timed, then one in 16 (125), scaled to 3,000 ms: 3000/2999 ms per event.
  tick.t = 0; tick.outlierAt = -1;
  const even = await run(new Sequence(new Analyzer(Tick)), [xs(3000)], spec('tick'), { clock: () => tick.t });
  assert.ok(even.r.ok);
  assert.match(even.log, /\n {5}3000 {8}3000 {9}1\.00 {8}1\.00 100\.0% {3}Tick_1\n/);
  // Event 1008 is sampled and takes 100 s: scaled ×16 it would claim 1,600 s; capped by the 103 s measured.
  tick.t = 0; tick.outlierAt = 1008;
  const outlier = await run(new Sequence(new Analyzer(Tick)), [xs(3000)], spec('tick-outlier'), { clock: () => tick.t });
  assert.ok(outlier.r.ok);
  assert.match(outlier.log, /\n {5}3000 {8}3000 {8}34\.34 {7}34\.34 100\.0% {3}Tick_1\n/);
});

test('process() returning false stops the sequence for that event only', async () => {
  seen.length = 0;
  const { r, log } = await run(new Sequence(new Analyzer(EvenOnly, { branch: 'x' }), new Analyzer(Record_)), [xs(7)], spec('evens'));
  assert.ok(r.ok);
  assert.equal(seen, [0, 2, 4, 6]);
  assert.match(log, /\t EvenOnly_1 {14}4 \t 1\.00 \t 1\.0000\n\t Record__1 {15}4 \t 1\.00 \t 1\.0000\n/);
  assert.match(log, /\n {8}7 {11}7 .* EvenOnly_1\n {8}4 {11}7 .* Record__1\n/);
  assert.ok(log.endsWith('number of events processed: 7\n'));
});

test('UserStop ends the loop cleanly and everything is written', async () => {
  const { r, marker, log } = await run(new Sequence(new Analyzer(Lepton), new Analyzer(Stopper)), [{ x: [0, 1, 2, 3, 4, 5], mu: [[1], [], [1, 2], [3], [4, 5, 6], [7]] }], spec('stop'));
  assert.ok(r.ok);
  assert.is(marker.eventsProcessed, 4);
  assert.is(marker.expectedEvents, 6);
  assert.is(marker.userStop, true);
  assert.ok(log.startsWith('Stopped loop following a UserStop exception:\nx reached 4\n\nComponent: stop\n'));
  assert.ok(log.endsWith('number of events processed: 4\n'));
});

test('static branches: only the declared branches are read', async () => {
  const { r, source, dir } = await run(new Sequence(new Analyzer(Lepton)), [{ x: [0, 1, 2], mu: [[1], [], [2, 3, 4]] }], spec('branches'));
  assert.ok(r.ok);
  assert.equal(source.requested, [['mu']]);
  assert.ok(readFileSync(join(dir, 'Lepton_1', 'n.txt'), 'utf8').includes('muons' + ' '.repeat(14) + '4 \t'));
});

test('event.get/array/range give the same values of jagged branches', async () => {
  const got: number[][] = [];
  class Ranges extends Analyzer {
    override process(e: Event): void {
      const r = e.range('mu');
      const viaRange = Array.from(r.values.subarray(r.start, r.end) as Float64Array);
      assert.equal(Array.from(e.array('mu') as Float64Array), viaRange);
      assert.equal(Array.from(e.get('mu') as Float64Array), viaRange);
      assert.is(e.get('x'), e.scalar('x'));
      assert.throws(() => e.range('x'), /is a scalar/);
      assert.throws(() => e.scalar('mu'), /is an array/);
      assert.throws(() => e.scalar('nope'), /branch 'nope' was not read/);
      got.push(viaRange);
    }
  }
  const { r } = await run(new Sequence(new Analyzer(Ranges)), [{ x: [0, 1, 2, 3], mu: [[1], [], [2, 3, 4], [5, 6]] }], spec('ranges'));
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  assert.equal(got, [[1], [], [2, 3, 4], [5, 6]]);
});

test('0 events: log.txt still ends with the processed line (heppy divides by zero here)', async () => {
  const { r, log, marker } = await run(new Sequence(new Analyzer(Record_), new Analyzer(Lepton)), [{ x: [], mu: [] }], spec('empty'));
  assert.ok(r.ok);
  assert.is(marker.expectedEvents, 0);
  assert.match(log, /\n {8}0 {11}0 {9}0\.00 {8}0\.00 {3}0\.0% {3}Record__1\n/);
  assert.match(log, /\n {8}0 {11}0 {9}0\.00 {8}0\.00 100\.0% {3}TOTAL\n/);
  assert.ok(log.endsWith('\nnumber of events processed: 0\n'));
});

test('an analyzer exception fails the chunk, names chunk, analyzer, event; replaces stale outputs', async () => {
  const dir = join(root, 'bad');
  mkdirSync(join(dir, 'Old_1'), { recursive: true });
  writeFileSync(join(dir, 'log.txt'), 'number of events processed: 99\n');
  const { r, marker, log } = await run(new Sequence(new Analyzer(Record_), new Analyzer(Thrower)), [xs(6)], spec('bad'));
  assert.ok(!r.ok);
  if (!r.ok) assert.match(r.error.object ?? '', /^bad: Thrower_1$/);
  // The failure is typed: analysis, with the analyzer and the event (and the stack for the log).
  const f = marker.failure as { kind: string; analyzer: string; event: number; reason: string; stack?: string };
  assert.equal({ kind: f.kind, analyzer: f.analyzer, event: f.event, reason: f.reason }, { kind: 'analysis', analyzer: 'Thrower_1', event: 3, reason: 'boom' });
  assert.ok(f.stack?.includes('process'), f.stack);
  if (!r.ok) assert.equal(r.error.failure, marker.failure);
  assert.is(marker.status, 'failed');
  assert.is(marker.exitCode, 1);
  assert.is(marker.eventsProcessed, null);
  assert.is(marker.expectedEvents, 6);
  assert.not.match(log, /processed:/);
  assert.match(log, /ERROR: bad: analysis: Thrower_1: event 3: boom/);
  assert.not.ok(existsSync(join(dir, 'Old_1')));
  assert.is(readFileSync(join(dir, 'Thrower_1', 'log.txt'), 'utf8'), 'event 0\nevent 1\nevent 2\nevent 3\n');
  assert.equal(readdirSync(join(root, '.heppy', 'tmp')), []);
});

test('an aborted signal stops gracefully after the current event', async () => {
  const ac = new AbortController();
  class Aborter extends Analyzer { override process(e: Event): void { if (e.iEv === 2) ac.abort(); } }
  const { r, marker, log } = await run(new Sequence(new Analyzer(Aborter)), [xs(10)], spec('abort'), { signal: ac.signal });
  assert.ok(r.ok);
  assert.is(marker.eventsProcessed, 3);
  assert.ok(log.startsWith('stopping gracefully at event 3\n'));
});

test('a signal handler (heppy run-chunk: SIGUSR2) gets to run during a long loop', async () => {
  const ac = new AbortController();
  const onUsr2 = (): void => ac.abort();
  process.on('SIGUSR2', onUsr2);
  class Slow extends Analyzer {
    override process(e: Event): void {
      if (e.iEv === 5) process.kill(process.pid, 'SIGUSR2');
      const until = performance.now() + 0.2;
      while (performance.now() < until); // 0.2 ms of work per event: 2,000 events take 0.4 s
    }
  }
  try {
    const { r, marker, log } = await run(new Sequence(new Analyzer(Slow)), [xs(2000)], spec('usr2'), { signal: ac.signal });
    assert.ok(r.ok);
    assert.ok((marker.eventsProcessed as number) > 5 && (marker.eventsProcessed as number) < 2000, String(marker.eventsProcessed));
    assert.is(marker.expectedEvents, 2000);
    assert.match(log, /^stopping gracefully at event \d+\n/);
  } finally {
    process.off('SIGUSR2', onUsr2);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test("log.txt: heppy's periodic 'event N (R ev/s)' lines, rate-limited", async () => {
  const x = Array.from({ length: 250 }, (_, i) => i);
  const every = await run(new Sequence(new Analyzer(Record_)), [{ x }], spec('lines'), { eventLineIntervalMs: 0 });
  assert.ok(every.r.ok);
  const lines = every.log.split('\n').filter((l) => l.startsWith('event '));
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /^event 100 \(\d+\.\d ev\/s\)$/);
  assert.match(lines[1]!, /^event 200 \(\d+\.\d ev\/s\)$/);
  assert.ok(every.log.indexOf('event 200') < every.log.indexOf('number of events processed: 250'));
  // several files (one batch each, starting at events 0, 70, 140 / 0, 100, 200): the lines still
  // fall on the multiples of 100, a batch starting on one included
  for (const sizes of [[70, 70, 70], [100, 100, 50]]) {
    const files = sizes.map((n): MemFile => ({ x: Array.from({ length: n }, (_, i) => i) }));
    const multi = await run(new Sequence(new Analyzer(Record_)), files, spec(`lines-${sizes.join('-')}`, { files: sizes.map((_, i) => `/in/${i}.root`) }), { eventLineIntervalMs: 0 });
    assert.ok(multi.r.ok);
    assert.equal(multi.log.split('\n').filter((l) => l.startsWith('event ')).map((l) => l.split(' ')[1]), ['100', '200'], sizes.join(','));
  }
  // default: at most one line per 10 s, so a short chunk has none
  const quiet = await run(new Sequence(new Analyzer(Record_)), [{ x }], spec('nolines'));
  assert.not.match(quiet.log, /^event /m);
});

test.run();
