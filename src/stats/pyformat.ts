// Python's str.format / %-formatting of numbers, as far as heppy's text files use it.
// Only the parts whose output differs from JavaScript's are reproduced: round-half-even on
// exact ties ('%.2f' % 0.125 == '0.12', JS gives '0.13'), 'nan'/'inf', padding.

/** Python `'{:.{digits}f}'.format(x)` (no width). */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a >= 1e21) return (neg ? '-' : '') + a.toFixed(digits); // JS switches to exponent form; never in heppy's files
  let s = a.toFixed(digits);
  // JS rounds an exact tie away from zero; Python rounds it to even. A tie means the exact
  // decimal expansion of `a` is the digits kept + '5' + only zeros.
  const exact = a.toFixed(Math.min(100, digits + 40));
  const dot = exact.indexOf('.');
  const cut = dot < 0 ? exact.length : dot + 1 + digits;
  const rest = exact.slice(digits === 0 ? dot + 1 : cut);
  if (/^50*$/.test(rest)) {
    const truncated = digits === 0 ? exact.slice(0, dot) : exact.slice(0, cut);
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 0) s = truncated; // even: round down
  }
  return (neg ? '-' : '') + s;
}

/** Python `{:>w}` / `%wd` style right alignment. */
export function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** Python `{:<w}` left alignment. */
export function padRight(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/** Python `'%{width}.{digits}f' % x` and `'{:{width}.{digits}f}'`. */
export function fmtF(x: number, width: number, digits: number): string {
  return padLeft(pyFixed(x, digits), width);
}

/** Python `'{: {width}.{digits}f}'`: a space in place of the sign of non-negative numbers. */
export function fmtSpaceF(x: number, width: number, digits: number): string {
  const s = pyFixed(x, digits);
  return padLeft(s.startsWith('-') ? s : ' ' + s, width);
}

/** Python `'%{width}d' % n` for integers. */
export function fmtD(n: number, width: number): string {
  return padLeft(String(Math.trunc(n)), width);
}
