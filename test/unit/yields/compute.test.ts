// Yields with known weights, through the real path: chunks run by runChunk (in-memory inputs),
// merged by mergeComponent, read by computeYields. Sums of weights and squared weights are exact;
// the MC normalisation is xSection·lumi/nGenEvents (or / the sum of generator weights) by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Config, DataComponent, MCComponent, Sequence, type Event } from '../../../src/index.js';
import { runChunk } from '../../../src/loop/run-chunk.js';
import type { ChunkSpec } from '../../../src/chunkdir/spec.js';
import { mergeComponent } from '../../../src/merge/index.js';
import { componentRecord, resolveLumi, writeBuildRecord } from '../../../src/engine/build-record.js';
import { computeYields, type Yields } from '../../../src/yields/compute.js';
import { formatCsv, formatJson, formatLatex, formatText } from '../../../src/yields/format.js';
import { readStat } from '../../../src/stats/sidecar.js';
import { Counter } from '../../../src/stats/counter.js';
import { MemorySource, type MemFile } from '../loop/memory-source.js';

/** Sets the event weight from branch `w` when it is there (the analysis' own weight), then cuts on x. */
class Cuts extends Analyzer<{ weighted: boolean }> {
  override beginLoop(): void {
    this.counter('cutflow').register('all').register('x > 1');
  }
  override process(e: Event): boolean {
    if (this.params.weighted) e.eventWeight = e.scalar('w');
    const c = this.counter('cutflow');
    c.inc('all');
    if (e.scalar('x') <= 1) return false;
    c.inc('x > 1');
    return true;
  }
}

const root = mkdtempSync(join(tmpdir(), 'heppy-yields-'));
const outdir = join(root, 'Out');
const data = new DataComponent('data', { files: ['/d.root'], intLumi: 10 });
const mc = new MCComponent('mc', { files: ['/m0.root', '/m1.root'], xSection: 2, nGenEvents: 100 });
const gen = new MCComponent('mcgen', { files: ['/g.root'], xSection: 3, nGenEvents: 999, genWeightBranch: 'g' });
const configOf = (weighted: boolean): Config => new Config({ components: [data, mc, gen], sequence: new Sequence(new Analyzer(Cuts, { weighted })) });

async function run(comp: string, name: string, file: MemFile, weighted: boolean): Promise<string> {
  const spec: ChunkSpec = { name, component: comp, files: ['/in.root'], tree: 'events', fineSplit: null, maxEvents: null, options: {}, bundle: '', key: 'k', attempt: 1 };
  const dir = join(outdir, name);
  const r = await runChunk(spec, dir, { loadConfig: async () => configOf(weighted), openSource: async () => new MemorySource([file]) });
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  return dir;
}

let y: Yields;

test('chunks, merge and yields with known weights', async () => {
  // mc: weights from the analysis (branch w), two chunks merged
  const c0 = await run('mc', 'mc_Chunk0', { x: [0.5, 2, 3], w: [0.5, 1.5, -1] }, true);
  const c1 = await run('mc', 'mc_Chunk1', { x: [5, 0], w: [2, 4] }, true);
  const m = await mergeComponent(outdir, 'mc', [c0, c1]);
  assert.ok(m.ok, m.ok ? '' : m.error.reason);
  // mcgen: the generator-weight branch named in the component sets eventWeight; unsplit
  await run('mcgen', 'mcgen', { x: [2, 0.1], g: [0.25, 0.75] }, false);
  // data: unweighted, unsplit
  await run('data', 'data', { x: [2, 3, 0] }, false);

  // cutflow.txt keeps heppy's text (counts only); the sidecar carries the weight sums, summed by hadd
  assert.is(readFileSync(join(outdir, 'mc', 'Cuts_1', 'cutflow.txt'), 'utf8'),
    `Counter cutflow :\n\t ${'all'.padEnd(10)} ${'5'.padStart(9)} \t 1.00 \t 1.0000\n\t ${'x > 1'.padEnd(10)} ${'3'.padStart(9)} \t 0.60 \t 0.6000\n\n`);
  const merged = readStat(join(outdir, 'mc', 'Cuts_1', 'cutflow.json'));
  assert.ok(merged.ok && merged.value instanceof Counter);
  const mcc = merged.value as Counter;
  assert.equal([...mcc.sumw], [7, 2.5]);
  assert.equal([...mcc.sumw2], [23.5, 7.25]);
  const g = readStat(join(outdir, 'mcgen', 'genweights.json'));
  assert.ok(g.ok && g.value instanceof Counter && g.value.sumw[0] === 1 && g.value.levels[0]![1] === 2);

  const comps = [componentRecord(data, 1, false), componentRecord(mc, 2, true), componentRecord(gen, 1, false)];
  const lumi = resolveLumi(undefined, null, comps);
  assert.equal(lumi, { value: 10, source: 'data' });
  writeBuildRecord(outdir, { version: 1, heppyVersion: 'test', executor: 'local', startedAt: '', finishedAt: '', lumi, components: comps });
  const r = computeYields(outdir);
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
  y = r.value;
});

