// Two builds started together on one Outdir that holds a stale lock (a killed build's): exactly
// one runs, the other refuses with one line naming the holder; 50 trials.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAsync, writeInput, type Project } from './build-rig.js';

const TRIALS = 50;
let p: Project;

test.before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heppy-lock-e2e-'));
  mkdirSync(join(dir, 'data'));
  await writeInput(join(dir, 'data', 'f0.root'), 10, 0);
  const heppyfile = join(dir, 'heppyfile.ts');
  // One unsplit component; its only chunk waits in beginLoop until the file \`go\` exists (60 s at
  // most), which the test creates once the other build has ended: the winner holds the lock while
  // the other build tries it however loaded the machine is (a fixed sleep was not always enough).
  // A new go file per trial changes the key: every trial runs.
  writeFileSync(heppyfile, `import { existsSync } from 'node:fs';
import { Analyzer, Config, Component, Sequence, getOption, type Event } from 'heppy';
class Count extends Analyzer {
  static branches = ['x'];
  override beginLoop(): void {
    const go = String(getOption('go', ''));
    for (let i = 0; i < 6000 && go !== '' && !existsSync(go); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    this.counter('n').register('all');
  }
  override process(_e: Event): boolean { this.counter('n').inc('all'); return true; }
}
export default new Config({ components: [new Component('C', { files: 'data/*.root' })], sequence: new Sequence(new Analyzer(Count, {})), tree: 'events' });
`);
  p = { dir, heppyfile, setHeppyfile: () => undefined };
});

test(`${TRIALS} trials: two builds together over a stale lock, exactly one runs`, async () => {
  const lock = join(p.dir, 'Outdir', '.heppy', 'lock');
  let refusals = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    mkdirSync(join(p.dir, 'Outdir', '.heppy'), { recursive: true });
    // What kill -9 of a build leaves: its lock, with a pid that no longer runs.
    writeFileSync(lock, JSON.stringify({ pid: 4194305, host: hostname(), startedAt: Date.now() - 1000, command: 'build', token: `killed${trial}` }));
    const go = join(p.dir, `go-${trial}`);
    const t0 = Date.now() - 5;
    const both = [buildAsync(p, ['-o', `go=${go}`]).done, buildAsync(p, ['-o', `go=${go}`]).done];
    await Promise.race(both);
    writeFileSync(go, '');
    const [a, b] = await Promise.all(both);
    const runs = [a, b];
    const ran = runs.filter((r) => r.ran.includes('C'));
    assert.is(ran.length, 1, `trial ${trial}: both or neither ran the chunk: codes ${a.code}/${b.code}\n${a.stderr}\n${b.stderr}`);
    const winner = ran[0]!;
    const loser = runs.find((r) => r !== winner)!;
    assert.is(winner.code, 0, winner.stderr);
    assert.is(loser.code, 1, `trial ${trial}: ${loser.stderr}`);
    assert.is(loser.events.filter((e) => e.type === 'start').length, 0, 'the loser started nothing');
    const lines = loser.stderr.trim().split('\n');
    assert.is(lines.length, 1, loser.stderr);
    assert.match(lines[0]!, /another heppy build \(pid \d+ on /);
    refusals++;
    // The chunk's marker is this trial's run, ok.
    const marker = JSON.parse(readFileSync(join(p.dir, 'Outdir', 'C', 'heppy-status.json'), 'utf8')) as { status: string; startedAt: string | number };
    assert.is(marker.status, 'ok');
    assert.ok(new Date(marker.startedAt).getTime() >= t0, `trial ${trial}: the marker is older than the trial`);
  }
  assert.is(refusals, TRIALS);
});

test.after(() => rmSync(p.dir, { recursive: true, force: true }));
test.run();
