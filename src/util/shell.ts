// Quoting for POSIX shells: everything heppy puts into a generated script or command line goes
// through `shq`, so no file name, component or Outdir path is ever interpreted by a shell.

/** Single-quotes `s` for sh/bash: safe for spaces, quotes, `$`, backquotes, newlines, globs. */
export function shq(s: string): string {
  if (s.includes('\0')) throw new Error(`shq: NUL byte in ${JSON.stringify(s)}`);
  // Plain words stay readable in the scripts users open.
  if (/^[A-Za-z0-9_\/.,:=@+%-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** True when `s` can be written unquoted where no shell parses it (e.g. an #SBATCH directive). */
export function isPlainPath(s: string): boolean {
  return /^[A-Za-z0-9_\/.,=@+-]+$/.test(s);
}
