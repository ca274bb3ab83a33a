// Name checks for components and analyzers (DESIGN §1): names become directory names and appear
// in batch scripts, so anything that could escape the output directory or the shell is refused.
import { UserError } from '../util/result.js';

// '%', '^' and '=' too: the stricter set validate.ts used to apply on its own.
const SHELL_META = /[$`"';&|<>()*?[\]{}~!#\\%^=]/;

/** Why `name` is not a valid component/analyzer name, or null when it is. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return `the name must be a string, got ${typeof name}`;
  if (name === '') return 'the name is empty';
  if (name.includes('/') || name.includes('\\')) return 'the name contains a path separator';
  if (name.includes('..')) return "the name contains '..'";
  // '.' is the Outdir itself (its merge would rename the Outdir into itself); a leading '-' reads as a flag.
  if (name === '.') return "the name is '.'";
  if (name.startsWith('-')) return "the name starts with '-'";
  if (/\s/.test(name)) return 'the name contains white space';
  const m = SHELL_META.exec(name);
  if (m) return `the name contains the shell metacharacter '${m[0]}'`;
  return null;
}

/** Throws a one-line UserError naming the kind, the name and the reason. */
export function checkName(kind: 'component' | 'analyzer', name: unknown): string {
  const why = nameProblem(name);
  if (why !== null) throw new UserError(`invalid ${kind} name ${JSON.stringify(name)}: ${why}`);
  return name as string;
}
