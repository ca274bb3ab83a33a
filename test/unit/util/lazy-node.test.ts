// lazy-node: the built-ins are the real modules, loaded only on first use (a fresh process that
// imports lazy-node has not loaded node:crypto, node:child_process nor node:worker_threads).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as cp from 'node:child_process';
import * as wt from 'node:worker_threads';
import { childProcessModule, randomBuffer, randomHex, uniqueTag, workerThreadsModule } from '../../../src/util/lazy-node.js';

test('nothing loaded by the import; each module on its first use', () => {
  const url = new URL('../../../src/util/lazy-node.js', import.meta.url).href;
  const script = `
    const loaded = (m) => process.moduleLoadList.includes('NativeModule ' + m);
    const l = await import(${JSON.stringify(url)});
    const out = [loaded('crypto'), loaded('child_process'), loaded('worker_threads')];
    l.randomHex(4); out.push(loaded('crypto'));
    l.childProcessModule(); out.push(loaded('child_process'));
    l.workerThreadsModule(); out.push(loaded('worker_threads'));
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [false, false, false, true, true, true]);
});

test('randomHex: 2 hex digits per byte, different each call; randomBuffer: the bytes', () => {
  const a = randomHex(12), b = randomHex(12);
  assert.match(a, /^[0-9a-f]{24}$/);
  assert.is.not(a, b);
  assert.is(randomBuffer(16).length, 16);
  assert.not.equal(randomBuffer(16), randomBuffer(16));
});

test('randomBuffer reads /dev/urandom: node:crypto is not loaded for a ROOT file\'s UUID', () => {
  const url = new URL('../../../src/util/lazy-node.js', import.meta.url).href;
  const script = `const l = await import(${JSON.stringify(url)}); const b = l.randomBuffer(16);
    console.log(JSON.stringify([b.length, process.moduleLoadList.includes('NativeModule crypto')]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [16, false]);
});

test('uniqueTag: this process id, one random part per process, a new count each call', () => {
  const tags = Array.from({ length: 1000 }, () => uniqueTag());
  assert.is(new Set(tags).size, 1000);
  const parts = tags.map((t) => /^(\d+)\.([0-9a-f]{8})([0-9a-f]+)$/.exec(t));
  assert.ok(parts.every((m) => m !== null && m[1] === String(process.pid)), tags[0]);
  // The random part is drawn once; another process draws its own (two workers never collide).
  assert.is(new Set(parts.map((m) => m![2])).size, 1);
  const url = new URL('../../../src/util/lazy-node.js', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const l = await import(${JSON.stringify(url)}); console.log(l.uniqueTag())`], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is.not(r.stdout.trim().split('.')[1]!.slice(0, 8), parts[0]![2]);
});

test('the modules are Node\'s own', () => {
  assert.is(childProcessModule().fork, cp.fork);
  assert.is(workerThreadsModule().Worker, wt.Worker);
  assert.is(workerThreadsModule().isMainThread, true);
});

test.run();
