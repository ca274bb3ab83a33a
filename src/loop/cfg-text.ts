// The component printout of log.txt, as heppy's CFG.__str__:
//   '{Class}: {name}' then '\t{var:<15}:   {value}' per attribute, sorted, without 'name',
// values printed the way Python's str() prints them (lists of quoted strings, True/None, tuples).
import { padRight } from '../stats/pyformat.js';

/** Python's repr() of a plain value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return pyQuote(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyQuote(k)}: ${pyRepr(x)}`).join(', ') + '}';
  }
  return String(v);
}

/** Python's str() of a value: strings unquoted, everything else as repr. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function pyNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  // JavaScript has one number type; whole numbers print as Python ints.
  return String(x).replace(/e\+?/, 'e+').replace('e+-', 'e-');
}

function pyQuote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(q === "'" ? /'/g : /"/g, `\\${q}`);
  return q + body + q;
}

/** heppy's CFG.__str__ for a component-like object (own, non-function attributes). */
export function cfgText(className: string, obj: Record<string, unknown>, tuples: readonly string[] = ['fineSplit']): string {
  const lines = [`${className}: ${pyStr(obj.name)}`];
  const keys = Object.keys(obj).filter((k) => k !== 'name' && typeof obj[k] !== 'function').sort();
  for (const k of keys) {
    const v = obj[k];
    const text = tuples.includes(k) && Array.isArray(v) ? '(' + v.map(pyRepr).join(', ') + (v.length === 1 ? ',' : '') + ')' : pyStr(v);
    lines.push(`\t${padRight(k, 15)}:   ${text}`);
  }
  return lines.join('\n');
}
