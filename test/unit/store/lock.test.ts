import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, holderDead, lockPath, type LockInfo } from '../../../src/store/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'heppy-lock-'));
const racer = fileURLToPath(new URL('./lock-racer.js', import.meta.url));
// pid 2^22 + 1 is above Linux's largest pid_max: certainly not running.
const DEAD = 4194305;

function staleLock(out: string, extra: Partial<LockInfo> = {}): void {
  mkdirSync(join(out, '.heppy'), { recursive: true });
  writeFileSync(lockPath(out), JSON.stringify({ pid: DEAD, host: hostname(), startedAt: 0, command: 'build', token: 'deadbeef', ...extra }));
}

test('an Outdir that cannot be made (a file in the way): one reason naming the path and the cause, no exception', () => {
  const file = join(dir, 'plain-file');
  writeFileSync(file, '');
  const l = acquireLock(join(file, 'Out'), 'build');
  assert.not.ok(l.ok);
  if (!l.ok) {
    assert.is(l.error.file, join(file, 'Out'));
    assert.is(l.error.reason, `cannot write in this output directory: ENOTDIR: not a directory, mkdir '${join(file, 'Out')}'`);
  }
});

test('second holder refused with the holder named; release removes only our own lock', () => {
  const out = join(dir, 'a');
  const l1 = acquireLock(out, 'build');
  assert.ok(l1.ok);
  const l2 = acquireLock(out, 'hadd');
  assert.not.ok(l2.ok);
  if (!l2.ok) assert.match(l2.error.reason, `another heppy build (pid ${process.pid} on ${hostname()}`);
  if (l1.ok) l1.value.release();
  assert.not.ok(existsSync(lockPath(out)));
  assert.equal(readdirSync(join(out, '.heppy')), [], 'no claim or tmp file left');
});

test('a stale lock (dead pid, reused pid, other boot, older heppy without token) is taken over', () => {
  const cases: Array<[string, Partial<LockInfo> | null]> = [
    ['dead pid', {}],
    ['pid reused by another process', { pid: process.pid, procStart: '1' }],
    ['rebooted since', { pid: process.pid, bootId: 'another-boot' }],
    ['older heppy lock', null],
  ];
  for (const [name, extra] of cases) {
    const out = join(dir, name.replace(/ /g, '-'));
    if (extra === null) {
      mkdirSync(join(out, '.heppy'), { recursive: true });
      writeFileSync(lockPath(out), JSON.stringify({ pid: DEAD, host: hostname(), startedAt: 0, command: 'build' }));
    } else staleLock(out, extra);
    const l = acquireLock(out, 'build');
    assert.ok(l.ok, name);
    const held = JSON.parse(readFileSync(lockPath(out), 'utf8')) as LockInfo;
    assert.is(held.pid, process.pid, name);
    if (l.ok) l.value.release();
    assert.equal(readdirSync(join(out, '.heppy')), [], name);
  }
});

test('holderDead: a live process on this host is not stale, another host is never judged', () => {
  const me = { pid: process.pid, host: hostname(), startedAt: 0, command: 'build', token: 't' };
  assert.not.ok(holderDead(me));
  assert.not.ok(holderDead({ ...me, pid: DEAD, host: 'elsewhere.example' }));
  assert.ok(holderDead({ ...me, pid: DEAD }));
});

test('an unparseable lock is waited for while recent (its writer may be writing), stale when old', () => {
  const out = join(dir, 'garbage');
  mkdirSync(join(out, '.heppy'), { recursive: true });
  writeFileSync(lockPath(out), '{"pid": 12');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lockPath(out), old, old);
  const l = acquireLock(out, 'build');
  assert.ok(l.ok);
  if (l.ok) l.value.release();
});

test('a claim left by a taker that died mid-takeover does not block for ever', () => {
  const out = join(dir, 'dead-claim');
  staleLock(out);
  writeFileSync(lockPath(out) + '.stale-deadbeef', JSON.stringify({ pid: DEAD, host: hostname(), startedAt: 0, command: 'build', token: 'x.0' }));
  const l = acquireLock(out, 'build');
  assert.ok(l.ok);
  if (l.ok) l.value.release();
  assert.equal(readdirSync(join(out, '.heppy')), []);
});

interface Racer { line: Promise<string>; exited: Promise<void> }

function startRacer(out: string, startAt: number, release: string): Racer {
  const p = spawn(process.execPath, [racer, out, String(startAt), release], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  const line = new Promise<string>((resolve) => p.stdout.on('data', (d: Buffer) => {
    text += d.toString();
    if (text.includes('\n')) resolve(text.trim());
  }));
  const exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
  return { line, exited };
}

test('50 trials: three processes started together on a stale lock, exactly one wins each time', async () => {
  let lost = 0;
  for (let trial = 0; trial < 50; trial++) {
    const out = join(dir, `race${trial}`);
    staleLock(out, { token: `stale${trial}` });
    const release = join(dir, `release${trial}`);
    const startAt = Date.now() + 300;
    const racers = [0, 1, 2].map(() => startRacer(out, startAt, release));
    // Every racer has tried before the winner lets go: two winners would have held it together.
    const results = await Promise.all(racers.map((r) => r.line));
    writeFileSync(release, '');
    await Promise.all(racers.map((r) => r.exited));
    const won = results.filter((r) => r.startsWith('won'));
    assert.is(won.length, 1, `trial ${trial}: ${results.join(', ')}`);
    lost += results.length - won.length;
    assert.not.ok(existsSync(lockPath(out)), 'the winner released it');
    assert.equal(readdirSync(join(out, '.heppy')), [], 'no claim or tmp file left');
  }
  assert.is(lost, 100);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
