#!/usr/bin/env node
// Runs every compiled uvu test file (dist/test/**/*.test.js) in its own Node process,
// a few at a time, and ends with the line CI reads: "N passed, N failed".
// Usage: node scripts/run-tests.mjs [substring filters...]   env: HEPPY_TEST_JOBS, HEPPY_TEST_TIMEOUT (s)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'dist', 'test');
const filters = process.argv.slice(2);
const jobs = Number(process.env.HEPPY_TEST_JOBS ?? 2);
const timeoutS = Number(process.env.HEPPY_TEST_TIMEOUT ?? 900);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files;
try {
  files = walk(testDir).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
} catch {
  console.error(`no compiled tests in ${testDir}: run \`npm run build\` first`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0, failed = 0, skipped = 0;
const t0 = Date.now();

function runOne(file) {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => { out += `\n[run-tests] timed out after ${timeoutS} s, killed\n`; child.kill('SIGKILL'); }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = strip(out);
      const num = (label) => { const m = text.match(new RegExp(`${label}:\\s+(\\d+)`)); return m ? Number(m[1]) : null; };
      const total = num('Total'), pass = num('Passed'), skip = num('Skipped') ?? 0;
      let p = 0, f = 0;
      if (total === null || pass === null) f = 1; // crashed before uvu's summary
      else { p = pass; f = total - pass - skip; }
      if ((code !== 0 || signal) && f === 0) f = 1;
      passed += p; failed += f; skipped += skip;
      const rel = relative(root, file);
      const secs = ((Date.now() - start) / 1000).toFixed(1);
      if (f > 0) console.log(`FAIL ${rel} (${p} passed, ${f} failed, exit ${code ?? signal}, ${secs} s)\n${text.trimEnd().split('\n').map((l) => '   | ' + l).join('\n')}`);
      else console.log(`ok   ${rel} (${p} passed${skip ? `, ${skip} skipped` : ''}, ${secs} s)`);
      const notes = text.split('\n').filter((l) => l.startsWith('SKIP:'));
      for (const n of notes) console.log(`     ${n}`);
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: Math.max(1, jobs) }, async () => {
  while (queue.length) await runOne(queue.shift());
}));
console.log(`${files.length} test files, ${skipped} tests skipped, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