test('normalisation: xSection·lumi/nGenEvents, or / the sum of generator weights', () => {
  const info = Object.fromEntries(y.components.map((c) => [c.name, c]));
  assert.is(info.mc!.norm, (2 * 10) / 100);
  assert.ok(Math.abs(info.mc!.norm! - 0.2) < 1e-15);
  assert.is(info.mcgen!.sumGenWeights, 1);
  assert.is(info.mcgen!.denominator, 'sumGenWeights');
  assert.is(info.mcgen!.norm, 30);
  assert.is(info.data!.norm, 1);
});

test('cells: counts, exact sums of weights, yields and errors; MC sum and data', () => {
  assert.is(y.tables.length, 1);
  const t = y.tables[0]!;
  assert.is(`${t.analyzer}/${t.counter}`, 'Cuts_1/cutflow');
  const [all, pass] = t.rows;
  assert.equal(all!.cells.mc, { count: 5, sumw: 7, sumw2: 23.5, yield: 0.2 * 7, error: 0.2 * Math.sqrt(23.5) });
  assert.equal(pass!.cells.mc, { count: 3, sumw: 2.5, sumw2: 7.25, yield: 0.2 * 2.5, error: 0.2 * Math.sqrt(7.25) });
  assert.equal(all!.cells.mcgen, { count: 2, sumw: 1, sumw2: 0.625, yield: 30, error: 30 * Math.sqrt(0.625) });
  assert.equal(pass!.cells.mcgen, { count: 1, sumw: 0.25, sumw2: 0.0625, yield: 7.5, error: 7.5 });
  assert.equal(all!.cells.data, { count: 3, sumw: 3, sumw2: 3, yield: 3, error: Math.sqrt(3) });
  assert.equal(pass!.data, { count: 2, yield: 2, error: Math.sqrt(2) });
  assert.is(all!.mcSum!.count, 7);
  assert.ok(Math.abs(all!.mcSum!.yield! - 31.4) < 1e-12);
  assert.ok(Math.abs(all!.mcSum!.error! - Math.sqrt(0.04 * 23.5 + 900 * 0.625)) < 1e-12);
});

test('formats: text, JSON, CSV, LaTeX', () => {
  const text = formatText(y);
  assert.match(text, 'luminosity 10 (data components\' intLumi)');
  assert.match(text, /\nx > 1\s+2\s+3\s+1\s+4\s+2\n/); // raw counts: data, mc, mcgen, MC sum, data sum
  assert.match(text, '0.50 ± 0.54');                // mc: 0.2·2.5 ± 0.2·sqrt(7.25)
  assert.equal(JSON.parse(formatJson(y)), JSON.parse(JSON.stringify(y)));
  const csv = formatCsv(y).trim().split('\n');
  assert.is(csv[0], 'analyzer,counter,level,column,count,sumw,sumw2,yield,error');
  assert.is(csv.length, 1 + 2 * 5);
  assert.ok(csv.includes('Cuts_1,cutflow,x > 1,mc,3,2.5,7.25,0.5,' + String(0.2 * Math.sqrt(7.25))));
  const tex = formatLatex(y);
  assert.match(tex, '\\begin{tabular}{lrrrrr}');
  assert.match(tex, '$0.50 \\pm 0.54$');
  assert.match(tex, 'x \\textgreater{} 1 & ');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
