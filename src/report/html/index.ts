// `heppy report`: collect what an Outdir holds and write the self-contained report.html.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, type Result } from '../../util/result.js';
import { collectReport } from './collect.js';
import { renderReport } from './render.js';

export { collectReport, type ReportData } from './collect.js';
export { renderReport } from './render.js';

/** Writes the report (atomically) to `dest` (default Outdir/report.html); returns its path. */
export async function writeReport(outdir: string, dest = join(outdir, 'report.html')): Promise<Result<{ path: string; bytes: number; plots: number; nodes: number }>> {
  const data = await collectReport(outdir);
  if (!data.ok) return data;
  const html = renderReport(data.value);
  const tmp = `${dest}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, dest);
  return ok({ path: dest, bytes: Buffer.byteLength(html), plots: data.value.plots.length, nodes: data.value.nodes.length });
}
