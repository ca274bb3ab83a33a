// Lists the functions of src/ longer than a limit (developers' guide: functions < ~60 lines),
// longest first: "lines  file:line  name". Counts the lines from the declaration to its closing
// brace (comments inside included). Parsed with the TypeScript compiler API (no type check).
// Usage: node dist/tools/long-functions.js [--max N] [dir]   (default 60, src)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface LongFunction { file: string; line: number; name: string; lines: number }

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function nameOf(n: ts.Node, sf: ts.SourceFile): string {
  const named = (n as { name?: ts.Node }).name;
  if (named !== undefined) {
    const own = named.getText(sf);
    const cls = ts.isClassLike(n.parent) && n.parent.name !== undefined ? `${n.parent.name.getText(sf)}.` : '';
    return cls + own;
  }
  if (ts.isConstructorDeclaration(n)) return `${ts.isClassLike(n.parent) && n.parent.name ? n.parent.name.getText(sf) : ''}.constructor`;
  // An arrow or function expression: the variable or property it is assigned to.
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  return '(anonymous)';
}

/** The functions of one source text longer than `max` lines. */
export function longFunctions(file: string, text: string, max: number): LongFunction[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: LongFunction[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && (n as { body?: ts.Node }).body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) out.push({ file, line: start + 1, name: nameOf(n, sf), lines });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function main(argv: string[]): void {
  const i = argv.indexOf('--max');
  const max = i >= 0 ? Number(argv[i + 1]) : 60;
  if (!Number.isInteger(max) || max < 1) { console.error(`heppy: --max must be a whole number >= 1, got '${argv[i + 1]}'`); process.exit(2); }
  const rest = argv.filter((_, k) => k !== i && k !== i + 1);
  const root = rest[0] ?? 'src';
  const found = tsFiles(root).flatMap((f) => longFunctions(relative(process.cwd(), f), readFileSync(f, 'utf8'), max));
  found.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
  for (const f of found) console.log(`${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);
  console.log(`${found.length} functions longer than ${max} lines`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
