import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../../../src/report/html/index.js';

test('writeReport: an Outdir without a build gives a report of 0 nodes and 0 plots, written whole (no temporary left), its size reported', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'heppy-report-index-'));
  try {
    const r = await writeReport(outdir);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.is(r.value.path, join(outdir, 'report.html'));
    assert.equal([r.value.nodes, r.value.plots], [0, 0]);
    assert.is(r.value.bytes, statSync(r.value.path).size);
    assert.equal(readdirSync(outdir), ['report.html']);
    const html = readFileSync(r.value.path, 'utf8');
    assert.ok(html.includes(`<title>heppy report: ${outdir}</title>`));
    const dest = join(outdir, 'elsewhere.html');
    const again = await writeReport(outdir, dest);
    assert.is(again.ok && again.value.path, dest);
    assert.equal(readdirSync(outdir).sort(), ['elsewhere.html', 'report.html']);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test.run();
