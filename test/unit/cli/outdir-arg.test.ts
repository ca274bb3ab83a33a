import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { outdirArgument } from '../../../src/cli/outdir-arg.js';
import { UserError } from '../../../src/util/result.js';

const root = mkdtempSync(join(tmpdir(), 'heppy-outdir-arg-'));
const stderr = (): { s: PassThrough; text: () => string } => {
  const s = new PassThrough();
  let t = '';
  s.on('data', (b: Buffer) => { t += b.toString(); });
  return { s, text: () => t };
};

test('outdirArgument: the Outdir named, as given; one a newer heppy wrote is refused with exit 2', async () => {
  const e = stderr();
  assert.is(await outdirArgument(join(root, 'Outdir'), e.s), join(root, 'Outdir'));
  const newer = join(root, 'Newer');
  mkdirSync(join(newer, '.heppy'), { recursive: true });
  writeFileSync(join(newer, '.heppy', 'heppy-format.json'), JSON.stringify({ format: 99, minReader: 99, writtenBy: '9.0.0' }));
  try {
    await outdirArgument(newer, e.s);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as UserError).exitCode, 2);
    assert.ok((err as Error).message.startsWith(`${join(newer, '.heppy')}: this output directory's .heppy has format 99 (written by heppy 9.0.0`), (err as Error).message);
  }
  assert.is(e.text(), '');
});

test('outdirArgument: none named and no heppyfile here: ./Outdir', async () => {
  const cwd = process.cwd();
  const here = join(root, 'project');
  mkdirSync(here);
  process.chdir(here);
  try {
    const e = stderr();
    assert.is(await outdirArgument(undefined, e.s), resolve(here, 'Outdir'));
    assert.is(e.text(), '');
  } finally {
    process.chdir(cwd);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
