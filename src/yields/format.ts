// `heppy yields` output: text (two grids per counter: raw counts, weighted yields ± stat. error),
// JSON (the Yields value), CSV (one line per counter, level and column) and LaTeX (a tabular per
// counter). Columns: the components in build order, then "MC sum" and "data" when there are any.
import type { Cell, SumCell, YieldTable, Yields } from './compute.js';

interface Column { name: string; get(row: YieldTable['rows'][number]): Cell | SumCell | null }

function columns(y: Yields, t: YieldTable): Column[] {
  const present = y.components.filter((c) => t.rows.some((r) => r.cells[c.name] !== undefined));
  const cols: Column[] = present.map((c) => ({ name: c.name, get: (r) => r.cells[c.name] ?? null }));
  if (present.some((c) => c.kind === 'mc')) cols.push({ name: 'MC sum', get: (r) => r.mcSum });
  if (present.some((c) => c.kind === 'data')) cols.push({ name: 'data', get: (r) => r.data });
  return cols;
}

/** Decimals so that the error shows two significant digits (at most 6, at least 0). */
function decimals(err: number): number {
  if (!(err > 0) || !Number.isFinite(err)) return 2;
  return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(err))));
}

/** "12.34 ± 0.56" (the error's two significant digits set the decimals). */
export function fmtYield(v: number, err: number, pm = ' ± '): string {
  const d = decimals(err);
  return `${v.toFixed(d)}${pm}${err.toFixed(d)}`;
}

function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : String(+n.toPrecision(10));
}

function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function lumiText(y: Yields): string {
  const l = y.lumi;
  if (l.value === null) return 'no luminosity: MC yields not normalised';
  const src = { option: '-o lumi', config: 'Config lumi', data: "data components' intLumi", flag: '--lumi', none: '' }[l.source];
  return `luminosity ${l.value} (${src})`;
}

export function formatText(y: Yields): string {
  const out: string[] = [lumiText(y)];
  for (const c of y.components) {
    if (c.kind !== 'mc') continue;
    const den = c.denominator === 'sumGenWeights' ? `sum of generator weights ${c.sumGenWeights}` : `nGenEvents ${c.nGenEvents}`;
    out.push(c.norm !== null ? `  ${c.name}: weight ${c.norm.toPrecision(6)} (xSection ${c.xSection}, ${den})` : `  ${c.name}: not normalised: ${c.problem}`);
  }
  if (y.missing.length) out.push(`not built or not merged (no yields): ${y.missing.join(', ')}`);
  for (const t of y.tables) {
    const cols = columns(y, t);
    const header = [`${t.analyzer}/${t.counter}`, ...cols.map((c) => c.name)];
    const raw = t.rows.map((r) => [r.level, ...cols.map((c) => { const v = c.get(r); return v === null ? '' : fmtCount(v.count); })]);
    const wei = t.rows.map((r) => [r.level, ...cols.map((c) => {
      const v = c.get(r);
      return v === null ? '' : v.yield === null || v.error === null ? 'n/a' : fmtYield(v.yield, v.error);
    })]);
    out.push('', 'raw counts', grid(header, raw), '', 'weighted yields (± statistical error)', grid(header, wei));
  }
  if (y.tables.length === 0) out.push('', 'no counters found in the merged components');
  return out.join('\n') + '\n';
}

export function formatJson(y: Yields): string {
  return JSON.stringify(y, null, 1) + '\n';
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function formatCsv(y: Yields): string {
  const lines = ['analyzer,counter,level,column,count,sumw,sumw2,yield,error'];
  for (const t of y.tables) {
    for (const r of t.rows) {
      for (const c of columns(y, t)) {
        const v = c.get(r);
        if (v === null) continue;
        const w = 'sumw' in v ? [v.sumw, v.sumw2] : ['', ''];
        lines.push([t.analyzer, t.counter, r.level, c.name].map(csvField).concat([v.count, ...w, v.yield ?? '', v.error ?? ''].map(String)).join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}

const TEX: Record<string, string> = { '\\': '\\textbackslash{}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}', '<': '\\textless{}', '>': '\\textgreater{}' };
/** LaTeX text: one pass, so that an escape's own braces are not escaped again. */
const tex = (s: string): string => s.replace(/[\\~^<>#$%&_{}]/g, (c) => TEX[c] ?? `\\${c}`);

export function formatLatex(y: Yields): string {
  const out: string[] = [`% heppy yields: ${lumiText(y)}`];
  for (const t of y.tables) {
    const cols = columns(y, t);
    out.push(`% ${t.analyzer}/${t.counter}`, `\\begin{tabular}{l${'r'.repeat(cols.length)}}`, '\\hline',
      [tex(t.counter), ...cols.map((c) => tex(c.name))].join(' & ') + ' \\\\', '\\hline');
    for (const r of t.rows) {
      out.push([tex(r.level), ...cols.map((c) => {
        const v = c.get(r);
        return v === null ? '' : v.yield === null || v.error === null ? fmtCount(v.count) : `$${fmtYield(v.yield, v.error, ' \\pm ')}$`;
      })].join(' & ') + ' \\\\');
    }
    out.push('\\hline', '\\end{tabular}', '');
  }
  return out.join('\n');
}
