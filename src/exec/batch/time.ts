// Slurm's time syntax, also used for the -b executor's time limit: "M", "M:S", "H:M:S", "D-H",
// "D-H:M", "D-H:M:S".

/** Milliseconds, or null when `s` is not a Slurm time. */
export function parseSlurmTime(s: string): number | null {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(s.trim());
  if (!m) return null;
  const [, d, a, b, c] = m;
  const n = (x: string | undefined): number => (x === undefined ? 0 : Number(x));
  let secs: number;
  if (d !== undefined) secs = n(d) * 86400 + n(a) * 3600 + n(b) * 60 + n(c);   // D-H[:M[:S]]
  else if (c !== undefined) secs = n(a) * 3600 + n(b) * 60 + n(c);            // H:M:S
  else if (b !== undefined) secs = n(a) * 60 + n(b);                          // M:S
  else secs = n(a) * 60;                                                      // M
  return secs > 0 ? secs * 1000 : null;
}
