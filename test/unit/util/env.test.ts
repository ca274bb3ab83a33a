// The one parser of heppy's HEPPY_* switches: the accepted words, and a bad value as one line
// naming the variable and what it accepts (UserError, exit 2), never silently off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkEnv, envCodecThread, envFlag, envHashImpl, envNumber, parseEnv } from '../../../src/util/env.js';
import { UserError } from '../../../src/util/result.js';

const fails = (f: () => unknown): UserError => {
  try { f(); } catch (e) { if (e instanceof UserError) return e; throw e; }
  throw new Error('no UserError');
};

test('booleans: 1/0/true/false/yes/no/on/off in any case, unset or empty is undefined', () => {
  for (const v of ['1', 'true', 'YES', 'On', ' yes ']) assert.is(envFlag('HEPPY_OUTPUT_THREAD', { HEPPY_OUTPUT_THREAD: v }), true, v);
  for (const v of ['0', 'False', 'no', 'OFF']) assert.is(envFlag('HEPPY_OUTPUT_THREAD', { HEPPY_OUTPUT_THREAD: v }), false, v);
  assert.is(envFlag('HEPPY_TIMING', {}), undefined);
  assert.is(envFlag('HEPPY_TIMING', { HEPPY_TIMING: '' }), undefined);
  const e = fails(() => envFlag('HEPPY_OUTPUT_THREAD', { HEPPY_OUTPUT_THREAD: 'maybe' }));
  assert.is(e.message, "HEPPY_OUTPUT_THREAD must be 1/true/yes/on or 0/false/no/off, got 'maybe'");
  assert.is(e.exitCode, 2);
});

test('HEPPY_CODEC_THREAD: yes is on (it used to be silently off), all, off by default', () => {
  assert.is(envCodecThread({ HEPPY_CODEC_THREAD: 'yes' }), 'on');
  assert.is(envCodecThread({ HEPPY_CODEC_THREAD: '1' }), 'on');
  assert.is(envCodecThread({ HEPPY_CODEC_THREAD: 'ALL' }), 'all');
  assert.is(envCodecThread({ HEPPY_CODEC_THREAD: 'off' }), 'off');
  assert.is(envCodecThread({}), 'off');
  assert.match(fails(() => envCodecThread({ HEPPY_CODEC_THREAD: '2' })).message, "HEPPY_CODEC_THREAD must be 1/true/yes/on, 0/false/no/off or all, got '2'");
});

test('enums and numbers: their values only', () => {
  assert.is(envHashImpl({ HEPPY_HASH_IMPL: 'wasm' }), 'wasm');
  assert.is(envHashImpl({}), 'native');
  assert.is(fails(() => envHashImpl({ HEPPY_HASH_IMPL: 'js' })).message, "HEPPY_HASH_IMPL must be native or wasm, got 'js'");
  assert.is(envNumber('HEPPY_NET_ATTEMPTS', 3, {}), 3);
  assert.is(envNumber('HEPPY_NET_ATTEMPTS', 3, { HEPPY_NET_ATTEMPTS: '5' }), 5);
  assert.is(envNumber('HEPPY_STORE_BATCH_MS', 500, { HEPPY_STORE_BATCH_MS: '0' }), 0);
  assert.is(fails(() => envNumber('HEPPY_NET_ATTEMPTS', 3, { HEPPY_NET_ATTEMPTS: '1.5' })).message, "HEPPY_NET_ATTEMPTS must be an integer >= 1, got '1.5'");
  assert.is(fails(() => envNumber('HEPPY_NET_TIMEOUT', 60, { HEPPY_NET_TIMEOUT: '-1' })).message, "HEPPY_NET_TIMEOUT must be a number >= 0.001, got '-1'");
  assert.is(parseEnv('X', '7', { kind: 'number', min: 0, integer: true }), 7);
});

test('checkEnv: every switch checked, the first bad one reported; free-form HEPPY_* left alone', () => {
  checkEnv({ HEPPY_CODEC_THREAD: 'on', HEPPY_BUNDLE: 'no', HEPPY_WORKER_NODE_FLAGS: '--anything', HEPPY_JOB_NAME: 'x' });
  assert.is(fails(() => checkEnv({ HEPPY_TIMING: 'yes', HEPPY_BUNDLE: 'nope' })).message, "HEPPY_BUNDLE must be 1/true/yes/on or 0/false/no/off, got 'nope'");
});

test.run();
