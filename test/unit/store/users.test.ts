import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeUser, otherUsers, registerUser, takeRepairLock, waitForRepair } from '../../../src/store/users.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-store-users-'));

test('registerUser: an entry naming this process, released once (idempotent)', () => {
  const cache = join(root, 'c1');
  mkdirSync(cache);
  const u = registerUser(cache);
  const entry = join(cache, 'store-users', `${u.token}.json`);
  const info = JSON.parse(readFileSync(entry, 'utf8')) as { pid: number; host: string; command: string };
  assert.is(info.pid, process.pid);
  assert.is(info.host, hostname());
  assert.ok(info.command.startsWith('heppy'));
  assert.equal(otherUsers(cache, u.token), [], 'its own entry is not another user');
  u.release();
  u.release();
  assert.not.ok(existsSync(entry));
});

test('otherUsers: live processes listed, dead ones removed on the way; describeUser names them', async () => {
  const cache = join(root, 'c2');
  mkdirSync(join(cache, 'store-users'), { recursive: true });
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const me = registerUser(cache);
    writeFileSync(join(cache, 'store-users', 'live.json'), JSON.stringify({ pid: other.pid, host: hostname(), startedAt: Date.now(), command: 'heppy status', token: 'live' }));
    const dead = spawn('true', [], { stdio: 'ignore' });
    await new Promise((res) => dead.on('exit', res));
    writeFileSync(join(cache, 'store-users', 'dead.json'), JSON.stringify({ pid: dead.pid, host: hostname(), startedAt: Date.now() - 1000, command: 'heppy why', token: 'dead' }));
    const live = otherUsers(cache, me.token);
    assert.is(live.length, 1);
    assert.is(live[0]!.pid, other.pid);
    assert.is(describeUser(live[0]!), `pid ${other.pid} on ${hostname()} (heppy status)`);
    assert.equal(readdirSync(join(cache, 'store-users')).sort(), [`${me.token}.json`, 'live.json'].sort());
    me.release();
  } finally {
    other.kill('SIGKILL');
    await new Promise((res) => other.on('exit', res));
  }
  assert.is(describeUser(null), 'a process whose store-users entry is being written');
  assert.equal(otherUsers(join(root, 'no-such-cache'), 'x'), []);
});

test('takeRepairLock / waitForRepair: one repairer at a time; no wait once the lock is released', () => {
  const cache = join(root, 'c3');
  mkdirSync(cache);
  assert.is(waitForRepair(cache, 10), null, 'no repair running');
  const first = takeRepairLock(cache);
  assert.ok(first.ok);
  if (!first.ok) return;
  const second = takeRepairLock(cache);
  assert.not.ok(second.ok);
  if (!second.ok) assert.is(second.holder?.pid, process.pid);
  // Held by a live process (this one): the wait gives up and names the holder.
  assert.is(waitForRepair(cache, 30)?.pid, process.pid);
  first.lock.release();
  assert.is(waitForRepair(cache, 10), null);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
