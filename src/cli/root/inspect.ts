// `heppy root inspect FILE [--json]`: keys, trees (per branch type, count, sum, min, max)
// and histograms (axes, entries, sum of contents) of a ROOT file, read by heppy's reader.
import { Command, Option } from 'clipanion';
import type { Json } from '../../root/read/summary.js';
import { RemoteError, isTransient } from '../../io/errors.js';
import { RootError } from '../../root/errors.js';
import { InfrastructureError, UserError } from '../../util/result.js';

type Obj = { [k: string]: Json };

export class RootInspectCommand extends Command {
  static override paths = [['root', 'inspect']];
  static override usage = Command.Usage({
    description: 'show the keys, trees and histograms of a ROOT file',
    details: `
      For every tree: its entries and, per branch, the type, the number of values, their sum,
      minimum and maximum (64-bit integers exactly). For every histogram: its axes, fEntries and
      the sum of its contents. \`--json\` prints the same as one JSON document shaped like the
      reference summaries in ../shared/data/root/summaries. A file that cannot be read prints
      one line naming the file and the reason, and exits with status 2 (3 when its server does not
      answer: try again later).
    `,
    examples: [
      ['Inspect a file', '$0 root inspect data/ggH_125/tree_0.root'],
      ['Machine-readable', '$0 root inspect --json out.root'],
    ],
  });

  file = Option.String({ name: 'FILE' });
  json = Option.Boolean('--json', false, { description: 'print one JSON document' });

  override async execute(): Promise<number> {
    // Loaded here, not at the top: the CLI registers every command, and `heppy build` should not pay for this one's modules.
    const { openRootFile } = await import('../../root/read/index.js');
    const { summarizeFile, toJsonText } = await import('../../root/read/summary.js');
    const { summarizeRNTuples } = await import('../../root/rntuple/summary.js');
    let summary: Obj;
    try {
      const f = await openRootFile(this.file);
      try {
        summary = await summarizeFile(f);
        summary.rntuples = await summarizeRNTuples(f);
      } finally { f.close(); }
    } catch (e) {
      if (e instanceof RootError) throw new UserError(oneLine(e.message));
      if (e instanceof RemoteError) throw isTransient(e.kind) ? new InfrastructureError(oneLine(e.message)) : new UserError(oneLine(e.message));
      throw e;
    }
    this.context.stdout.write(this.json ? toJsonText(summary) + '\n' : formatText(this.file, summary));
    return 0;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

function num(v: Json | undefined): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  return String(v);
}

function formatText(path: string, s: Obj): string {
  const out: string[] = [];
  const h = s.header as Obj;
  out.push(`${path}: ROOT file version ${num(h.fVersion)}, ${num(h.fEND)} bytes, compression setting ${num(h.fCompress)}`);
  const keys = s.keys as Obj[];
  out.push(`keys (${keys.length}):`);
  for (const k of keys) out.push(`  ${String(k.name)}  ${String(k.class)}`);
  for (const [name, t] of Object.entries(s.trees as Obj)) {
    const tree = t as Obj;
    const branches = Object.entries(tree.branches as Obj);
    out.push(`tree ${name}: ${num(tree.entries)} entries, ${branches.length} branches`);
    const rows: string[][] = [['branch', 'type', 'kind', 'count', 'sum', 'min', 'max']];
    const errors: string[] = [];
    for (const [bn, b] of branches) {
      const br = b as Obj;
      if (br.kind === 'leaflist') {
        for (const [ln, l] of Object.entries(br.leaves as Obj)) {
          const lf = l as Obj;
          rows.push([`${bn}.${ln}`, String(br.typename), 'leaflist', num(lf.count), num(lf.sum), num(lf.min), num(lf.max)]);
        }
      } else if (br.kind === 'string') {
        rows.push([bn, String(br.typename), 'string', num(br.count), `${num(br.total_length)} chars`, '-', '-']);
      } else if (br.kind === 'object') {
        rows.push([bn, String(br.typename), 'object', num(br.count), '-', '-', '-']);
      } else if (br.kind === 'error') {
        rows.push([bn, String(br.typename), 'error', '-', '-', '-', '-']);
        errors.push(`  ${name}/${bn}: ${String(br.error)}`);
      } else {
        rows.push([bn, String(br.typename), String(br.kind), num(br.count), num(br.sum), num(br.min), num(br.max)]);
      }
    }
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) out.push('  ' + r.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd());
    if (errors.length > 0) out.push('branches that cannot be read:', ...errors.splice(0));
  }
  for (const [name, nv] of Object.entries((s.rntuples ?? {}) as Obj)) out.push(...formatRNTuple(name, nv as Obj));
  for (const [name, hv] of Object.entries(s.histograms as Obj)) {
    const hh = hv as Obj;
    if (hh.error !== undefined) { out.push(`histogram ${name}: ${String(hh.class)}, cannot be read: ${String(hh.error)}`); continue; }
    const stats = ['fTsumw', 'fTsumwx', 'fTsumwy', 'fTsumwz'].filter((f) => hh[f] !== undefined).map((f) => `${f} ${num(hh[f])}`);
    if (hh.binentries_sum !== undefined) stats.push(`bin entries ${num(hh.binentries_sum)}`);
    const axes = (hh.axes as Obj[]).map((a, i) => `${'xyz'[i]}: ${num(a.fNbins)} bins [${num(a.fXmin)}, ${num(a.fXmax)}]${a.variable ? ' (variable)' : ''}`);
    out.push(`histogram ${name}: ${String(hh.class)} "${String(hh.title)}", ${axes.join(', ')}, entries ${num(hh.fEntries)}, sum of contents ${num(hh.fArray_sum)}${stats.length ? `, ${stats.join(', ')}` : ''}`);
  }
  return out.join('\n') + '\n';
}

function formatRNTuple(name: string, nt: Obj): string[] {
  const fields = Object.entries(nt.fields as Obj);
  const out = [`rntuple ${name}: ${num(nt.entries)} entries, ${fields.length} fields`];
  const rows: string[][] = [['field', 'type', 'count', 'sum', 'min', 'max']];
  for (const [fn, fv] of fields) {
    const f = fv as Obj;
    if (f.unsupported !== undefined || f.error !== undefined) { rows.push([fn, String(f.type), '-', String(f.unsupported ?? f.error), '-', '-']); continue; }
    rows.push([fn, String(f.type) || '(untyped)', num(f.count), num(f.sum), num(f.min), num(f.max)]);
  }
  for (const [pn, pv] of Object.entries((nt.projected ?? {}) as Obj)) rows.push([pn, String((pv as Obj).type), 'projected', `from ${String((pv as Obj).source)}`, '', '']);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out.push('  ' + r.map((c, i) => (i >= 2 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd());
  return out;
}
