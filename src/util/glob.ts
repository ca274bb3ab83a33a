// One glob path segment (`*`, `?`, `[abc]`, `[!abc]`) as a RegExp: shared by local globs
// (config/component.ts) and remote ones (io/open.ts) so that both match the same names.

/** The RegExp matching exactly the names one segment of a glob pattern matches. */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = seg.indexOf(']', i + 2);
      if (j < 0) { re += '\\['; continue; }
      let body = seg.slice(i + 1, j);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = j;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}
