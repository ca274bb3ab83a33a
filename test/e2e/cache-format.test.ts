// Forward compatibility: a cache dir (or an Outdir's .heppy) marked with a format newer than this
// heppy knows is refused by every command in one line, exit 2, before anything there is read or
// written. A build marks the cache and the Outdir it uses with this heppy's formats; a cache of an
// earlier heppy (no version file) is used as it is and restores from.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, heppy, makeProject, type Project } from './build-rig.js';
import { FORMAT_FILE, KNOWN_FORMAT } from '../../src/cache/format.js';

let p: Project;
test.before(async () => {
  p = await makeProject();
});
test.after(() => rmSync(p.dir, { recursive: true, force: true }));

const NEWER = { format: 99, minReader: 99, writtenBy: '99.0.0' };

/** Every file under `dir` with its size and mtime: what "nothing written" is compared by. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).sort().map((f) => {
    const st = statSync(join(dir, f));
    return `${f} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`;
  });
}

function refusedLine(r: { code: number; stdout: string; stderr: string }, holder: string, advice: RegExp): void {
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^heppy: [^\n]+\n$/, 'one line');
  assert.ok(r.stderr.includes(`${holder}: `), r.stderr);
  assert.match(r.stderr, new RegExp(`format 99 \\(written by heppy 99\\.0\\.0, readable from format 99\\); this heppy knows format \\d`));
  assert.match(r.stderr, advice);
  assert.not.match(r.stderr, /at .*\.js:\d+/, 'no stack trace');
}

test('a cache marked format 99: build, status, why, clean, check --verify, cache stats and prune refuse it; nothing written', () => {
  const cache = join(p.dir, 'cache-new');
  mkdirSync(join(cache, 'outputs'), { recursive: true });
  writeFileSync(join(cache, 'outputs', '.format-7'), '7\n');
  writeFileSync(join(cache, FORMAT_FILE), JSON.stringify(NEWER));
  const before = tree(cache);
  const out = join(p.dir, 'Out-new');
  for (const args of [['build'], ['build', '--dry-run'], ['status'], ['why', 'A_Chunk0'], ['clean'], ['cache', 'stats'], ['cache', 'prune', '--max-size', '0']]) {
    const r = heppy(p, [...args, '--cache-dir', cache, ...(args[0] === 'cache' ? [] : ['--outdir', out])]);
    refusedLine(r, cache, /upgrade heppy, or give this one its own --cache-dir/);
  }
  assert.equal(tree(cache), before, 'the newer cache is untouched');
  assert.not.ok(existsSync(out), 'no Outdir made');
});

test('a build marks its cache and Outdir; an Outdir marked format 99 is then refused by build, status, check, hadd, yields', () => {
  const cache = join(p.dir, 'cache-ok');
  const out = join(p.dir, 'Out-ok');
  const first = build(p, ['--cache-dir', cache, '--outdir', out]);
  assert.is(first.code, 0, first.stderr);
  assert.is(first.ran.length, 9, 'seven chunks and two merges');
  assert.equal(JSON.parse(readFileSync(join(cache, FORMAT_FILE), 'utf8')).format, KNOWN_FORMAT.cache);
  assert.equal(JSON.parse(readFileSync(join(cache, FORMAT_FILE), 'utf8')).minReader, 2);
  assert.equal(JSON.parse(readFileSync(join(out, '.heppy', FORMAT_FILE), 'utf8')).format, KNOWN_FORMAT.outdir);
  writeFileSync(join(out, '.heppy', FORMAT_FILE), JSON.stringify(NEWER));
  const outBefore = tree(out);
  const cacheBefore = tree(cache).filter((l) => !l.startsWith('outputs'));
  const holder = join(out, '.heppy');
  for (const args of [['build', '--cache-dir', cache, '--outdir', out], ['status', '--cache-dir', cache, '--outdir', out], ['check', out], ['check', '--verify', out], ['hadd', out], ['yields', out]]) {
    refusedLine(heppy(p, args), holder, /upgrade heppy, or build into another --outdir/);
  }
  assert.equal(tree(out), outBefore, 'the newer Outdir is untouched');
  // The build refused before its bundle cache or store changed (the output cache's entry files are
  // not compared: their mtimes are their last use).
  assert.equal(tree(cache).filter((l) => !l.startsWith('outputs')), cacheBefore);
});

test('a cache of an earlier heppy (no version file) is used: restored from, then marked', () => {
  const cache = join(p.dir, 'cache-old');
  const a = build(p, ['--cache-dir', cache, '--outdir', join(p.dir, 'Out-a')]);
  assert.is(a.code, 0, a.stderr);
  rmSync(join(cache, FORMAT_FILE));
  const b = build(p, ['--cache-dir', cache, '--outdir', join(p.dir, 'Out-b')]);
  assert.is(b.code, 0, b.stderr);
  const summary = b.events.find((e) => e.type === 'summary') as { summary: { run: number; restored?: number } } | undefined;
  assert.is(summary?.summary.restored, 9, JSON.stringify(summary));
  assert.is(summary?.summary.run, 0);
  assert.equal(JSON.parse(readFileSync(join(cache, FORMAT_FILE), 'utf8')).format, KNOWN_FORMAT.cache);
});

test('a cache whose newer format this heppy may still read (minReader 2) is used and not rewritten', () => {
  const cache = join(p.dir, 'cache-later');
  mkdirSync(cache);
  const later = { format: 3, minReader: 2, writtenBy: '3.0.0' };
  writeFileSync(join(cache, FORMAT_FILE), JSON.stringify(later));
  const r = build(p, ['--cache-dir', cache, '--outdir', join(p.dir, 'Out-later')]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(join(cache, FORMAT_FILE), 'utf8')), later);
});

test.run();
