// `heppy build` on a terminal (a pseudo-terminal made by util-linux `script`): the live display has
// the overall line (chunks, events, events/s, elapsed, ETA) above one line per component.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../util/shared.js';
import { demoRig, type DemoRig } from './demo-rig.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
let rig: DemoRig | null = null;

test('TTY: overall line with ETA above the component lines', async () => {
  if (!hasScript) { console.log('SKIP: util-linux `script` is not installed; the pseudo-terminal test is skipped'); return; }
  rig = await demoRig('heppy-tty-');
  const cmd = `'${process.execPath}' '${join(repoRoot, 'bin', 'heppy.js')}' build -j 2`;
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: rig.work, encoding: 'utf8', timeout: 300_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  const screen = r.stdout.replace(/\r/g, '');
  // the last redraw (at the summary): everything done, events known, ETA 0:00
  const overall = [...screen.matchAll(/heppy: (\d+)\/(\d+) chunks, .*?([\d,]+)\/([\d,]+) events, [\d,]+ ev\/s, elapsed \d+:\d\d, ETA (\d+:\d\d)\n/g)];
  assert.ok(overall.length > 0, screen);
  const last = overall[overall.length - 1]!;
  assert.equal([last[1], last[2], last[3], last[4], last[5]], ['30', '30', '4,000', '4,000', '0:00']);
  const after = screen.slice(last.index! + last[0].length).split('\n');
  assert.match(after[0]!, /^  data_period_A\s+5\/5 done, 1,000 events, [\d,]+ ev\/s, merged$/);
  assert.match(after[3]!, /^  ZZ\s+5\/5 done, 1,200 events, [\d,]+ ev\/s, merged$/);
  assert.ok(screen.includes('\x1b['), 'redrawn in place with ANSI escapes');
});

test.after(() => { if (rig) rmSync(rig.work, { recursive: true, force: true }); });
test.run();
