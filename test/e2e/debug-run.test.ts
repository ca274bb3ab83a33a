// `heppy run`: one component in the foreground on a slice (heppy_loop -e/-I/-N/-p), into a scratch
// directory; the analyzers' log lines and the first events printed; an exception at the
// heppyfile's line; nothing written to the Outdir.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEPPY, writeInput } from './build-rig.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-run-e2e-'));
const HEPPYFILE = `import { Analyzer, Config, Component, Sequence, getOption, type Event } from 'heppy';

class Dbg extends Analyzer<{ failAt: number }> {
  static branches = ['x'];
  override beginLoop(): void {
    this.counter('cutflow').register('all');
  }
  override process(e: Event): boolean {
    this.counter('cutflow').inc('all');
    e.doubled = e.scalar('x') * 2;
    this.log(\`x=\${e.scalar('x')}\`);
    if (e.iEv === this.params.failAt) throw new Error('bad event');
    return true;
  }
}

export default new Config({
  components: [Object.assign(new Component('A', { files: 'data/A/*.root' }), { splitFactor: 2 })],
  sequence: new Sequence(new Analyzer(Dbg, { failAt: Number(getOption('failAt', '-1')) })),
  tree: 'events',
});
`;

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [HEPPY, 'run', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const scratchOf = (out: string): string => /into (\S+)\n/.exec(out)![1]!;

test.before(async () => {
  mkdirSync(join(dir, 'data', 'A'), { recursive: true });
  await writeInput(join(dir, 'data', 'A', 'f0.root'), 10, 0);
  await writeInput(join(dir, 'data', 'A', 'f1.root'), 10, 100);
  writeFileSync(join(dir, 'heppyfile.ts'), HEPPYFILE);
});

test('events 8:12 across both files: the log lines, the first event printed, the counters, nothing in Outdir', () => {
  const r = run(['--component', 'A', '--events', '8:12', '--print', '1']);
  assert.is(r.code, 0, r.err + r.out);
  // Each event's log line, then (for the first) the event as the sequence left it.
  assert.match(r.out, `Dbg_1: x=8\nEvent 8 (${join(dir, 'data/A/f0.root')}, entry 8)\n  x           : 8\n  eventWeight : 1\n  doubled     : 16\nDbg_1: x=9\nDbg_1: x=100\nDbg_1: x=101\n`);
  assert.not.match(r.out, 'Event 9 ');
  assert.match(r.out, /Dbg_1\/cutflow\.txt:\nCounter cutflow :\n\t all +4 /);
  assert.match(r.out, 'ran 4 events; outputs in');
  const scratch = scratchOf(r.out);
  assert.ok(scratch.startsWith(tmpdir()), scratch);
  assert.ok(existsSync(join(scratch, 'Dbg_1', 'cutflow.txt')));
  assert.match(readFileSync(join(scratch, 'Dbg_1', 'log.txt'), 'utf8'), 'x=8\nx=9\nx=100\nx=101\n');
  assert.not.ok(existsSync(join(dir, 'Outdir')), 'never the Outdir');
  rmSync(scratch, { recursive: true, force: true });
});

test('--file and a single event: that entry of that file', () => {
  const scratch = join(dir, 'scratch');
  const r = run(['--component', 'A', '--file', 'data/A/f1.root', '--events', '3', '--scratch', scratch]);
  assert.is(r.code, 0, r.err + r.out);
  assert.match(r.out, 'Dbg_1: x=103\n');
  assert.not.match(r.out, 'x=102');
  assert.match(r.out, 'ran 1 events');
  assert.ok(existsSync(join(scratch, 'A', 'Dbg_1', 'cutflow.txt')));
});

test("an exception: the analyzer, the event, its input file and the heppyfile's line; exit 1", () => {
  const r = run(['--component', 'A', '-o', 'failAt=11', '--events', '10:15']);
  assert.is(r.code, 1, r.err + r.out);
  const line = HEPPYFILE.split('\n').findIndex((l) => l.includes("throw new Error('bad event')")) + 1;
  const at = `${join(dir, 'heppyfile.ts')}:${line}:${HEPPYFILE.split('\n')[line - 1]!.indexOf('new Error') + 1}`;
  assert.match(r.out, `FAILED: analysis: Dbg_1: event 11 of ${join(dir, 'data/A/f1.root')}: ${at}: bad event\n`);
  assert.match(r.out, `at Dbg.process (${at})`);
  assert.match(r.out, 'Dbg_1: x=101\n');
});

test('bad input: exit 2, one line', () => {
  const a = run(['--component', 'Z']);
  assert.is(a.code, 2);
  assert.match(a.err, `heppy: no component named Z in ${join(dir, 'heppyfile.ts')} (components: A)`);
  assert.is(run(['--component', 'A', '--events', '5:2']).code, 2);
  assert.match(run(['--component', 'A', '--events', 'x']).err, '--events x: expected A:B');
  const inOut = run(['--component', 'A', '--scratch', 'Outdir/dbg']);
  assert.is(inOut.code, 2);
  assert.match(inOut.err, 'inside the Outdir');
  assert.is(run([]).code, 2);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
